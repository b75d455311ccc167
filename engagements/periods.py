"""Periods the indicators are computed for: a month, a quarter or a year (first and last day included)."""

import datetime
import re
from dataclasses import dataclass

from qualipref.dates import add_months, month_end, month_start, quarter_of

from .enums import PeriodKind

# When a month's results can be complete: the one rule every public page and file follows (results_complete_before).
# A month is over in the prefecture's time zone, but its figures still depend on what can only come after it: the
# month's delivery delays are published once it is over, complaints received at its end are answered in the weeks
# after. From this day of the next month on (in the prefecture's zone), the month's figures are shown; before, the
# month before it is the latest.
RESULTS_COMPLETE_ON_DAY = 15


def results_complete_before(today):
    """The first month whose results are not complete yet on ``today`` (a prefecture's own day): the months before
    it are complete. On 3 December: November (only October and earlier are shown); on 15 December: December."""
    current = month_start(today)
    return current if today.day >= RESULTS_COMPLETE_ON_DAY else add_months(current, -1)


@dataclass(frozen=True)
class Period:
    kind: str
    start: datetime.date
    end: datetime.date

    @classmethod
    def month(cls, day):
        start = month_start(day)
        return cls(PeriodKind.MONTH, start, month_end(start))

    @classmethod
    def quarter(cls, year, quarter):
        start = datetime.date(year, 3 * (quarter - 1) + 1, 1)
        return cls(PeriodKind.QUARTER, start, month_end(add_months(start, 2)))

    @classmethod
    def year(cls, year):
        return cls(PeriodKind.YEAR, datetime.date(year, 1, 1), datetime.date(year, 12, 31))

    @classmethod
    def parse(cls, text):
        """``2026-03`` (a month), ``2026-T1`` (a quarter) or ``2026`` (a year); ``ValueError`` otherwise."""
        text = (text or "").strip()
        if match := re.fullmatch(r"(\d{4})-(\d{2})", text):
            return cls.month(datetime.date(int(match[1]), int(match[2]), 1))
        if match := re.fullmatch(r"(\d{4})-[TQ]([1-4])", text, re.IGNORECASE):
            return cls.quarter(int(match[1]), int(match[2]))
        if re.fullmatch(r"\d{4}", text):
            return cls.year(int(text))
        raise ValueError(f"not a period: {text!r}")

    @property
    def last_month(self):
        return month_start(self.end)

    @property
    def months(self):
        months, current = [], self.start
        while current <= self.end:
            months.append(current)
            current = add_months(current, 1)
        return months

    @property
    def rolling_start(self):
        """First day of the twelve months ending with this period (for “per rolling 12 months” counts)."""
        return add_months(self.last_month, -11)

    def __str__(self):
        if self.kind == PeriodKind.MONTH:
            return self.start.strftime("%Y-%m")
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year}-T{quarter_of(self.start)}"
        return str(self.start.year)
