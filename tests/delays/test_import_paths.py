"""The import's readers and layouts give the same answers: the fast reader (bytes split on line ends and
separators, with the dates last or anywhere), Python's csv reader (quoted fields); chunk boundaries,
line ends, dates accepted and refused, bad rows spooled, a changed file, the histogram kept by import."""

import datetime
import io
from collections import Counter

import pytest
from django.db import connection

from delays import importer
from delays.enums import BadRowReason, ImportStatus
from delays.importer.rows import parse_date
from delays.models import BadRow, DelayHistogram, DeliveryImport, DeliveryRecord
from delays.services import (
    delivery_import_accept,
    delivery_import_check,
    delivery_import_create,
    delivery_import_reject,
    delivery_import_withdraw,
)
from tests.qualipref.factories import PrefectureFactory

from .factories import HEADER, csv_bytes, run_import

pytestmark = pytest.mark.django_db

R = BadRowReason
GOOD = ("974", "TS-PREMIERE", "", "2026-01-05", "2026-02-09")
# Every kind of bad row, and valid rows written in every accepted way.
ROWS = [
    GOOD,
    ("975", "TS-PREMIERE", "", "2026-01-05", "2026-02-09"),
    ("974", "XX-INCONNU", "", "2026-01-05", "2026-02-09"),
    ("974", "TS-PREMIERE", "Sous-préfecture de Nulle-Part", "2026-01-05", "2026-02-09"),
    ("974", "TS-PREMIERE", "Préfecture de Saint-Denis", "2026-02-30", "2026-03-01"),
    ("974", "TS-PREMIERE", "", "2026-01-05", "9/2/2026"),
    ("974", "TS-PREMIERE", "", "2026-02-09", "2026-01-05"),
    ("974", "TS-PREMIERE", "", "2026-03-01", "2026-03-11"),
    ("974", "", "", "2026-01-05", "2026-02-09"),
    ("", "TS-PREMIERE", "", "2026-01-05", "2026-02-09"),
    ("974", "TS-PREMIERE", "", "", "2026-02-09"),
    ("974", "TS-PREMIERE", "", "2026-01-05", ""),
    (" 974 ", " ts-premiere ", " Préfecture de Saint-Denis ", " 05/01/2026 ", "09/02/2026 10:00"),
    ("974", "TS-RENOUVELLEMENT", "Préfecture de Saint-Denis", "2019-12-31", "2026-03-10"),  # 2,261 days
    ("974", "TS-RENOUVELLEMENT", "Préfecture de Saint-Denis", "31/12/2019", "10/03/2026"),
    ("974", "TS-PREMIERE", "", "2026-01-05", "2026-01-05"),  # delivered the same day
    ("974", "ts-premiere", "Préfecture de Saint-Denis", "2026-03-01", "2026-03-11"),
    GOOD,
]


def outcome(delivery_import):
    """What an import left: its bad rows (line, reason, detail) and its records, in a comparable form."""
    bad = list(
        BadRow.objects.filter(delivery_import=delivery_import).order_by("line").values_list("line", "reason", "detail")
    )
    records = sorted(
        (title, site or "", filed, delivered, delay)
        for title, site, filed, delivered, delay in DeliveryRecord.objects.filter(
            source_import=delivery_import
        ).values_list("title_type__code", "site__name", "filed_on", "delivered_on", "delay_days")
    )
    return bad, records, delivery_import.months, delivery_import.first_delivered_on, delivery_import.last_delivered_on


def again(prefecture, data, **kwargs):
    """Import ``data``, note what it left, then reject it so that the same file may come again."""
    delivery_import = run_import(prefecture, data, auto_accept=False, **kwargs)
    result = outcome(delivery_import)
    delivery_import_reject(delivery_import=delivery_import, by=None)
    return result


@pytest.fixture
def reference(reunion, saint_denis):
    """The outcome of ``ROWS`` in the documented layout, read by the fast reader."""
    delivery_import = run_import(reunion, csv_bytes(ROWS), auto_accept=False)
    result = outcome(delivery_import)
    delivery_import_reject(delivery_import=delivery_import, by=None)
    return result


