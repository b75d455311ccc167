"""Loading a file of calls or tickets: one streamed pass checks every row and writes the valid ones.

The file is read through the core's kit (``qualipref.csvimport``): bounded lines, the hash checked on the way (it
must still be the file uploaded), rows streamed by Python's ``csv`` reader. Each row is checked in Python — number
of fields, missing values, site, dates and times, ring time, outcome, order of the times — and the first problem
found is the line's reason (``BadLine``). Valid rows go to ``Call`` or ``Ticket`` by batches of ``INSERT``.

Idempotence, twice over: the same file is refused whole (its hash, ``services.measure_import_create``), and a row
already counted (the same call or ticket in an overlapping export: same site, times, ring time and outcome, or
ticket number) is reported as a duplicate line instead of being counted again (each row's ``fingerprint``).

The files are a prefecture's month of calls or tickets (tens of thousands of rows): batches of ``INSERT`` take a
few seconds, and the delivery import's ``COPY`` machinery (built for millions of rows) is not needed here.
"""

import datetime
import hashlib
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from qualipref.csvimport import BoundedLines, FileRefused, HashingReader, iter_rows, normalise_column, read_header

from .csvformats import FORMATS, OUTCOMES
from .enums import BadLineReason, ImportKind
from .models import BadLine, Call, Ticket

BATCH = 2000
DETAIL_LENGTH = 200
MAX_RING_SECONDS = 3600
MAX_WAIT_SECONDS = 12 * 3600
DATETIME_SHAPE = re.compile(
    r"(?:([0-9]{4})-([0-9]{2})-([0-9]{2})|([0-9]{2})/([0-9]{2})/([0-9]{4}))[ T]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?"
)


@dataclass
class CheckResult:
    valid: int = 0
    bad: int = 0
    months: dict = field(default_factory=dict)  # {"2026-03": valid rows that month}


def parse_datetime(text, tz):
    """The aware datetime written in ``text`` in the zone ``tz``, else ``None`` (a fraction of second ignored)."""
    match = DATETIME_SHAPE.match(text)
    if match is None or text[match.end() :].lstrip(".0123456789"):
        return None
    year, month, day = match.group(1, 2, 3) if match[1] else match.group(6, 5, 4)
    try:
        return datetime.datetime(
            int(year), int(month), int(day), int(match[7]), int(match[8]), int(match[9] or 0), tzinfo=tz
        )
    except ValueError:
        return None


def site_key(name):
    return " ".join(name.casefold().split())


class RowChecker:
    """The checks of one kind of file; ``check(line, row)`` returns the model instance to write, or ``None`` after
    recording the line's first problem in ``bad``."""

    def __init__(self, *, measure_import, facts):
        prefecture = measure_import.prefecture
        self.import_id, self.prefecture_id = measure_import.pk, prefecture.pk
        self.tz = prefecture.tzinfo
        self.now = datetime.datetime.now(tz=self.tz)
        self.columns, self.width = facts.columns, facts.field_count
        self.sites = {site_key(name): pk for name, pk in prefecture.sites.values_list("name", "pk")}
        self.bad, self.bad_count = [], 0

    def flush_bad(self):
        BadLine.objects.bulk_create(self.bad, batch_size=BATCH)
        self.bad_count += len(self.bad)
        self.bad = []

    def _bad(self, line, reason, detail=""):
        self.bad.append(
            BadLine(measure_import_id=self.import_id, line=line, reason=reason, detail=detail[:DETAIL_LENGTH])
        )

    def _cell(self, row, name):
        position = self.columns.get(name)
        return "" if position is None else row[position].replace("\xa0", " ").strip()

    def _common(self, line, row, required):
        """The row's site id (or None) if its shape, required values and site are right; else False."""
        R = BadLineReason  # noqa: N806
        if len(row) != self.width:
            self._bad(line, R.FIELD_COUNT, f"{len(row)} {self.width}")
            return False
        for name in required:
            if self._cell(row, name) == "":
                self._bad(line, R.MISSING_VALUE, name)
                return False
        site = self._cell(row, "site")
        if not site:
            return None
        site_id = self.sites.get(site_key(site))
        if site_id is None:
            self._bad(line, R.UNKNOWN_SITE, site)
            return False
        return site_id

    def _moment(self, line, row, name):
        """The aware datetime of column ``name``, or False after recording the problem."""
        raw = self._cell(row, name)
        moment = parse_datetime(raw, self.tz)
        if moment is None:
            self._bad(line, BadLineReason.BAD_DATETIME, f"{name} {raw}")
            return False
        if moment > self.now:
            self._bad(line, BadLineReason.IN_FUTURE, f"{name} {raw}")
            return False
        return moment

    def fingerprint(self, *parts):
        return hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()[:32]


