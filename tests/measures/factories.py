import datetime

import factory

from measures.enums import Channel, ImportKind, ImportStatus
from measures.models import MeasureImport, MysteryVisit
from tests.qualipref.factories import PrefectureFactory


class MeasureImportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeasureImport

    prefecture = factory.SubFactory(PrefectureFactory)
    kind = ImportKind.CALLS
    original_name = "appels.csv"
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    status = ImportStatus.DONE


class MysteryVisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MysteryVisit

    prefecture = factory.SubFactory(PrefectureFactory)
    visited_on = datetime.date(2026, 2, 10)
    channel = Channel.COUNTER
