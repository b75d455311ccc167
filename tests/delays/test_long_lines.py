"""A delivery file with one very long line: refused, naming the line, with memory flat whatever its size.

Delivery rows are a few dozen bytes; a line past ``DELAYS_IMPORT_MAX_LINE_BYTES`` (8 KiB) is not a delivery row.
Every reading of the file goes through one bounded reader (``delays.csvformat.BoundedLines``): the upload's check
(``inspect_file``) and the import's check (both its readers) stop at the first line past the limit, before holding
more of it. Memory is measured with ``tracemalloc`` (allocations counted by Python, the same on every machine).
"""

import io
import tracemalloc

import pytest
from django.test import override_settings

from delays.csvformat import BoundedLines, FileRefused, LineTooLong, inspect_file
from delays.enums import ImportStatus
from delays.models import DeliveryRecord
from delays.services import ImportRefused, delivery_import_check

from .factories import HEADER, csv_bytes, run_import

pytestmark = pytest.mark.django_db

GOOD = ("974", "TS-PREMIERE", "", "2026-01-05", "2026-02-09")
MB = 1 << 20


def long_line_file(size, *, line=3, quoted=False):
    """A delivery file whose ``line``-th line is ``size`` bytes long (a site's name that never ends)."""
    rows = [";".join(GOOD)] * (line - 2)
    value = b"x" * size
    site = b'"' + value + b'"' if quoted else value
    long_row = b"974;TS-PREMIERE;" + site + b";2026-01-05;2026-02-09"
    lines = [HEADER.encode(), *(r.encode() for r in rows), long_row, ";".join(GOOD).encode()]
    return b"\n".join(lines) + b"\n"


def peak_allocated(function):
    """What ``function`` allocates at its peak, in bytes (the file it reads is allocated before)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_line_past_the_limit_is_refused_at_upload_naming_the_line(reunion):
    data = long_line_file(20_000, line=4)
    with pytest.raises(FileRefused) as refused:
        inspect_file(io.BytesIO(data))
    assert isinstance(refused.value, LineTooLong)
    assert refused.value.line == 4
    assert "Line 4 is longer than" in refused.value.message
    with pytest.raises(ImportRefused, match="Line 4 is longer than"):
        run_import(reunion, data)


def test_the_refusal_speaks_french(reunion):
    from django.utils import translation

    with translation.override("fr"), pytest.raises(FileRefused) as refused:
        inspect_file(io.BytesIO(long_line_file(20_000)))
    assert refused.value.message.startswith("La ligne 3 dépasse")


def test_a_line_just_at_the_limit_is_read_and_only_the_row_is_bad(reunion):
    # The long line's site is unknown: a bad row like any other, the file's other rows imported.
    size = 8192 - len("974;TS-PREMIERE;;2026-01-05;2026-02-09")
    delivery_import = run_import(reunion, long_line_file(size))
    assert (delivery_import.valid_rows, delivery_import.bad_rows) == (2, 1)


@pytest.mark.parametrize("quoted", [False, True], ids=["fast reader", "csv reader"])
def test_the_import_check_refuses_a_long_line_in_its_report(reunion, quoted):
    """A file recorded under a higher limit (the setting lowered since): the check fails the import, naming the
    line, and counts nothing; both readers go through the bound."""
    data = long_line_file(20_000, quoted=quoted)
    with override_settings(DELAYS_IMPORT_MAX_LINE_BYTES=64 * 1024):
        delivery_import = run_import(reunion, data, auto_accept=False)
        assert delivery_import.valid_rows == 2
    delivery_import.status = ImportStatus.QUEUED
    delivery_import.save(update_fields=["status"])
    DeliveryRecord.objects.filter(source_import=delivery_import).delete()
    checked = delivery_import_check(import_id=delivery_import.pk, fileobj=io.BytesIO(data), auto_accept=False)
    assert checked.status == ImportStatus.FAILED
    assert "Line 3 is longer than" in checked.message
    assert not DeliveryRecord.objects.filter(source_import=delivery_import).exists()


@pytest.mark.parametrize("where", ["upload", "import"])
def test_a_50_mb_line_is_refused_with_memory_flat(reunion, where):
    """50 MB on one line took the worker to 434 MB: now refused, with less than 20 MB allocated at the peak."""
    data = long_line_file(50 * MB)
    if where == "upload":
        peak = peak_allocated(lambda: pytest.raises(LineTooLong, inspect_file, io.BytesIO(data)))
    else:
        # The import's check alone (the upload's check refuses the file first): as if recorded before the bound.
        with override_settings(DELAYS_IMPORT_MAX_LINE_BYTES=100 * MB):
            delivery_import = run_import(reunion, csv_bytes([GOOD]), auto_accept=False)
        delivery_import.status = ImportStatus.QUEUED
        delivery_import.sha256 = __import__("hashlib").sha256(data).hexdigest()
        delivery_import.save(update_fields=["status", "sha256"])

        def check():
            checked = delivery_import_check(import_id=delivery_import.pk, fileobj=io.BytesIO(data))
            assert checked.status == ImportStatus.FAILED
            assert "Line 3 is longer than" in checked.message

        peak = peak_allocated(check)
    assert peak < 20 * MB, f"{peak / MB:.1f} MB allocated at the peak"


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"a\n" + b"b" * 101 + b"\n", 2),
        (b"a\r\nb\r\n" + b"c" * 101, 3),
        (b"a\rb\rc\r" + b"d" * 101 + b"\r", 4),  # old Mac line ends
        (b"x" * 101, 1),
    ],
)
def test_the_bounded_reader_names_the_line_whatever_the_line_ends_and_chunks(data, line):
    for size in (1, 3, 7, 64, 1 << 20):
        reader = BoundedLines(io.BytesIO(data), max_line=100)
        with pytest.raises(LineTooLong) as refused:
            while reader.read(size):
                pass
        assert refused.value.line == line, size


def test_the_bounded_reader_passes_lines_up_to_the_limit_untouched():
    data = b"\r\n".join([b"a" * 100, b"b" * 100, b"", b"c" * 100]) + b"\n" + b"d" * 50 + b"\r" + b"e" * 100
    for size in (1, 5, 99, 100, 101, 1 << 20):
        reader = BoundedLines(io.BytesIO(data), max_line=100)
        out = b""
        while chunk := reader.read(size):
            out += chunk
        assert out == data