class CallChecker(RowChecker):
    model = Call

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.ring_unit = 1 if "ring_seconds" in self.columns else settings.MEASURES_RING_SECONDS
        self.ring_column = "ring_seconds" if "ring_seconds" in self.columns else "rings"

    def check(self, line, row):
        R = BadLineReason  # noqa: N806
        site_id = self._common(line, row, ("called_at", self.ring_column, "outcome"))
        if site_id is False:
            return None
        called_at = self._moment(line, row, "called_at")
        if called_at is False:
            return None
        raw_ring = self._cell(row, self.ring_column)
        ring = raw_ring.replace(",", ".")
        ring_seconds = round(float(ring) * self.ring_unit) if ring.replace(".", "", 1).isdigit() else None
        if ring_seconds is None or ring_seconds > MAX_RING_SECONDS:
            self._bad(line, R.BAD_RING_TIME, raw_ring)
            return None
        raw_outcome = self._cell(row, "outcome")
        outcome = OUTCOMES.get(normalise_column(raw_outcome))
        if outcome is None:
            self._bad(line, R.UNKNOWN_OUTCOME, raw_outcome)
            return None
        return Call(
            prefecture_id=self.prefecture_id,
            site_id=site_id,
            source_import_id=self.import_id,
            called_at=called_at,
            month=called_at.date().replace(day=1),
            ring_seconds=ring_seconds,
            outcome=outcome,
            fingerprint=self.fingerprint(site_id, called_at.isoformat(), ring_seconds, outcome),
        )


class TicketChecker(RowChecker):
    model = Ticket

    def check(self, line, row):
        R = BadLineReason  # noqa: N806
        site_id = self._common(line, row, ("arrived_at",))
        if site_id is False:
            return None
        arrived_at = self._moment(line, row, "arrived_at")
        if arrived_at is False:
            return None
        called_at = ended_at = wait = None
        if self._cell(row, "called_at"):
            called_at = self._moment(line, row, "called_at")
            if called_at is False:
                return None
            wait = int((called_at - arrived_at).total_seconds())
            if wait < 0:
                self._bad(line, R.CALLED_BEFORE_ARRIVAL, f"{arrived_at:%Y-%m-%d %H:%M} {called_at:%Y-%m-%d %H:%M}")
                return None
            if wait > MAX_WAIT_SECONDS:
                self._bad(line, R.WAIT_TOO_LONG, f"{arrived_at:%Y-%m-%d %H:%M} {called_at:%Y-%m-%d %H:%M}")
                return None
        if self._cell(row, "ended_at"):
            ended_at = self._moment(line, row, "ended_at")
            if ended_at is False:
                return None
            if called_at is None or ended_at < called_at:
                self._bad(line, R.ENDED_BEFORE_CALL, self._cell(row, "ended_at"))
                return None
        return Ticket(
            prefecture_id=self.prefecture_id,
            site_id=site_id,
            source_import_id=self.import_id,
            arrived_at=arrived_at,
            called_at=called_at,
            ended_at=ended_at,
            month=arrived_at.date().replace(day=1),
            wait_seconds=wait,
            fingerprint=self.fingerprint(
                site_id, arrived_at.isoformat(), called_at and called_at.isoformat(), self._cell(row, "ticket")
            ),
        )


CHECKERS = {ImportKind.CALLS: CallChecker, ImportKind.TICKETS: TicketChecker}


def check_file(*, measure_import, fileobj):
    """Check every row of ``fileobj``, the file of ``measure_import``: write the valid ones, record the bad ones.

    Call inside a transaction. Raises ``FileRefused`` if the file is no longer the one uploaded.
    """
    csv_format = FORMATS[measure_import.kind]
    facts = read_header(fileobj, encoding=measure_import.encoding, csv_format=csv_format)
    checker = CHECKERS[measure_import.kind](measure_import=measure_import, facts=facts)
    reader = HashingReader(fileobj)
    result = CheckResult()
    pending = []
    try:
        for line, row in iter_rows(BoundedLines(reader, csv_format=csv_format), facts):
            record = checker.check(line, row)
            if record is not None:
                pending.append((line, record))
            if len(pending) >= BATCH:
                _write(checker, pending, result)
                pending = []
            if len(checker.bad) >= BATCH:
                checker.flush_bad()
    except UnicodeError as error:
        raise FileRefused(_("The file changed after it was uploaded: upload it again.")) from error
    _write(checker, pending, result)
    checker.flush_bad()
    if reader.hexdigest() != measure_import.sha256:
        raise FileRefused(_("The file changed after it was uploaded: upload it again."))
    result.bad = checker.bad_count
    result.months = dict(sorted(result.months.items()))
    return result


def _write(checker, pending, result):
    """Write a batch of valid rows, those already counted (in this file or an earlier import) reported as
    duplicates. One query to find them, one to write the others."""
    if not pending:
        return
    model = checker.model
    prints = [record.fingerprint for _line, record in pending]
    seen = set(
        model.objects.filter(prefecture_id=checker.prefecture_id, fingerprint__in=prints).values_list(
            "fingerprint", flat=True
        )
    )
    fresh = []
    for line, record in pending:
        if record.fingerprint in seen:
            checker._bad(line, BadLineReason.DUPLICATE, "")
            continue
        seen.add(record.fingerprint)
        fresh.append(record)
        month = f"{record.month:%Y-%m}"
        result.months[month] = result.months.get(month, 0) + 1
    with transaction.atomic():
        model.objects.bulk_create(fresh)
    result.valid += len(fresh)
