"""Dates: months counted, days written — the one module every app uses for both.

**Counting months.** Pure standard library, no time zone guessed: a datetime is taken as it is (convert it to the
prefecture's zone first when its local day matters). Months are represented by their first day, a ``datetime.date``:
``month_start``, ``month_end``, ``add_months``, ``months_from``, ``months_ending``, ``quarter_of``.

**Writing days** as a French reader expects them: « 1er juillet 2026 », never « 1 juillet 2026 ». One helper for every
day the portal writes, in pages, e-mails, PDFs and the administration: templates reach it through the ``date`` filter
(``qualipref.templatetags.dates``, a template builtin that replaces Django's), Python code through ``format_date``.
English and every other format are Django's, unchanged.
"""

import calendar
import datetime

from django.utils import formats
from django.utils.translation import get_language

# --- counting months ---------------------------------------------------------------------------------------


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


# --- writing days ------------------------------------------------------------------------------------------

MONTH_NAMES = frozenset("FMEN")  # the format characters that write a month in words


def _first_of_month(format_string):
    """``format_string`` with the day (``j``) followed by a literal « er » when a month is written in words.

    « 1er juillet 2026 », but « 01/07/2026 » stays as it is."""
    out, escaped, day, month_in_words = [], False, False, False
    for char in format_string:
        out.append(char)
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "j":
            out.append(r"\e\r")
            day = True
        elif char in MONTH_NAMES:
            month_in_words = True
    return "".join(out) if day and month_in_words else format_string


def format_date(value, format_name=None):
    """``value`` formatted like Django's ``date`` filter, with « 1er » for the first day of a month in French."""
    format_string = formats.get_format(format_name or "DATE_FORMAT")
    if getattr(value, "day", None) == 1 and (get_language() or "").startswith("fr"):
        format_string = _first_of_month(format_string)
    return formats.date_format(value, format_string)
