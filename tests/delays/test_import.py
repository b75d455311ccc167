"""The delivery file: formats, every kind of bad row, the officer's decision, never twice."""

import datetime
import io
import unicodedata

import pytest
import time_machine

from delays.csvformat import FileRefused, inspect_file, map_header
from delays.enums import BadRowReason, ImportStatus
from delays.models import BadRow, DeliveryImport, DeliveryRecord, MonthlyDelay
from delays.reports import bad_row_message
from delays.services import (
    ImportRefused,
    delivery_import_accept,
    delivery_import_reject,
    delivery_import_withdraw,
)

from .factories import csv_bytes, run_import

pytestmark = pytest.mark.django_db

GOOD = ("974", "TS-PREMIERE", "", "2026-01-05", "2026-02-09")


def bad_reasons(delivery_import):
    return list(BadRow.objects.filter(delivery_import=delivery_import).order_by("line").values_list("line", "reason"))


@pytest.mark.parametrize("delimiter", [";", ","])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_clean_file_is_imported_whatever_its_separator_encoding_and_line_ends(
    reunion, saint_denis, delimiter, encoding, newline
):
    rows = [
        ("974", "TS-PREMIERE", "Préfecture de Saint-Denis", "2026-01-05", "2026-02-09"),
        ("974", "ts-premiere", "", "05/01/2026", "19/02/2026"),
        ("974", "TS-RENOUVELLEMENT", "Préfecture de Saint-Denis", "2025-12-01 08:30:00", "2026-01-02T10:00"),
    ]
    data = csv_bytes(rows, delimiter=delimiter, encoding=encoding, newline=newline)
    delivery_import = run_import(reunion, data)
    assert delivery_import.status == ImportStatus.ACCEPTED, bad_reasons(delivery_import)
    assert (delivery_import.valid_rows, delivery_import.bad_rows) == (3, 0)
    assert delivery_import.encoding == ("cp1252" if encoding == "cp1252" else "utf-8")
    assert delivery_import.delimiter == delimiter
    assert delivery_import.months == {"2026-01": 1, "2026-02": 2}
    records = DeliveryRecord.objects.filter(prefecture=reunion).order_by("delivered_on")
    assert [(r.filed_on, r.delivered_on, r.delay_days, r.site_id) for r in records] == [
        (datetime.date(2025, 12, 1), datetime.date(2026, 1, 2), 32, saint_denis.pk),
        (datetime.date(2026, 1, 5), datetime.date(2026, 2, 9), 35, saint_denis.pk),
        (datetime.date(2026, 1, 5), datetime.date(2026, 2, 19), 45, None),
    ]


def test_columns_may_come_in_any_order_with_other_names_and_extra_columns(reunion):
    data = "Date de délivrance,Titre,Date dépôt,Commentaire\n2026-02-09,TS-PREMIERE,2026-01-05,rien\n".encode()
    delivery_import = run_import(reunion, data)
    assert delivery_import.status == ImportStatus.ACCEPTED
    assert DeliveryRecord.objects.get().delay_days == 35


def test_a_code_beside_its_label_takes_the_code(reunion):
    """Exports often carry the department's code with the prefecture's name, and the title's code with its label."""
    data = (
        "departement;prefecture;code_titre;titre;date_depot;date_delivrance\n"
        "974;La Réunion;TS-PREMIERE;Titre de séjour – première demande;2026-01-05;2026-02-09\n"
    ).encode()
    assert map_header(data.decode().splitlines()[0].split(";")) == (
        {"department": 0, "title": 2, "filed": 4, "delivered": 5},
        ["prefecture", "titre"],
    )
    assert run_import(reunion, data).status == ImportStatus.ACCEPTED
    assert DeliveryRecord.objects.get().delay_days == 35
    # In whatever order, the column that holds a code wins over the one that may hold a label.
    assert map_header(["prefecture", "code_departement", "titre", "title_code", "date_depot", "date_delivrance"]) == (
        {"department": 1, "title": 3, "filed": 4, "delivered": 5},
        ["prefecture", "titre"],
    )


