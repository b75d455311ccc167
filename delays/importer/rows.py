"""How a row is checked against the referential and written: the checker, the dates, the COPY or INSERT codecs."""

import datetime
import re
import struct
import unicodedata
from dataclasses import dataclass, field
from operator import itemgetter

from django.db import connection

from qualipref.models import Site

from ..enums import BadRowReason
from ..models import DeliveryRecord, TitleType

DETAIL_LENGTH = 200
EARLIEST_YEAR = 1900
# Ten years, leap days included: a longer delay is a typing error (1926 for 2026), and one such row would move
# a published mean by weeks.
MAX_DELAY_DAYS = 3653
DATE_SHAPE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})|([0-9]{2})/([0-9]{2})/([0-9]{4})")
# The order in which ``COPY`` receives a record's columns.
RECORD_COLUMNS = (
    "title_type_id",
    "site_id",
    "filed_on",
    "delivered_on",
    "delay_days",
    "prefecture_id",
    "source_import_id",
)
PG_EPOCH = datetime.date(2000, 1, 1).toordinal()


@dataclass
class CheckResult:
    valid: int = 0
    bad: int = 0
    months: dict = field(default_factory=dict)  # {"2026-03": valid rows delivered that month}
    first: datetime.date | None = None  # first and last delivery date of the valid rows
    last: datetime.date | None = None


# --- how a valid row is written -------------------------------------------------------------------------
#
# A record is written as three cached pieces: the title and site (cached per raw department, title
# and site), each date (cached per raw date), and the delay followed by the constant prefecture and
# import. The pieces are PostgreSQL's binary COPY format, or tab-separated text for SQLite.


class BinaryCodec:
    """PostgreSQL's binary ``COPY`` format: no text to parse on the server's side."""

    header = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
    trailer = struct.pack("!h", -1)
    null = struct.pack("!i", -1)

    def __init__(self, prefecture_id, import_id):
        fields = {name: DeliveryRecord._meta.get_field(name.removesuffix("_id")) for name in RECORD_COLUMNS}
        self.formats = {name: "!iq" if f.db_type(connection) == "bigint" else "!ii" for name, f in fields.items()}
        constants = self._int("prefecture_id", prefecture_id) + self._int("source_import_id", import_id)
        self.delay_format, self.constants = self.formats["delay_days"], constants

    def _int(self, column, value):
        fmt = self.formats[column]
        return struct.pack(fmt, 8 if fmt == "!iq" else 4, value)

    def reference(self, title_id, site_id):
        site = self.null if site_id is None else self._int("site_id", site_id)
        return struct.pack("!h", len(RECORD_COLUMNS)) + self._int("title_type_id", title_id) + site

    def date(self, day):
        return struct.pack("!ii", 4, day.toordinal() - PG_EPOCH)

    def tail(self, delay):
        return self._int("delay_days", delay) + self.constants


class TextCodec:
    """Tab-separated text, read back into tuples for SQLite's ``executemany``."""

    header = trailer = b""

    def __init__(self, prefecture_id, import_id):
        self.constants = b"\t%d\t%d\n" % (prefecture_id, import_id)

    def reference(self, title_id, site_id):
        return b"%d\t%s\t" % (title_id, b"" if site_id is None else b"%d" % site_id)

    def date(self, day):
        return day.isoformat().encode() + b"\t"

    def tail(self, delay):
        return b"%d" % delay + self.constants

    @staticmethod
    def rows(data):
        for line in data.splitlines():
            title, site, filed, delivered, delay, prefecture, source = line.decode().split("\t")
            yield int(prefecture), int(title), int(site) if site else None, filed, delivered, int(delay), int(source)


# --- the checks ---------------------------------------------------------------------------------------


def parse_date(text):
    """The date in ``text`` (``2026-03-14`` or ``14/03/2026``, a time after it ignored), else ``None``."""
    if len(text) > 10 and text[10] not in " T":
        return None
    match = DATE_SHAPE.fullmatch(text[:10])
    if match is None:
        return None
    year, month, day = match.group(1, 2, 3) if match[1] else match.group(6, 5, 4)
    if int(year) < EARLIEST_YEAR:
        return None
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None


