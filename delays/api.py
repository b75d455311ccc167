"""The open-data JSON API (read only, no authentication), described by OpenAPI at ``schema/``."""

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

from .enums import TitleCategory
from .models import TitleType
from .selectors import is_title_code, open_data_record, open_data_rows


class MonthlyFigureSerializer(serializers.Serializer):
    departement = serializers.CharField(help_text="Code du département (974 pour La Réunion).")
    prefecture = serializers.CharField(help_text="Nom de la préfecture.")
    code_titre = serializers.CharField(help_text="Code du type de titre (référentiel national).")
    titre = serializers.CharField(help_text="Libellé du type de titre.")
    categorie = serializers.ChoiceField(choices=TitleCategory.choices, help_text="Catégorie du titre.")
    site = serializers.CharField(help_text="Site de délivrance ; vide pour l’ensemble de la préfecture.")
    mois = serializers.CharField(help_text="Mois de délivrance, AAAA-MM.")
    nombre_delivrances = serializers.IntegerField(help_text="Nombre de titres délivrés dans le mois.")
    delai_moyen_jours = serializers.DecimalField(
        max_digits=9, decimal_places=2, help_text="Délai moyen en jours calendaires (total_jours / nombre)."
    )
    delai_median_jours = serializers.DecimalField(
        max_digits=8, decimal_places=1, help_text="Délai médian en jours (moyenne des deux valeurs centrales si pair)."
    )
    delai_90e_centile_jours = serializers.IntegerField(
        help_text="90e centile au rang le plus proche : délai non dépassé par au moins 90 % des délivrances."
    )
    total_jours = serializers.IntegerField(help_text="Somme des délais en jours (pour agréger exactement).")
    publie_le = serializers.CharField(
        help_text="Date de publication par la préfecture (le jour dans son fuseau horaire), AAAA-MM-JJ."
    )


class TitleTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = TitleType
        fields = ["code", "label", "category"]


@extend_schema(
    summary="Délais mensuels publiés",
    description=(
        "Statistiques mensuelles publiées par les préfectures : nombre de titres délivrés, délai moyen, médian et "
        "90e centile en jours calendaires entre le dépôt et la délivrance. Seuls les mois publiés figurent. "
        "Licence Ouverte / Etalab 2.0."
    ),
    parameters=[
        OpenApiParameter("departement", OpenApiTypes.STR, description="Code du département, par exemple 974."),
        OpenApiParameter("code_titre", OpenApiTypes.STR, description="Code du type de titre."),
        OpenApiParameter("depuis", OpenApiTypes.STR, description="Premier mois, AAAA-MM."),
        OpenApiParameter("jusqu_a", OpenApiTypes.STR, description="Dernier mois, AAAA-MM."),
        OpenApiParameter(
            "ensemble", OpenApiTypes.BOOL, description="true : seulement les chiffres de toute la préfecture."
        ),
    ],
)
class MonthlyFigures(MonthlyRecordsMixin, ListAPIView):
    serializer_class = MonthlyFigureSerializer
    record_of = staticmethod(open_data_record)

    def get_queryset(self):
        params = self.request.query_params
        filters = monthly_filters(params)
        if code := params.get("code_titre"):
            found = is_title_code(code) and TitleType.objects.filter(code=code).first()
            if not found:
                raise ValidationError({"code_titre": _("Unknown title code.")})
            filters["title"] = found
        return open_data_rows(**filters)


@extend_schema(summary="Types de titre", description="Le référentiel national des types de titre.")
class TitleTypes(OpenDataMixin, ListAPIView):
    serializer_class = TitleTypeSerializer
    pagination_class = None
    queryset = TitleType.objects.order_by("position", "code")


urlpatterns = [
    path("mensuel/", MonthlyFigures.as_view(), name="api_monthly"),
    path("types-de-titre/", TitleTypes.as_view(), name="api_title_types"),
    path(
        "schema/",
        SchemaOnceView.as_view(
            urlconf="delays.api_schema_urls", authentication_classes=[], permission_classes=[AllowAny]
        ),
        name="api_schema",
    ),
]
