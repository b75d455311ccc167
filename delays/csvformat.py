"""The delivery file format: what a file must look like, read once to learn its facts (``qualipref.csvimport``).

A header row, then one delivery per row. Separator: comma or semicolon. Encoding: UTF-8 (with or
without BOM) or Windows-1252, as French spreadsheets export. Columns, in any order (names are
matched without case or accents):

=================  ===========================================  ========
column             aliases                                      required
=================  ===========================================  ========
departement        code_departement, department, dept,          no
                   prefecture
code_titre         title_code, type_titre, titre, title         yes
site               site_de_delivrance                           no
date_depot         date_de_depot, depot, filed_on, date_demande  yes
date_delivrance    delivrance, delivered_on                     yes
=================  ===========================================  ========

Dates are ``2026-03-14`` or ``14/03/2026`` (a time after the date is ignored). Other columns
are ignored, and so is an alias beside the column's own name (``prefecture`` beside ``departement``).
"""

from django.utils.translation import gettext_lazy as _

from qualipref import csvimport
from qualipref.csvimport import CHUNK, HEAD, FileFacts, FileRefused, LineTooLong, iter_rows

__all__ = [
    "CHUNK",
    "DELIVERY_FORMAT",
    "FIELDS",
    "HEAD",
    "BoundedLines",
    "FileFacts",
    "FileRefused",
    "LineTooLong",
    "inspect_file",
    "iter_rows",
    "map_header",
    "read_header",
]

# Each field's names, the format's own first; when a file names a field twice, the name listed first wins, so the
# names that hold a code come before those that may hold a label (``prefecture``, ``titre``, ``title``).
FIELDS = {
    "department": ("departement", "code_departement", "department", "dept", "prefecture"),
    "title": ("code_titre", "title_code", "type_titre", "titre", "title"),
    "site": ("site", "site_de_delivrance"),
    "filed": ("date_depot", "date_de_depot", "depot", "filed_on", "date_demande"),
    "delivered": ("date_delivrance", "date_de_delivrance", "delivrance", "delivered_on"),
}
REQUIRED_FIELDS = ("title", "filed", "delivered")

DELIVERY_FORMAT = csvimport.CsvFormat(
    fields=FIELDS,
    required=REQUIRED_FIELDS,
    max_line_setting="DELAYS_IMPORT_MAX_LINE_BYTES",
    line_too_long=_(
        "Line %(line)s is longer than %(limit)s: a delivery row holds a few dozen characters. Is this really "
        "a delivery file? Check that line, or export the file again as CSV."
    ),
    no_rows=_("The file holds a header row but no delivery."),
)


class BoundedLines(csvimport.BoundedLines):
    """``qualipref.csvimport.BoundedLines`` for a delivery file."""

    def __init__(self, raw, *, max_line=None):
        super().__init__(raw, csv_format=DELIVERY_FORMAT, max_line=max_line)


def map_header(header):
    return csvimport.map_header(header, DELIVERY_FORMAT)


def inspect_file(fileobj, *, progress=None):
    return csvimport.inspect_file(fileobj, csv_format=DELIVERY_FORMAT, progress=progress)


def read_header(fileobj, *, encoding):
    return csvimport.read_header(fileobj, encoding=encoding, csv_format=DELIVERY_FORMAT)
