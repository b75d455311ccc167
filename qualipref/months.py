"""Calendar-month arithmetic: the one place every app counts months (formatting dates is ``qualipref.dates``).

Pure standard library, no time zone guessed: a datetime is taken as it is (convert it to the prefecture's zone
first when its local day matters). Months are represented by their first day, a ``datetime.date``.
"""

import calendar
import datetime


def month_start(value):
    """The first day of the month of ``value``: a date, a datetime (its own date, as it is) or an ISO string
    beginning ``YYYY-MM`` (``"2026-03"``, ``"2026-03-15"``…). Always a ``datetime.date``."""
    if isinstance(value, str):
        return datetime.date.fromisoformat(value[:7] + "-01")
    if isinstance(value, datetime.datetime):
        value = value.date()
    return value.replace(day=1)


def month_end(value):
    """The last day of the month of ``value`` (a date or a datetime's own date)."""
    start = month_start(value)
    return start.replace(day=calendar.monthrange(start.year, start.month)[1])


def add_months(day, count):
    """The same day ``count`` months later (earlier when negative), or that month's last day when it is shorter:
    31 January + 1 → 28 or 29 February. A datetime stays a datetime, with its time and time zone; a month's first
    day gives the first day of the other month."""
    index = day.year * 12 + day.month - 1 + count
    year, month = divmod(index, 12)
    return day.replace(year=year, month=month + 1, day=min(day.day, calendar.monthrange(year, month + 1)[1]))


def months_from(first, count):
    """The ``count`` months starting with the month of ``first``, oldest first (first days)."""
    start = month_start(first)
    return [add_months(start, index) for index in range(count)]


def months_ending(last, count):
    """The ``count`` months ending with the month of ``last``, oldest first (first days): a trend's months."""
    return months_from(add_months(month_start(last), 1 - count), count)


def quarter_of(day):
    """The quarter (1 to 4) ``day`` falls in."""
    return (day.month - 1) // 3 + 1
