"""Dates as a French reader expects them: « 1er juillet 2026 », never « 1 juillet 2026 ».

One helper for every day the portal writes, in pages, e-mails, PDFs and the administration: templates reach it
through the ``date`` filter (``qualipref.templatetags.dates``, a template builtin that replaces Django's), Python
code through ``format_date``. English and every other format are Django's, unchanged.
"""

from django.utils import formats
from django.utils.translation import get_language

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