def test_the_reference_outcome(reference):
    bad, records, months, first, last = reference
    assert [(line, reason) for line, reason, _detail in bad] == [
        (3, R.OTHER_PREFECTURE),
        (4, R.UNKNOWN_TITLE),
        (5, R.UNKNOWN_SITE),
        (6, R.BAD_FILED_DATE),
        (7, R.BAD_DELIVERED_DATE),
        (8, R.DELIVERED_BEFORE_FILED),
        (9, R.DELIVERED_IN_FUTURE),
        (10, R.MISSING_VALUE),
        (11, R.MISSING_VALUE),
        (12, R.MISSING_VALUE),
        (13, R.MISSING_VALUE),
        (18, R.DELIVERED_IN_FUTURE),
    ]
    assert [detail for _line, _reason, detail in bad] == [
        "975",
        "XX-INCONNU",
        "Sous-préfecture de Nulle-Part",
        "2026-02-30",
        "9/2/2026",
        "2026-01-05 2026-02-09",
        "2026-03-11 2026-03-01",
        "title",
        "department",
        "filed",
        "delivered",
        "2026-03-11 2026-03-01",
    ]
    day = datetime.date
    assert records == [
        ("TS-PREMIERE", "", day(2026, 1, 5), day(2026, 1, 5), 0),
        ("TS-PREMIERE", "", day(2026, 1, 5), day(2026, 2, 9), 35),
        ("TS-PREMIERE", "", day(2026, 1, 5), day(2026, 2, 9), 35),
        ("TS-PREMIERE", "Préfecture de Saint-Denis", day(2026, 1, 5), day(2026, 2, 9), 35),
        ("TS-RENOUVELLEMENT", "Préfecture de Saint-Denis", day(2019, 12, 31), day(2026, 3, 10), 2261),
        ("TS-RENOUVELLEMENT", "Préfecture de Saint-Denis", day(2019, 12, 31), day(2026, 3, 10), 2261),
    ]
    assert months == {"2026-01": 1, "2026-02": 3, "2026-03": 2}
    assert (first, last) == (day(2026, 1, 5), day(2026, 3, 10))


def test_columns_in_another_order_give_the_same_outcome(reunion, reference):
    order = (4, 1, 0, 3, 2)  # delivered, title, department, filed, site
    header = ";".join(HEADER.split(";")[i] for i in order)
    data = csv_bytes([tuple(row[i] for i in order) for row in ROWS], header=header)
    assert again(reunion, data) == reference


def test_an_ignored_column_gives_the_same_outcome(reunion, reference):
    data = csv_bytes(
        [(row[0], f"commentaire {i}", *row[1:]) for i, row in enumerate(ROWS)],
        header=HEADER.replace(";", ";commentaire;", 1),
    )
    assert again(reunion, data) == reference


def test_quoted_fields_give_the_same_outcome_through_the_csv_reader(reunion, reference, caplog):
    caplog.set_level("INFO", logger="delays.importer")
    data = csv_bytes([tuple(f'"{value}"' for value in row) for row in ROWS])
    assert again(reunion, data) == reference
    assert "csv reader" in caplog.text


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_tiny_chunks_give_the_same_outcome(reunion, reference, monkeypatch, newline):
    """Lines and line ends cut anywhere between two reads."""
    monkeypatch.setattr(importer.streams, "CHUNK", 7)
    assert again(reunion, csv_bytes(ROWS, newline=newline)) == reference


def test_the_last_line_may_lack_its_line_end(reunion):
    for end in (b"", b"\r"):
        data = csv_bytes([GOOD, ("974", "XX", "", "2026-01-05", "2026-02-09"), GOOD]).removesuffix(b"\n") + end
        bad, records, *_rest = again(reunion, data)
        assert [(line, reason) for line, reason, _detail in bad] == [(3, R.UNKNOWN_TITLE)]
        assert len(records) == 2


def test_blank_lines_are_skipped_and_counted(reunion):
    data = csv_bytes([GOOD]) + b"\n\n" + csv_bytes([("974", "XX", "", "2026-01-05", "2026-02-09")], header="")[1:]
    bad, records, *_rest = again(reunion, data)
    assert [(line, reason) for line, reason, _detail in bad] == [(5, R.UNKNOWN_TITLE)]
    assert len(records) == 1