def site_key(name):
    """A site's name as a file may write it: any case, any run of spaces (the name's accents are kept)."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def _ascii_upper(text):
    """Upper case for ASCII letters only (as title codes are; as SQLite does)."""
    return text.encode().upper().decode()


class RowChecker:
    """Checks rows (lists of raw ``bytes`` fields) and writes the valid ones with ``codec``.

    ``check(line, fields)`` is the reference: it finds a row's first problem, in this order:
    number of fields, missing value (department, title, filing date, delivery date), other
    prefecture, unknown title, unknown site, filing date, delivery date, delivered before filed,
    delivered in the future. What it learns of a valid row's raw values goes into caches that
    ``check_lines`` uses to take the same decision for the next rows by a few look-ups; any row
    the caches do not settle goes through ``check``.

    The cached references are keyed by the raw department, title and site of a valid row; when
    the dates are the last two columns and no column is ignored (the documented layout), by the
    row's text before its dates, as written: one split and one look-up a row.
    """

    def __init__(self, *, facts, prefecture, today, codec):
        self.facts, self.codec, self.today = facts, codec, today
        self.encoding = facts.encoding
        self.delimiter = facts.delimiter.encode("ascii")
        self.width = facts.field_count
        self.department_code = prefecture.department_code
        self.titles = {
            code.encode("ascii"): pk for code, pk in TitleType.objects.filter(is_active=True).values_list("code", "pk")
        }
        self.sites = {
            site_key(name): pk for name, pk in Site.objects.filter(prefecture=prefecture).values_list("name", "pk")
        }
        columns = facts.columns
        self.positions = {name: columns.get(name) for name in ("department", "title", "site", "filed", "delivered")}
        self.dates_of = itemgetter(columns["filed"], columns["delivered"])
        last_two = {self.width - 2, self.width - 1}
        if {columns["filed"], columns["delivered"]} == last_two and not facts.ignored_columns:
            self.check_lines = self._check_lines_dates_last
            self.reference_key = self._text_before_dates
        else:
            self.check_lines = self._check_lines_by_field
            self.reference_key = itemgetter(*[columns[n] for n in ("department", "title", "site") if n in columns])
        # Caches: raw (department, title, site) → written title and site; raw date → [written, ordinal, valid rows
        # delivered that day]; delay in days → written delay and constants.
        self.references = {}
        self.dates = {}
        self.today_ordinal = today.toordinal()
        self.tails = [codec.tail(delay) for delay in range(1000)]  # grown by ``check`` for longer delays
        self.bad_rows = []

    def _text_before_dates(self, fields):
        return self.delimiter.join(fields[:-2])

    def _text(self, raw):
        # Spreadsheets leave tabs and no-break spaces around values, and macOS writes "é" as "e" + accent.
        return unicodedata.normalize("NFC", raw.decode(self.encoding, errors="replace")).strip()

    def _cell(self, fields, name):
        position = self.positions[name]
        return "" if position is None else self._text(fields[position])

    def _date_entry(self, raw):
        entry = self.dates.get(raw)
        if entry is None:
            day = parse_date(self._text(raw))
            if day is None:
                return None
            entry = self.dates[raw] = [self.codec.date(day), day.toordinal(), 0]
        return entry

    def check(self, line, fields, out):
        """Check one row: append it to ``out`` (valid) or to the bad rows."""
        R = BadRowReason  # noqa: N806
        if len(fields) != self.width:
            if fields == [b""]:  # a blank line: no row at all
                return
            return self._bad(line, R.FIELD_COUNT, f"{len(fields)} {self.width}")
        has_department = self.positions["department"] is not None
        department = self._cell(fields, "department")
        # Spreadsheets drop the leading zero of 01…09.
        department = "0" + department if len(department) == 1 else _ascii_upper(department)
        title, site = _ascii_upper(self._cell(fields, "title")), self._cell(fields, "site")
        filed_raw, delivered_raw = self._cell(fields, "filed"), self._cell(fields, "delivered")
        for name, value in (("department", department), ("title", title), ("filed", filed_raw)):
            if value == "" and (name != "department" or has_department):
                return self._bad(line, R.MISSING_VALUE, name)
        if delivered_raw == "":
            return self._bad(line, R.MISSING_VALUE, "delivered")
        if has_department and department != self.department_code:
            return self._bad(line, R.OTHER_PREFECTURE, department)
        title_id = self.titles.get(title.encode())
        if title_id is None:
            return self._bad(line, R.UNKNOWN_TITLE, title)
        site_id = self.sites.get(site_key(site)) if site else None
        if site and site_id is None:
            return self._bad(line, R.UNKNOWN_SITE, site)
        filed_raw_bytes, delivered_raw_bytes = self.dates_of(fields)
        filed = self._date_entry(filed_raw_bytes)
        if filed is None:
            return self._bad(line, R.BAD_FILED_DATE, filed_raw)
        delivered = self._date_entry(delivered_raw_bytes)
        if delivered is None:
            return self._bad(line, R.BAD_DELIVERED_DATE, delivered_raw)
        if delivered[1] < filed[1] or delivered[1] > self.today_ordinal:
            reason = R.DELIVERED_BEFORE_FILED if delivered[1] < filed[1] else R.DELIVERED_IN_FUTURE
            days = (datetime.date.fromordinal(delivered[1]), datetime.date.fromordinal(filed[1]))
            return self._bad(line, reason, " ".join(day.isoformat() for day in days))
        delay = delivered[1] - filed[1]
        if delay > MAX_DELAY_DAYS:
            days = (datetime.date.fromordinal(delivered[1]), datetime.date.fromordinal(filed[1]))
            return self._bad(line, R.DELAY_TOO_LONG, " ".join(day.isoformat() for day in days))
        while delay >= len(self.tails):
            self.tails.append(self.codec.tail(len(self.tails)))
        reference = self.references.setdefault(self.reference_key(fields), self.codec.reference(title_id, site_id))
        out.append(reference + filed[0] + delivered[0] + self.tails[delay])
        delivered[2] += 1

    def _bad(self, line, reason, detail):
        self.bad_rows.append((line, str(reason), detail[:DETAIL_LENGTH]))

    # ``check_lines(lines, line, out)``: check raw lines (line ends removed), the first being ``line``;
    # returns the next line's number. The import's hot loops: locals only, one look-up per cached value.

    def _check_lines_by_field(self, lines, line, out):
        split, delimiter, width = bytes.split, self.delimiter, self.width
        reference_key, dates_of = self.reference_key, self.dates_of
        references, dates, tails, today = self.references, self.dates, self.tails, self.today_ordinal
        append, check = out.append, self.check
        for raw in lines:
            fields = split(raw, delimiter)
            if len(fields) == width:
                reference = references.get(reference_key(fields))
                if reference is not None:
                    filed, delivered = dates_of(fields)
                    filed, delivered = dates.get(filed), dates.get(delivered)
                    if filed is not None and delivered is not None:
                        day = delivered[1]
                        if filed[1] <= day <= today and day - filed[1] < len(tails):
                            append(reference + filed[0] + delivered[0] + tails[day - filed[1]])
                            delivered[2] += 1
                            line += 1
                            continue
            check(line, fields, out)
            line += 1
        return line

    def _check_lines_dates_last(self, lines, line, out):
        # A row's text before its dates is known valid only if it came from a valid row: then it
        # holds the right number of separators, and the row the right number of fields.
        rsplit, split, delimiter = bytes.rsplit, bytes.split, self.delimiter
        filed_at = 1 if self.positions["filed"] == self.width - 2 else 2
        delivered_at = 3 - filed_at
        references, dates, tails, today = self.references, self.dates, self.tails, self.today_ordinal
        append, check = out.append, self.check
        for raw in lines:
            parts = rsplit(raw, delimiter, 2)
            if len(parts) == 3:
                reference = references.get(parts[0])
                if reference is not None:
                    filed, delivered = dates.get(parts[filed_at]), dates.get(parts[delivered_at])
                    if filed is not None and delivered is not None:
                        day = delivered[1]
                        if filed[1] <= day <= today and day - filed[1] < len(tails):
                            append(reference + filed[0] + delivered[0] + tails[day - filed[1]])
                            delivered[2] += 1
                            line += 1
                            continue
            check(line, split(raw, delimiter), out)
            line += 1
        return line

    def result(self):
        months, days = {}, []
        for _written, ordinal, count in self.dates.values():
            if count:
                day = datetime.date.fromordinal(ordinal)
                months[f"{day:%Y-%m}"] = months.get(f"{day:%Y-%m}", 0) + count
                days.append(day)
        return CheckResult(
            valid=sum(months.values()), months=months, first=min(days, default=None), last=max(days, default=None)
        )
