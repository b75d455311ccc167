import datetime
import io

import factory

from delays.enums import ImportSource, ImportStatus, PublicationStatus
from delays.models import DeliveryImport, MonthPublication, TitleType
from delays.services import delivery_import_check, delivery_import_create
from tests.qualipref.factories import PrefectureFactory

HEADER = "departement;code_titre;site;date_depot;date_delivrance"


class TitleTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TitleType
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"TEST-{n}")
    label = factory.Sequence(lambda n: f"Titre de test {n}")
    category = "other"


class DeliveryImportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeliveryImport

    prefecture = factory.SubFactory(PrefectureFactory)
    original_name = factory.Sequence(lambda n: f"livraisons-{n}.csv")
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    source = ImportSource.COMMAND
    status = ImportStatus.ACCEPTED


class MonthPublicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MonthPublication
        django_get_or_create = ["prefecture", "month"]

    prefecture = factory.SubFactory(PrefectureFactory)
    month = datetime.date(2025, 3, 1)
    status = PublicationStatus.DRAFT


def csv_bytes(rows, *, header=HEADER, delimiter=";", encoding="utf-8", newline="\n"):
    lines = [header.replace(";", delimiter)] + [delimiter.join(row) for row in rows]
    return (newline.join(lines) + newline).encode(encoding)


def deliveries(prefecture, title, pairs, *, site=""):
    """CSV rows ``(department, title, site, filed, delivered)`` for ``(filed, delivered)`` date pairs."""
    return [(prefecture.department_code, title, site, str(filed), str(delivered)) for filed, delivered in pairs]


def run_import(prefecture, data, *, name="livraisons.csv", auto_accept=True, by=None):
    """Create and check an import from bytes, as the command does."""
    fileobj = io.BytesIO(data)
    delivery_import = delivery_import_create(
        prefecture=prefecture, fileobj=fileobj, name=name, by=by, source=ImportSource.COMMAND, store_file=False
    )
    return delivery_import_check(import_id=delivery_import.pk, fileobj=fileobj, auto_accept=auto_accept)


def delays_pairs(month, delays):
    """``(filed, delivered)`` pairs delivered in ``month`` (a date) with the given delays in days."""
    pairs = []
    for i, delay in enumerate(delays):
        delivered = month.replace(day=1 + i % 28)
        pairs.append((delivered - datetime.timedelta(days=delay), delivered))
    return pairs
