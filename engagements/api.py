"""The engagements' results as an open-data JSON API (read only, no authentication), described by OpenAPI at
``schema/``: the same published monthly figures as the CSV and JSON files of ``/reseau/donnees-ouvertes/``, and
the national referential of engagements with its versions."""

import re

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny

from qualipref.api import MonthlyRecordsMixin, OpenDataMixin, monthly_filters
from qualipref.openapi import SchemaOnceView

from .enums import Comparator, Source, Unit
from .models import Engagement, EngagementVersion
from .selectors import open_data_record, open_data_rows

ENGAGEMENT_CODE = re.compile(r"[-a-zA-Z0-9_]{1,50}")

SCHEMA_SETTINGS = {
    "TITLE": "Qualipref – résultats des engagements de qualité de service",
    "DESCRIPTION": (
        "Résultats mensuels publiés par les préfectures au regard de leurs engagements de qualité de service "
        "(données ouvertes, Licence Ouverte / Etalab 2.0)."
    ),
}


class MonthlyResultSerializer(serializers.Serializer):
    departement = serializers.CharField(help_text="Code du département (974 pour La Réunion).")
    prefecture = serializers.CharField(help_text="Nom de la préfecture.")
    label = serializers.CharField(help_text="Référentiel de l’engagement : qualipref ou marianne.")
    code_engagement = serializers.CharField(help_text="Code de l’engagement (référentiel national).")
    engagement = serializers.CharField(help_text="Libellé de l’engagement dans sa version en vigueur ce mois-là.")
    mois = serializers.CharField(help_text="Mois mesuré, AAAA-MM (mois complets seulement).")
    numerateur = serializers.FloatField(allow_null=True, help_text="Numérateur (cas conformes, réponses…).")
    denominateur = serializers.FloatField(allow_null=True, help_text="Dénominateur ; vide sans mesure.")
    valeur = serializers.FloatField(allow_null=True, help_text="Valeur mesurée, dans l’unité ; vide sans mesure.")
    unite = serializers.ChoiceField(choices=Unit.choices, help_text="Unité de la valeur et de la cible.")
    comparateur = serializers.ChoiceField(choices=Comparator.choices, help_text="gte : au moins ; lte : au plus.")
    cible = serializers.FloatField(help_text="Cible de la version en vigueur.")
    atteint = serializers.BooleanField(allow_null=True, help_text="Cible atteinte ; vide sans mesure.")
    calcule_le = serializers.CharField(help_text="Date et heure du calcul (ISO 8601).")
    engagement_local = serializers.BooleanField(
        help_text="Vrai pour un engagement local, propre à la préfecture (hors référentiel national)."
    )
    cible_locale = serializers.BooleanField(
        help_text="Vrai quand la cible est celle, plus exigeante que la nationale, que la préfecture s’est fixée."
    )


class EngagementVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = EngagementVersion
        fields = ["valid_from", "wording", "wording_en", "target_value", "comparator", "unit"]


class EngagementSerializer(serializers.ModelSerializer):
    source = serializers.ChoiceField(choices=Source.choices)
    versions = EngagementVersionSerializer(many=True, read_only=True)

    class Meta:
        model = Engagement
        fields = ["code", "label", "source", "channel", "versions"]


@extend_schema(
    summary="Résultats mensuels publiés",
    description=(
        "Pour chaque préfecture, engagement et mois complet : la valeur mesurée, la cible et si elle est atteinte. "
        "Les mêmes chiffres que les fichiers de /reseau/donnees-ouvertes/. Licence Ouverte / Etalab 2.0."
    ),
    parameters=[
        OpenApiParameter("departement", OpenApiTypes.STR, description="Code du département, par exemple 974."),
        OpenApiParameter("code_engagement", OpenApiTypes.STR, description="Code de l’engagement."),
        OpenApiParameter("depuis", OpenApiTypes.STR, description="Premier mois, AAAA-MM."),
        OpenApiParameter("jusqu_a", OpenApiTypes.STR, description="Dernier mois, AAAA-MM."),
    ],
)
class MonthlyResults(MonthlyRecordsMixin, ListAPIView):
    serializer_class = MonthlyResultSerializer
    record_of = staticmethod(open_data_record)

    def get_queryset(self):
        params = self.request.query_params
        filters = monthly_filters(params)
        if code := params.get("code_engagement"):
            found = ENGAGEMENT_CODE.fullmatch(code) and Engagement.objects.filter(code=code).first()
            if not found:
                raise ValidationError({"code_engagement": _("Unknown engagement code.")})
            filters["engagement"] = found
        return open_data_rows(**filters)


@extend_schema(
    summary="Engagements",
    description="Le référentiel national des engagements, chacun avec ses versions (libellés, cibles) datées.",
)
class Engagements(OpenDataMixin, ListAPIView):
    serializer_class = EngagementSerializer
    pagination_class = None

    def get_queryset(self):
        return (
            Engagement.objects.national()
            .filter(is_active=True)
            .prefetch_related("versions")
            .order_by("position", "code")
        )


API_PATTERNS = [
    path("mensuel/", MonthlyResults.as_view(), name="api_monthly"),
    path("engagements/", Engagements.as_view(), name="api_engagements"),
]

urlpatterns = [
    *API_PATTERNS,
    path(
        "schema/",
        SchemaOnceView.as_view(
            urlconf="engagements.api_schema_urls",
            schema_settings=SCHEMA_SETTINGS,
            authentication_classes=[],
            permission_classes=[AllowAny],
        ),
        name="api_schema",
    ),
]