def test_a_quoted_field_spanning_lines_keeps_the_right_line_numbers(reunion):
    data = (
        b'departement;code_titre;site;date_depot;date_delivrance\n974;TS-PREMIERE;"";2026-01-05;2026-02-09\n'
        b'974;"TS-\nPREMIERE";"";2026-01-05;2026-02-09\n974;XX;;2026-01-05;2026-02-09\n'
    )
    delivery_import = run_import(reunion, data)
    assert bad_reasons(delivery_import) == [(3, BadRowReason.UNKNOWN_TITLE), (5, BadRowReason.UNKNOWN_TITLE)]


def test_every_kind_of_bad_row_is_reported_with_its_line_and_reason(reunion, saint_denis):
    rows = [
        GOOD,  # line 2
        ("975", "TS-PREMIERE", "", "2026-01-05", "2026-02-09"),  # 3 other prefecture
        ("974", "XX-INCONNU", "", "2026-01-05", "2026-02-09"),  # 4 unknown title
        ("974", "TS-PREMIERE", "Sous-préfecture de Nulle-Part", "2026-01-05", "2026-02-09"),  # 5 unknown site
        ("974", "TS-PREMIERE", "", "2026-02-30", "2026-03-01"),  # 6 bad filing date
        ("974", "TS-PREMIERE", "", "2026-01-05", "9/2/2026"),  # 7 bad delivery date
        ("974", "TS-PREMIERE", "", "2026-02-09", "2026-01-05"),  # 8 delivered before filed
        ("974", "TS-PREMIERE", "", "2026-03-01", "2026-03-11"),  # 9 delivered after today (10 March)
        ("974", "TS-PREMIERE", "2026-01-05"),  # 10 wrong number of fields
        ("974", "", "", "2026-01-05", "2026-02-09"),  # 11 missing title
        ("974", "TS-PREMIERE", "", "hier", "2026-02-09"),  # 12 filing date that is no date
        ("", "TS-PREMIERE", "", "2026-01-05", "2026-02-09"),  # 13 missing department
        ("974", "TS-PREMIERE", "", "2026-13-01", "2026-02-09"),  # 14 month 13
        ("974", "TS-PREMIERE", "", "2025-02-29", "2026-02-09"),  # 15 not a leap year
        ("974", "TS-PREMIERE", "", "2024-02-29", "2026-02-09"),  # 16 a leap year: fine
        ("974", "TS-PREMIERE", "", "05/01/1926", "09/02/2026"),  # 17 a century typed wrong
        ("974", "TS-PREMIERE", "", "2016-02-09", "2026-02-09"),  # 18 ten years to the day: fine
        ("974", "TS-PREMIERE", "", "2016-02-08", "2026-02-09"),  # 19 a day more than ten years
    ]
    delivery_import = run_import(reunion, csv_bytes(rows))
    R = BadRowReason  # noqa: N806
    assert bad_reasons(delivery_import) == [
        (3, R.OTHER_PREFECTURE),
        (4, R.UNKNOWN_TITLE),
        (5, R.UNKNOWN_SITE),
        (6, R.BAD_FILED_DATE),
        (7, R.BAD_DELIVERED_DATE),
        (8, R.DELIVERED_BEFORE_FILED),
        (9, R.DELIVERED_IN_FUTURE),
        (10, R.FIELD_COUNT),
        (11, R.MISSING_VALUE),
        (12, R.BAD_FILED_DATE),
        (13, R.MISSING_VALUE),
        (14, R.BAD_FILED_DATE),
        (15, R.BAD_FILED_DATE),
        (17, R.DELAY_TOO_LONG),
        (19, R.DELAY_TOO_LONG),
    ]
    assert (delivery_import.valid_rows, delivery_import.bad_rows) == (3, 15)
    assert delivery_import.status == ImportStatus.AWAITING_REVIEW
    messages = {b.line: bad_row_message(b) for b in BadRow.objects.select_related("delivery_import__prefecture")}
    assert "975" in messages[3] and "974" in messages[3]
    assert "XX-INCONNU" in messages[4]
    assert "Nulle-Part" in messages[5]
    assert "2026-02-30" in messages[6] and "date_depot" in messages[6]
    assert "9/2/2026" in messages[7] and "date_delivrance" in messages[7]
    assert "2026-01-05" in messages[8] and "2026-02-09" in messages[8]
    assert "2026-03-11" in messages[9]
    assert "3" in messages[10] and "5" in messages[10]
    assert "code_titre" in messages[11]
    assert "departement" in messages[13]
    assert "1926-01-05" in messages[17] and "ten years" in messages[17]


