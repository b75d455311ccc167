"""Random delivery files at the import: any bytes are answered (a refused file or a report, never a crash),
and in a file of valid and broken rows, every valid row is imported exactly once and every broken one
reported."""

import datetime
import io

import pytest
from django.utils import timezone
from hypothesis import assume, given
from hypothesis import strategies as st

from delays.enums import ImportStatus
from delays.models import DeliveryImport, DeliveryRecord, TitleType
from delays.referential import TITLE_TYPES, seed_title_types
from delays.services import ImportRefused, delivery_import_accept, delivery_import_check, delivery_import_create

from .strategies import ANY_CHAR

pytestmark = pytest.mark.django_db

CODES = [code for code, _label, _category, _position in TITLE_TYPES]
FIRST_DAY = datetime.date(2015, 1, 1)
LAST_DAY = datetime.date(2025, 12, 31)  # in the past, whatever day the suite runs
HEADERS = [
    ("departement", "code_titre", "site", "date_depot", "date_delivrance"),
    ("code_titre", "date_depot", "date_delivrance"),
    ("Date de délivrance", "Titre", "Dépôt"),  # aliases, another order, accents and capitals
]


@pytest.fixture(autouse=True)
def _title_types(db):
    seed_title_types(TitleType)  # a flush by a live-server test would have taken the migration's rows


def _fresh():
    """Each example starts from no import: the same file may come back (a duplicate is refused, rightly)."""
    DeliveryRecord.objects.all().delete()
    DeliveryImport.objects.all().delete()


def run(prefecture, data):
    """The import as the command runs it: ``None`` if the file is refused whole, else the checked import."""
    try:
        created = delivery_import_create(
            prefecture=prefecture, fileobj=io.BytesIO(data), name="f.csv", store_file=False
        )
    except ImportRefused as refused:
        assert refused.message
        return None
    return delivery_import_check(import_id=created.pk, fileobj=io.BytesIO(data), auto_accept=True)


@given(data=st.one_of(st.binary(max_size=4000), st.text(ANY_CHAR, max_size=2000).map(str.encode)))
def test_any_bytes_are_refused_or_reported_never_a_crash(reunion, data):
    _fresh()
    delivery_import = run(reunion, data)
    if delivery_import is not None:
        assert delivery_import.status in set(ImportStatus.values) - {ImportStatus.QUEUED}
        assert DeliveryRecord.objects.count() == (
            delivery_import.valid_rows if delivery_import.status == ImportStatus.ACCEPTED else 0
        )


BODY_CHAR = st.one_of(st.sampled_from(list(';,"\r\n\x00 -/0123456789')), ANY_CHAR)


@given(
    header=st.sampled_from(HEADERS),
    body=st.text(BODY_CHAR, max_size=3000),
    encoding=st.sampled_from(["utf-8", "cp1252"]),
)
def test_a_good_header_over_any_rows_is_reported_never_a_crash(reunion, header, body, encoding):
    _fresh()
    data = (";".join(header) + "\n" + body).encode(encoding, "replace")
    delivery_import = run(reunion, data)
    if delivery_import is not None:
        assert delivery_import.status != ImportStatus.QUEUED
        if delivery_import.status == ImportStatus.AWAITING_REVIEW:
            delivery_import = delivery_import_accept(delivery_import=delivery_import, by=None)
        kept = delivery_import.valid_rows if delivery_import.status == ImportStatus.ACCEPTED else 0
        assert DeliveryRecord.objects.count() == kept


def _date(day, style):
    return day.isoformat() if style == "iso" else day.strftime("%d/%m/%Y")


@st.composite
def valid_row(draw):
    filed = draw(st.dates(FIRST_DAY, LAST_DAY - datetime.timedelta(days=1)))
    delivered = draw(st.dates(filed, min(LAST_DAY, filed + datetime.timedelta(days=900))))
    style = draw(st.sampled_from(["iso", "french"]))
    code = draw(st.sampled_from(CODES))
    return {
        "title": draw(st.sampled_from([code, code.lower(), f" {code} "])),
        "filed": _date(filed, style),
        "delivered": _date(delivered, style),
    }


@st.composite
def broken_row(draw):
    good = draw(valid_row())
    kind = draw(st.sampled_from(["unknown title", "bad date", "delivered before filed", "empty", "future"]))
    if kind == "unknown title":
        good["title"] = draw(st.from_regex(r"[A-Z0-9]{1,12}", fullmatch=True)) + "-X"
        assume(good["title"].strip().upper() not in CODES)
    elif kind == "bad date":
        good["filed"] = draw(st.sampled_from(["2025-13-01", "31/02/2024", "hier", "2025/01/01", "0000-00-00"]))
    elif kind == "delivered before filed":
        good["filed"], good["delivered"] = "2025-06-10", "2025-06-01"
    elif kind == "empty":
        good[draw(st.sampled_from(["title", "filed", "delivered"]))] = ""
    else:
        good["delivered"] = (timezone.localdate() + datetime.timedelta(days=400)).isoformat()
    return good


@given(
    rows=st.lists(st.tuples(st.booleans(), st.data()), min_size=1, max_size=60),
    header=st.sampled_from(HEADERS),
    delimiter=st.sampled_from([";", ","]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_every_valid_row_is_imported_once_and_every_broken_row_reported(
    reunion, rows, header, delimiter, encoding, newline
):
    _fresh()
    drawn = [(ok, data.draw(valid_row() if ok else broken_row())) for ok, data in rows]
    columns = {"title": None, "filed": None, "delivered": None}
    for position, name in enumerate(header):
        lowered = name.lower()
        key = "title" if "titre" in lowered else "filed" if "depot" in lowered or "dépôt" in lowered else None
        key = key or ("delivered" if "livrance" in lowered else None)
        if key:
            columns[key] = position
    lines = [delimiter.join(header)]
    for _ok, row in drawn:
        cells = [""] * len(header)
        for key, position in columns.items():
            cells[position] = row[key]
        if "departement" in header:
            cells[header.index("departement")] = reunion.department_code
        lines.append(delimiter.join(cells))
    data = (newline.join(lines) + newline).encode(encoding)

    delivery_import = run(reunion, data)
    assert delivery_import is not None
    valid = sum(ok for ok, _row in drawn)
    assert (delivery_import.valid_rows, delivery_import.bad_rows) == (valid, len(drawn) - valid)
    if delivery_import.status == ImportStatus.AWAITING_REVIEW:  # bad rows: the officer decides
        delivery_import = delivery_import_accept(delivery_import=delivery_import, by=None)
    if valid:
        assert delivery_import.status == ImportStatus.ACCEPTED
    assert DeliveryRecord.objects.filter(source_import_id=delivery_import.pk).count() == (
        valid if delivery_import.status == ImportStatus.ACCEPTED else 0
    )