def test_a_lone_carriage_return_ends_a_row_as_the_csv_reader_reads_it(reunion, caplog):
    caplog.set_level("INFO", logger="delays.importer")
    data = csv_bytes([GOOD]).removesuffix(b"\n") + b"\r" + csv_bytes([GOOD], header="")[1:]
    delivery_import = run_import(reunion, data)
    assert "csv reader" in caplog.text
    assert (delivery_import.valid_rows, delivery_import.bad_rows) == (2, 0)


ACCEPTED_DATES = [
    "2026-03-09",
    "09/03/2026",
    "2026-03-09 08:30",
    "2026-03-09T08:30:00",
    "09/03/2026 08:30",
    "  2026-03-09  ",
    "29/02/2024",
    "2026-03-09\t",  # spaces and tabs around a value are a spreadsheet's, not the date's
]
REFUSED_DATES = [
    "2026-3-09",
    "9/03/2026",
    "2026/03/09",
    "09-03-2026",
    "20260309",
    "2026-0-309",
    "2026--0309",
    "202-603-09",
    "1899-12-31",
    "2026-03-09x",
    "2026-03-098",
    "\u0662\u0660\u0662\u0666-\u0660\u0663-\u0660\u0669",  # Arabic-Indic digits
    "2025-02-29",
    "2026-13-01",
    "00/03/2026",
    "2026-03-00",
    "March 9, 2026",
    "today",
    "9 mars 2026",
]


def test_only_the_two_date_formats_are_accepted(reunion):
    """The same on every database: ``2026-03-14`` or ``14/03/2026``, a time after it ignored, nothing else."""
    rows = [("974", "TS-PREMIERE", "", "2020-01-01", value) for value in ACCEPTED_DATES + REFUSED_DATES]
    delivery_import = run_import(reunion, csv_bytes(rows), auto_accept=False)
    refused = {line - 2 for line, reason in BadRow.objects.values_list("line", "reason")}
    assert sorted(refused) == list(range(len(ACCEPTED_DATES), len(rows)))
    assert set(BadRow.objects.values_list("reason", flat=True)) == {R.BAD_DELIVERED_DATE}
    assert delivery_import.valid_rows == len(ACCEPTED_DATES)
    assert parse_date("1900-01-01") == datetime.date(1900, 1, 1) and parse_date("1899-12-31") is None


def test_a_department_written_without_its_leading_zero(db):
    ain = PrefectureFactory(department_code="01", name="Ain", slug="ain")
    rows = [
        ("1", "TS-PREMIERE", "", "2026-01-05", "2026-02-09"),
        ("01", "TS-PREMIERE", "", "2026-01-05", "2026-02-09"),
    ]
    rows.append(("2", "TS-PREMIERE", "", "2026-01-05", "2026-02-09"))
    delivery_import = run_import(ain, csv_bytes(rows))
    assert delivery_import.valid_rows == 2
    assert list(BadRow.objects.values_list("line", "reason", "detail")) == [(4, R.OTHER_PREFECTURE, "02")]


def test_many_bad_rows_are_all_reported_with_their_details(reunion, monkeypatch):
    """In batches, through a spool that overflows to disk: details with separators, quotes, line ends."""
    monkeypatch.setattr(importer, "BAD_ROWS_BATCH", 2)
    monkeypatch.setattr(importer, "SPOOL_MEMORY", 16)
    titles = ["A,B", 'C"D', "E\\F", "G\nH", "I\r\nJ", "", "K\tL", "M" * 300]
    data = HEADER.encode() + b"\n"
    for title in titles:
        escaped = title.replace('"', '""')
        data += f'974;"{escaped}";;2026-01-05;2026-02-09\n'.encode()
    data += csv_bytes([GOOD] * 3, header="")[1:]
    delivery_import = run_import(reunion, data, auto_accept=False)
    bad = list(BadRow.objects.order_by("line").values_list("reason", "detail"))
    assert bad == [(R.MISSING_VALUE, "title") if not t else (R.UNKNOWN_TITLE, t[:200]) for t in titles]
    assert (delivery_import.valid_rows, delivery_import.bad_rows) == (3, len(titles))