def test_values_are_read_as_a_person_sees_them(reunion, saint_denis):
    """No-break spaces and tabs around a value, another case, an accent written as a letter and a combining mark
    (as macOS exports it): the site and the dates are recognised."""
    decomposed = unicodedata.normalize("NFD", "PRÉFECTURE  DE SAINT-DENIS\u00a0")
    rows = [("974", "TS-PREMIERE", decomposed, "\t05/01/2026", "09/02/2026\u00a0")]
    delivery_import = run_import(reunion, csv_bytes(rows))
    assert (delivery_import.valid_rows, delivery_import.bad_rows) == (1, 0)
    assert DeliveryRecord.objects.get().site == saint_denis


def test_an_excel_separator_hint_is_named_in_the_refusal():
    data = b"sep=;\ndepartement;code_titre;date_depot;date_delivrance\n974;TS-PREMIERE;2026-01-05;2026-02-09\n"
    with pytest.raises(FileRefused, match="sep=;"):
        inspect_file(io.BytesIO(data))


def test_valid_rows_count_only_once_the_officer_accepts_the_report(reunion):
    delivery_import = run_import(reunion, csv_bytes([GOOD, ("974", "XX", "", "2026-01-05", "2026-02-09")]))
    assert delivery_import.status == ImportStatus.AWAITING_REVIEW
    assert DeliveryRecord.objects.count() == 1  # stored, but not counted yet
    assert not MonthlyDelay.objects.exists()
    delivery_import_accept(delivery_import=delivery_import, by=None)
    figure = MonthlyDelay.objects.get(site=None)
    assert (figure.count, figure.total_days) == (1, 35)


def test_a_rejected_report_keeps_no_row_and_the_file_may_come_again(reunion):
    data = csv_bytes([GOOD, ("974", "XX", "", "2026-01-05", "2026-02-09")])
    delivery_import = run_import(reunion, data)
    delivery_import_reject(delivery_import=delivery_import, by=None)
    assert not DeliveryRecord.objects.exists()
    assert not MonthlyDelay.objects.exists()
    again = run_import(reunion, data)
    assert again.status == ImportStatus.AWAITING_REVIEW


def test_the_same_file_is_never_counted_twice(reunion):
    data = csv_bytes([GOOD])
    with time_machine.travel(datetime.datetime(2026, 3, 9, 20, 30, tzinfo=datetime.UTC), tick=False):
        run_import(reunion, data)
    # Imported at 00:30 on 10 March in La Réunion (still 9 March in Paris): the message gives the prefecture's time.
    with pytest.raises(ImportRefused, match=r"already been imported .*10/03/2026 00:30"):
        run_import(reunion, data, name="renamed.csv")
    assert DeliveryRecord.objects.count() == 1
    assert MonthlyDelay.objects.get(site=None).count == 1


def test_the_same_file_may_be_imported_by_another_prefecture(reunion, other):
    data = csv_bytes([("TS-PREMIERE", "2026-01-05", "2026-02-09")], header="code_titre;date_depot;date_delivrance")
    assert run_import(reunion, data).status == ImportStatus.ACCEPTED
    assert run_import(other, data).status == ImportStatus.ACCEPTED


