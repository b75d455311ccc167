"""Every CSV file the portal writes, through one writer that spreadsheets cannot be tricked by (CSV injection).

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (``=HYPERLINK(…)`` sends
the neighbouring cells to a stranger's site, ``+cmd|' /C calc'!A0`` starts a program through DDE), and a
leading tab or carriage return hides such a start from a first glance. The rule, after OWASP's "CSV
Injection" guidance: a text cell that starts with one of these characters (or their full-width forms,
which some spreadsheets read the same) is written with a leading apostrophe, so that the spreadsheet
shows it as text: ``'=HYPERLINK(…)``. The rest of the text is left as it was (the apostrophe is visible
in a text editor, and says what happened).

Numbers stay numbers: a value of a number type (``int``, ``float``, ``Decimal``) is written as it is, and
so is a text that is a plain decimal number (``-3``, ``-0.5``, ``+2``, ``-0,5``), which a spreadsheet reads
as that number and nothing else. ``None`` is an empty field, as with ``csv`` itself. Any other value
(a date, a translated label, a model) is written as its text and neutralised like any text.

Open data, reports, exports and the import's bad-rows report all write through ``writer`` (or ``lines``,
to stream a response line by line); ``tests/security/test_csv_injection.py`` fails if a module calls
``csv.writer`` or ``csv.DictWriter`` itself. The names that end up in these files are also refused at
input when they start like a formula (``refuse_formula_start``, a validator on the model fields); the
writer still covers names saved before, and citizens' free text.
"""

import csv
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# What makes a spreadsheet read a cell as a formula; full-width forms included (＝ ＋ － ＠).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# A text that is only a number (sign, digits, decimal point or comma): a spreadsheet reads it as that number.
PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
NUMBER_TYPES = (int, float, Decimal)
# A byte-order mark opens every file, so that spreadsheets read the accents right.
BOM = "\ufeff"


def neutralise(value):
    """``value`` as a spreadsheet may open it: numbers and ``None`` as they are, a text that starts like a
    formula behind an apostrophe."""
    if value is None or isinstance(value, NUMBER_TYPES):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class _Echo:
    """A file whose ``write`` gives back what it was given: the writer's ``writerow`` then returns the line."""

    def write(self, value):
        return value


class SafeWriter:
    """``csv.writer``'s ``writerow`` and ``writerows``, every cell neutralised. Semicolons by default, as
    French spreadsheets expect."""

    def __init__(self, fileobj=None, *, delimiter=";", **fmtparams):
        self._writer = csv.writer(_Echo() if fileobj is None else fileobj, delimiter=delimiter, **fmtparams)

    def writerow(self, row):
        return self._writer.writerow([neutralise(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(fileobj=None, **fmtparams):
    """A neutralising CSV writer on ``fileobj``; without one, ``writerow`` returns the line it wrote (to stream)."""
    return SafeWriter(fileobj, **fmtparams)


def lines(header, rows, **fmtparams):
    """The CSV file of ``header`` and ``rows``, line by line, for a streamed response: a byte-order mark first,
    so that spreadsheets read the accents right. ``rows`` is read as it goes, never held in memory."""
    out = writer(**fmtparams)
    yield BOM + out.writerow(header)
    for row in rows:
        yield out.writerow(row)


def copy_feed_writer(fileobj):
    """A plain ``csv`` writer, for the rows fed to PostgreSQL's ``COPY … FORMAT csv`` only: the values must
    reach the database as they were read. Never for a file a person downloads or opens."""
    return csv.writer(fileobj, lineterminator="\n")


def refuse_formula_start(value):
    """Model field validator for the names written to the CSV files: none may start like a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        raise ValidationError(
            _(
                "This cannot start with =, +, -, @, a tab or a carriage return: a spreadsheet opening the "
                "portal's CSV files would run it as a formula."
            ),
            code="formula",
        )
