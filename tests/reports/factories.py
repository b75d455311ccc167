import datetime

import factory

from tests.qualipref.factories import PrefectureFactory


class AuditReportFactory(factory.django.DjangoModelFactory):
    """A monthly report asked for and not built yet."""

    class Meta:
        model = "reports.AuditReport"

    prefecture = factory.SubFactory(PrefectureFactory)
    period_kind = "month"
    period_start = datetime.date(2026, 1, 1)
    version = factory.Sequence(lambda n: n + 1)