def test_a_withdrawn_import_stops_counting_and_may_be_imported_again(reunion):
    data = csv_bytes([GOOD, GOOD])
    delivery_import = run_import(reunion, data)
    assert MonthlyDelay.objects.get(site=None).count == 2
    delivery_import_withdraw(delivery_import=delivery_import, by=None)
    assert not DeliveryRecord.objects.exists()
    assert not MonthlyDelay.objects.exists()
    assert run_import(reunion, data).status == ImportStatus.ACCEPTED


def test_a_file_without_any_valid_row_is_rejected_at_once(reunion):
    delivery_import = run_import(reunion, csv_bytes([("974", "XX", "", "2026-01-05", "2026-02-09")]))
    assert delivery_import.status == ImportStatus.REJECTED
    assert "No valid row" in delivery_import.message


def test_an_officer_of_another_prefecture_cannot_import_for_it(reunion, other):
    from django.core.exceptions import PermissionDenied

    from tests.qualipref.factories import officer_of

    with pytest.raises(PermissionDenied):
        run_import(reunion, csv_bytes([GOOD]), by=officer_of(other))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"code_titre;date_depot;date_delivrance\n", "no delivery"),
        (b"titre;quand\nTS;2026-01-01\n", "date_depot"),
        (b"PK\x03\x04rest of a workbook", "spreadsheet"),
        ("code_titre;date_depot;date_delivrance\n".encode("utf-16"), "UTF-16"),
        (b"code_titre;date_depot;date_delivrance\n\x81\xff;2026;2026\n", "neither in UTF-8"),
        (b"titre;Titre;date_depot;date_delivrance\nA;B;C;D\n", "twice"),
    ],
)
def test_an_unusable_file_is_refused_with_a_clear_message(data, message):
    with pytest.raises(FileRefused, match=message):
        inspect_file(io.BytesIO(data))


def test_memory_stays_flat_the_python_reader_streams(reunion):
    """The Python reader yields rows one by one: a generator, never the whole file."""
    from delays.csvformat import iter_rows

    data = csv_bytes([GOOD] * 50)
    facts = inspect_file(io.BytesIO(data))
    rows = iter_rows(io.BytesIO(data), facts)
    assert next(rows) == (2, list(GOOD))


def test_a_file_without_quotes_is_read_by_the_fast_reader_even_with_bad_rows(reunion, caplog):
    caplog.set_level("INFO", logger="delays.importer")
    delivery_import = run_import(reunion, csv_bytes([GOOD] * 20 + [("974", "TS-PREMIERE"), ("974", "XX", "", "", "")]))
    assert delivery_import.valid_rows == 20
    assert "csv reader" not in caplog.text
    assert bad_reasons(delivery_import) == [(22, BadRowReason.FIELD_COUNT), (23, BadRowReason.MISSING_VALUE)]


def test_a_file_with_quoted_fields_is_read_by_the_csv_reader(reunion, caplog):
    caplog.set_level("INFO", logger="delays.importer")
    data = csv_bytes([GOOD]) + b'974;"TS-PREMIERE";"";2026-01-05;2026-02-09\n974;TS-PREMIERE\n'
    delivery_import = run_import(reunion, data)
    assert "csv reader" in caplog.text
    assert delivery_import.valid_rows == 2
    assert bad_reasons(delivery_import) == [(4, BadRowReason.FIELD_COUNT)]


def test_import_records_the_months_it_touches(reunion):
    rows = [GOOD, ("974", "TS-PREMIERE", "", "2025-11-05", "2025-12-09")]
    delivery_import = run_import(reunion, csv_bytes(rows))
    assert DeliveryImport.objects.get(pk=delivery_import.pk).months == {"2025-12": 1, "2026-02": 1}
    assert delivery_import.first_delivered_on == datetime.date(2025, 12, 9)
