import datetime
import zoneinfo

import factory
from django.utils import timezone

from engagements.models import Engagement, ManualMeasure, MonthlyIndicator
from tests.complaints.factories import PDF_BYTES
from tests.qualipref.factories import PrefectureFactory


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
    computed_at = factory.LazyFunction(timezone.now)
