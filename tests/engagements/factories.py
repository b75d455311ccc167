import datetime
import zoneinfo

import factory
from django.utils import timezone

from engagements.enums import Source
from engagements.models import (
    Engagement,
    EngagementVersion,
    LocalEngagement,
    LocalTarget,
    ManualMeasure,
    MonthlyIndicator,
    SiteMonthlyIndicator,
)
from tests.complaints.factories import PDF_BYTES
from tests.qualipref.factories import PrefectureFactory, SiteFactory


def engagement(code):
    """One engagement of the seeded referential (the data migration wrote them)."""
    return Engagement.objects.get(code=code)


def local(prefecture, day, hour=10):
    """An aware datetime on ``day`` in the prefecture's time zone."""
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=zoneinfo.ZoneInfo(prefecture.time_zone))


class ManualMeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ManualMeasure

    prefecture = factory.SubFactory(PrefectureFactory)
    engagement = factory.LazyFunction(lambda: Engagement.objects.get(code="TELEPHONE-5-SONNERIES"))
    month = datetime.date(2025, 3, 1)
    numerator = 45
    denominator = 50
    evidence = factory.django.FileField(filename="appels.pdf", data=PDF_BYTES)
    evidence_name = "appels.pdf"
    evidence_sha256 = "0" * 64


class MonthlyIndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MonthlyIndicator

    prefecture = factory.SubFactory(PrefectureFactory)
    engagement = factory.LazyFunction(lambda: Engagement.objects.get(code="RECLAMATIONS-15J"))
    version = factory.LazyAttribute(lambda figure: figure.engagement.versions.first())
    month = datetime.date(2025, 3, 1)
    numerator = 9
    denominator = 10
    value = 90
    target_value = 90
    comparator = "gte"
    unit = "percent"
    met = True
    national_met = factory.SelfAttribute("met")
    computed_at = factory.LazyFunction(timezone.now)


class LocalEngagementFactory(factory.django.DjangoModelFactory):
    """A prefecture's own engagement (``Engagement`` with a prefecture), with one version from January 2025."""

    class Meta:
        model = LocalEngagement

    prefecture = factory.SubFactory(PrefectureFactory)
    code = factory.Sequence(lambda n: f"LOCAL-{n}")
    source = Source.ANSWER_SATISFACTION
    position = 90
    version = factory.RelatedFactory(
        "tests.engagements.factories.EngagementVersionFactory", factory_related_name="engagement"
    )


class EngagementVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EngagementVersion

    engagement = factory.SubFactory(LocalEngagementFactory, version=None)
    valid_from = datetime.date(2025, 1, 1)
    wording = "Nous prenons vos rendez-vous en mairie annexe sous 48 heures."
    target_value = 80


class LocalTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalTarget

    prefecture = factory.SubFactory(PrefectureFactory)
    engagement = factory.LazyFunction(lambda: Engagement.objects.get(code="RECLAMATIONS-15J"))
    valid_from = datetime.date(2026, 1, 1)
    target_value = 95


class SiteMonthlyIndicatorFactory(MonthlyIndicatorFactory):
    class Meta:
        model = SiteMonthlyIndicator
        exclude = ["national_met"]

    site = factory.SubFactory(SiteFactory, prefecture=factory.SelfAttribute("..prefecture"))