def test_a_file_changed_after_its_upload_is_refused(reunion):
    data = csv_bytes([GOOD])
    delivery_import = delivery_import_create(
        prefecture=reunion, fileobj=io.BytesIO(data), name="a.csv", store_file=False
    )
    changed = io.BytesIO(data.replace(b"2026-02-09", b"2026-02-10"))
    delivery_import = delivery_import_check(import_id=delivery_import.pk, fileobj=changed)
    assert delivery_import.status == ImportStatus.FAILED
    assert "changed after it was uploaded" in delivery_import.message
    assert not DeliveryRecord.objects.exists()
    assert not BadRow.objects.exists()


def histogram():
    return Counter(
        {(b.title_type_id, b.site_id, b.month, b.delay_days): b.count for b in DelayHistogram.objects.all()}
    )


def histogram_from_records():
    """Computed here, independently: the records of the accepted imports, counted per title, site, month, delay."""
    accepted = DeliveryImport.objects.filter(status=ImportStatus.ACCEPTED)
    return Counter(
        (r.title_type_id, r.site_id, r.delivered_on.replace(day=1), r.delay_days)
        for r in DeliveryRecord.objects.filter(source_import__in=accepted)
    )


def test_the_histogram_follows_the_imports_accepted_and_withdrawn(reunion, saint_denis):
    def rows(delays, site=""):
        out = []
        for i, delay in enumerate(delays):
            delivered = datetime.date(2026, 1 + i % 2, 1 + i % 28)
            out.append(("974", "TS-PREMIERE", site, str(delivered - datetime.timedelta(days=delay)), str(delivered)))
        return out

    first = run_import(reunion, csv_bytes(rows([3, 3, 5, 8]) + rows([3], site=saint_denis.name)), name="1")
    second = run_import(reunion, csv_bytes(rows([3, 5, 13])), name="2")
    waiting = run_import(reunion, csv_bytes(rows([1, 2]) + [("974", "XX", "", "2026-01-05", "2026-02-09")]), name="3")
    assert (first.status, second.status, waiting.status) == (ImportStatus.ACCEPTED,) * 2 + (
        ImportStatus.AWAITING_REVIEW,
    )
    assert DelayHistogram.objects.count() == len(histogram_from_records())
    assert histogram() == histogram_from_records()
    delivery_import_withdraw(delivery_import=first, by=None)  # some bins fall to zero: they go
    assert not DelayHistogram.objects.filter(count=0).exists()
    assert histogram() == histogram_from_records()
    delivery_import_accept(delivery_import=waiting, by=None)
    assert histogram() == histogram_from_records()
    delivery_import_withdraw(delivery_import=second, by=None)
    delivery_import_withdraw(delivery_import=DeliveryImport.objects.get(pk=waiting.pk), by=None)
    assert not DelayHistogram.objects.exists()
    assert not DeliveryRecord.objects.exists()


def test_records_get_unique_ids_and_are_found_by_id_without_a_btree_key(reunion):
    """On PostgreSQL the records table has no primary-key B-tree (migration 0004): the identity alone
    hands out the ids, and a BRIN index finds a record by its id."""
    first = run_import(reunion, csv_bytes([GOOD] * 300), name="1")
    second = run_import(
        reunion, csv_bytes([GOOD] * 299 + [("974", "TS-PREMIERE", "", "2026-01-05", "2026-01-05")]), name="2"
    )
    ids = list(DeliveryRecord.objects.values_list("pk", flat=True))
    assert len(ids) == 600 and len(set(ids)) == 600 and None not in ids
    record = DeliveryRecord.objects.filter(source_import=second).order_by("pk").last()
    assert DeliveryRecord.objects.get(pk=record.pk).source_import_id == second.pk
    delivery_import_withdraw(delivery_import=first, by=None)
    assert DeliveryRecord.objects.count() == 300
    assert not DeliveryRecord.objects.filter(source_import=first).exists()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT i.relname, am.amname, x.indisunique FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                "JOIN pg_am am ON am.oid = i.relam WHERE x.indrelid = %s::regclass ORDER BY i.relname",
                [DeliveryRecord._meta.db_table],
            )
            assert cursor.fetchall() == [("delays_record_id", "brin", False), ("delays_record_import", "brin", False)]
            cursor.execute(
                "SELECT relreplident FROM pg_class WHERE oid = %s::regclass", [DeliveryRecord._meta.db_table]
            )
            assert cursor.fetchone() == ("f",)
