"""The kit every CSV import shares: a file read once to learn its facts, lines bounded, a header mapped to fields,
rows streamed, progress and hash on the way.

Moved here from ``delays`` (where the delivery import was born) when the phone and counter measures came with
files of their own (``measures``): one rule, one place. Each import describes its file with a ``CsvFormat`` (its
fields and their aliases, the required ones, the longest line, what its messages call a row); what a row means
and how it is written stays with the app.

What every format shares: a header row, then one record per row. Separator: comma or semicolon. Encoding:
UTF-8 (with or without BOM) or Windows-1252, as French spreadsheets export. Columns in any order, their names
matched without case or accents; other columns are ignored, and so is an alias beside the column's own name.
"""

import codecs
import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .scoping import PrefectureScopedQuerySet

CHUNK = 1 << 20
DELIMITERS = (";", ",")
# Bytes that Windows-1252 leaves undefined: a file holding them is in neither accepted encoding.
CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")
# The first bytes of the file: the header row must end within them.
HEAD = 65536


@dataclass(frozen=True)
class CsvFormat:
    """What one kind of file looks like.

    ``fields``: each field's names, the format's own first; when a file names a field twice, the name listed first
    wins. ``max_line_setting``: the setting holding the longest line, in bytes. ``line_too_long`` (with
    ``%(line)s`` and ``%(limit)s``) and ``no_rows``: the messages that name this kind of file's rows.
    """

    fields: dict
    required: tuple
    max_line_setting: str
    line_too_long: str
    no_rows: str

    @property
    def alias_to_field(self):
        return {alias: name for name, aliases in self.fields.items() for alias in aliases}

    @property
    def max_line(self):
        return getattr(settings, self.max_line_setting)


class FileRefused(Exception):
    """The whole file is unusable; ``message`` says why in words an officer can act on."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class LineTooLong(FileRefused):
    """A line longer than the format's limit: not a row of that file (``line`` counts from 1)."""

    def __init__(self, line, limit, message):
        super().__init__(str(message) % {"line": line, "limit": filesizeformat(limit)})
        self.line = line


class LongLine(Exception):  # noqa: N818 (turned into ``LineTooLong`` once its line is counted)
    """Raised by ``LineBound.check``: the line starting at byte ``offset`` of the file is too long."""

    def __init__(self, offset, limit):
        super().__init__(offset, limit)
        self.offset, self.limit = offset, limit

    def refusal(self, fileobj, message):
        """``LineTooLong`` naming the line, counted in ``fileobj`` (read again from its start up to the line)."""
        fileobj.seek(0)
        lines, after_cr, left = 0, False, self.offset
        while left and (data := fileobj.read(min(CHUNK, left))):
            left -= len(data)
            lines += data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n") - (after_cr and data[:1] == b"\n")
            after_cr = data.endswith(b"\r")
        return LineTooLong(lines + 1, self.limit, message)


class LineBound:
    """Lines of at most ``max_line`` bytes (their line end aside), checked as the bytes of a file go by.

    ``check(data)`` takes each chunk read, in order, and raises ``LongLine`` for the first line that grows past the
    limit: as soon as the chunk holding its ``max_line + 1``-th byte is checked. A reader that keeps the end of a
    chunk for the next one (the importer's) thus never holds more than ``max_line`` bytes of a line, whatever the
    file. Lines end with ``\\n``, ``\\r\\n`` or a lone ``\\r`` (old Mac exports); ``LongLine.refusal`` counts
    them as the ``csv`` reader does, only when a line is refused (counting them all the way would cost more than
    the check).
    """

    def __init__(self, max_line):
        self.max_line = max_line
        self.restart()

    def restart(self):
        self.run = 0  # bytes of the current line checked so far
        self.offset = 0  # bytes checked before the current chunk

    def check(self, data):
        # Each step looks for the last line end within the bytes the current line may still take: found, the lines
        # before it are short enough; not found in a whole window, the current line is too long. At most two steps
        # per ``max_line`` bytes, each a search in C.
        ends = (b"\n", b"\r") if b"\r" in data else (b"\n",)
        limit, size, position, run = self.max_line, len(data), 0, self.run
        while position < size:
            window = position + limit - run + 1
            end = max(data.rfind(mark, position, window) for mark in ends)
            if end >= 0:
                position, run = end + 1, 0
            elif window <= size:
                raise LongLine(self.offset + position - run, limit)
            else:
                run += size - position
                break
        self.run, self.offset = run, self.offset + size


class BoundedLines(io.RawIOBase):
    """A read-only file whose lines may not exceed the format's limit (or ``max_line`` bytes): the bytes pass
    through untouched, and the read that brings a line past the limit raises ``LineTooLong``, naming the line (see
    ``LineBound``). Every reading of an imported file goes through it."""

    def __init__(self, raw, *, csv_format, max_line=None):
        self.raw, self.message = raw, csv_format.line_too_long
        self.bound = LineBound(max_line or csv_format.max_line)

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, offset, whence=0):
        if (offset, whence) != (0, 0):
            raise io.UnsupportedOperation("a bounded reader only goes back to the start")
        self.bound.restart()
        return self.raw.seek(0)

    def tell(self):
        return self.raw.tell()

    def read(self, size=-1):
        data = self.raw.read(size)
        if data:
            try:
                self.bound.check(data)
            except LongLine as long_line:
                raise long_line.refusal(self.raw, self.message) from None
        return data

    def readinto(self, buffer):
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class ProgressReader(io.RawIOBase):
    """A read-only file wrapper that reports how many bytes were read (for the admin's progress)."""

    def __init__(self, raw, callback, every=4 << 20):
        self.raw, self.callback, self.every = raw, callback, every
        self.done = self.reported = 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, offset, whence=0):
        position = self.raw.seek(offset, whence)
        self.done = self.reported = position
        return position

    def tell(self):
        return self.raw.tell()

    def read(self, size=-1):
        data = self.raw.read(size)
        self.done += len(data)
        if self.done - self.reported >= self.every:
            self.reported = self.done
            self.callback(self.done)
        return data

    def readinto(self, buffer):
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class HashingReader(io.RawIOBase):
    """Reads a file from its start and hashes every byte read (the file must not change after its upload)."""

    def __init__(self, raw):
        self.raw = raw
        self.seek(0)

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, offset, whence=0):
        if (offset, whence) != (0, 0):
            raise io.UnsupportedOperation("a hashing reader only goes back to the start")
        self.digest = hashlib.sha256()
        return self.raw.seek(0)

    def tell(self):
        return self.raw.tell()

    def read(self, size=-1):
        data = self.raw.read(size)
        self.digest.update(data)
        return data

    def readinto(self, buffer):
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def hexdigest(self):
        while self.read(CHUNK):  # a reader that stopped early (a refused file) still hashes the whole
            pass
        return self.digest.hexdigest()


@dataclass
class FileFacts:
    sha256: str | None  # None: not read yet (``read_header``)
    size: int | None
    encoding: str  # "utf-8" or "cp1252" (Python codec names)
    delimiter: str
    header: list
    columns: dict  # field name → 0-based position in a row
    data_lines: int | None  # physical lines after the header (a quoted field may span several)
    ignored_columns: list = field(default_factory=list)
    header_bytes: int = 0  # length of the header row, its line end included

    @property
    def field_count(self):
        return len(self.header)

    @property
    def python_encoding(self):
        return "utf-8-sig" if self.encoding == "utf-8" else self.encoding

    @property
    def postgres_encoding(self):
        return "UTF8" if self.encoding == "utf-8" else "WIN1252"


def normalise_column(name):
    name = unicodedata.normalize("NFKD", name.strip().strip('"').lower())
    name = "".join(c for c in name if not unicodedata.combining(c))
    return re.sub(r"[\s\-'’.]+", "_", name).strip("_")


def map_header(header, csv_format):
    """``{field: position}`` for the columns of ``csv_format`` found in ``header``, and the names of the others.

    When two columns name the same field, the one named closest to the format wins and the other is ignored:
    exports often carry a code beside its label (``code_titre;titre``). The same name twice is refused.
    """
    alias_to_field = csv_format.alias_to_field
    candidates = {}  # field → [(rank of the name among the field's aliases, position)]
    ignored = []  # positions
    for position, name in enumerate(header):
        alias = normalise_column(name)
        key = alias_to_field.get(alias)
        if key is None:
            ignored.append(position)
        else:
            candidates.setdefault(key, []).append((csv_format.fields[key].index(alias), position))
    columns = {}
    for key, found in candidates.items():
        found.sort()
        if len(found) > 1 and found[0][0] == found[1][0]:
            name = header[found[1][1]]
            raise FileRefused(_("The column “%(name)s” appears twice in the header.") % {"name": name})
        columns[key] = found[0][1]
        ignored += [position for _rank, position in found[1:]]
    return columns, [header[position] for position in sorted(ignored)]


def _parse_header(line, csv_format):
    """Pick the separator under which the header names every required column."""
    if line.lower().startswith("sep="):
        raise FileRefused(
            _(
                "The first line, “%(line)s”, is a hint for Excel, not the header row: delete it, so that the file "
                "starts with the names of the columns."
            )
            % {"line": line[:10]}
        )
    best = None
    for delimiter in DELIMITERS:
        try:
            header = next(csv.reader([line], delimiter=delimiter))
        except csv.Error:  # a stray carriage return in the header row: it names no column
            header = []
        columns, ignored = map_header(header, csv_format)
        missing = [f for f in csv_format.required if f not in columns]
        if not missing:
            return delimiter, header, columns, ignored
        if best is None or len(missing) < len(best[1]):
            best = (header, missing)
    fields = csv_format.fields
    expected = ", ".join(fields[f][0] for f in csv_format.required)
    raise FileRefused(
        _(
            "The header row does not name the required columns (%(expected)s), separated by semicolons or "
            "commas. Missing: %(missing)s. Found: %(found)s."
        )
        % {
            "expected": expected,
            "missing": ", ".join(fields[f][0] for f in best[1]),
            "found": ", ".join(best[0]) or "—",
        }
    )


def inspect_file(fileobj, *, csv_format, progress=None):
    """Read the file once: its hash, encoding, separator, header and number of lines.

    Memory stays flat (one chunk at a time). Raises ``FileRefused`` for a file that is not a usable CSV of
    ``csv_format``, ``LineTooLong`` for one with a line past the format's limit. Leaves ``fileobj`` at its start.
    """
    fileobj.seek(0)
    bound = LineBound(csv_format.max_line)
    digest = hashlib.sha256()
    utf8 = codecs.getincrementaldecoder("utf-8")()
    utf8_ok, cp1252_ok = True, True
    size = newlines = 0
    first = b""
    last_byte = b""
    while chunk := fileobj.read(CHUNK):
        if not size:
            first = chunk[:HEAD]
            _refuse_foreign_formats(first)
        size += len(chunk)
        digest.update(chunk)
        newlines += chunk.count(b"\n")
        if b"\x00" in chunk:
            raise FileRefused(_("The file contains binary data (NUL bytes): it is not a CSV text file."))
        try:
            bound.check(chunk)
        except LongLine as long_line:
            raise long_line.refusal(fileobj, csv_format.line_too_long) from None
        if utf8_ok:
            try:
                utf8.decode(chunk)
            except UnicodeDecodeError:
                utf8_ok = False
        if cp1252_ok and any(byte in chunk for byte in CP1252_UNDEFINED):
            cp1252_ok = False
        last_byte = chunk[-1:]
        if progress:
            progress(size)
    fileobj.seek(0)
    if utf8_ok:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_ok = False
    if not size:
        raise FileRefused(_("The file is empty."))
    if utf8_ok:
        encoding = "utf-8"
    elif cp1252_ok:
        encoding = "cp1252"
    else:
        raise FileRefused(_("The file is neither in UTF-8 nor in Windows-1252: save it as “CSV UTF-8” and try again."))
    if b"\n" not in first and size > len(first):
        raise FileRefused(_("The header row is too long: is this really a CSV file?"))
    facts = _header_facts(first, encoding, csv_format)
    data_lines = newlines - 1 if last_byte == b"\n" else newlines
    if data_lines <= 0:
        raise FileRefused(str(csv_format.no_rows))
    facts.sha256, facts.size, facts.data_lines = digest.hexdigest(), size, data_lines
    return facts


def read_header(fileobj, *, encoding, csv_format):
    """The facts of a file already inspected (its encoding known) from its header row alone.

    ``sha256``, ``size`` and ``data_lines`` stay ``None``: the caller hashes the file while it
    streams it. Leaves ``fileobj`` at its start.
    """
    fileobj.seek(0)
    first = fileobj.read(HEAD)
    fileobj.seek(0)
    if b"\n" not in first and len(first) == HEAD:
        raise FileRefused(_("The header row is too long: is this really a CSV file?"))
    return _header_facts(first, encoding, csv_format)


def _header_facts(first, encoding, csv_format):
    line, newline, _rest = first.partition(b"\n")
    header_text = line.rstrip(b"\r").decode("utf-8-sig" if encoding == "utf-8" else encoding, errors="replace")
    delimiter, header, columns, ignored = _parse_header(header_text, csv_format)
    return FileFacts(
        sha256=None,
        size=None,
        encoding=encoding,
        delimiter=delimiter,
        header=header,
        columns=columns,
        data_lines=None,
        ignored_columns=ignored,
        header_bytes=len(line) + len(newline),
    )


def _refuse_foreign_formats(head):
    if head.startswith(b"PK\x03\x04"):
        raise FileRefused(_("This is a spreadsheet (Excel or LibreOffice), not a CSV file: save it as CSV first."))
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRefused(_("The file is in UTF-16 (“Unicode text”): save it as “CSV UTF-8” and try again."))


def iter_rows(fileobj, facts):
    """``(line, fields)`` for every non-empty row after the header, read as a stream.

    ``line`` is the physical line where the row starts (a quoted field may span lines).
    """
    fileobj.seek(0)
    text = io.TextIOWrapper(fileobj, encoding=facts.python_encoding, newline="")
    try:
        reader = csv.reader(text, delimiter=facts.delimiter)
        next(reader, None)
        previous_end = reader.line_num
        for row in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if row:
                yield start, row
    except csv.Error as error:
        raise FileRefused(
            _("The file cannot be read as CSV near line %(line)s: %(error)s.")
            % {"line": previous_end + 1, "error": error}
        ) from error
    finally:
        text.detach()


def text_cell(raw):
    """A cell as a spreadsheet left it, cleaned: tabs and no-break spaces around it dropped, accents composed."""
    return unicodedata.normalize("NFC", raw).strip()


class RefusedLine(models.Model):
    """One refused line of an import, with its reason and the value at fault (``detail``), shared by every import's
    model of bad lines. Each names its import (a foreign key) and its ``reason`` (with its own choices)."""

    line = models.PositiveIntegerField(gettext_lazy("line"))
    detail = models.CharField(gettext_lazy("detail"), max_length=200, blank=True)

    objects = PrefectureScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.line}: {self.get_reason_display()}"


class ImportedFile(models.Model):
    """What every import's model keeps of its file and its check (``delays.DeliveryImport``,
    ``measures.MeasureImport``): the file's facts, the counts of its rows, the valid rows per month, who uploaded
    it and when. Each adds its prefecture, its stored file and its status (with its own workflow)."""

    original_name = models.CharField(gettext_lazy("file name"), max_length=255)
    sha256 = models.CharField(gettext_lazy("SHA-256 of the file"), max_length=64, editable=False)
    size_bytes = models.BigIntegerField(gettext_lazy("size (bytes)"), default=0)
    encoding = models.CharField(gettext_lazy("encoding"), max_length=20, blank=True)
    message = models.TextField(gettext_lazy("message"), blank=True)
    total_rows = models.PositiveIntegerField(gettext_lazy("rows in the file"), default=0)
    valid_rows = models.PositiveIntegerField(gettext_lazy("valid rows"), default=0)
    bad_rows = models.PositiveIntegerField(gettext_lazy("bad rows"), default=0)
    # {"2026-03": 1234, …}: valid rows per month (the prefecture's local month).
    months = models.JSONField(gettext_lazy("months"), default=dict, blank=True)
    created_at = models.DateTimeField(gettext_lazy("uploaded at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=gettext_lazy("uploaded by"),
    )
    checked_at = models.DateTimeField(gettext_lazy("checked at"), null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        if not self.created_at:
            return self.original_name
        # In the prefecture's time zone and the active language: the name the admin's lists, breadcrumbs and
        # history pages show.
        uploaded = timezone.localtime(self.created_at, self.prefecture.tzinfo)
        return f"{self.original_name} ({formats.date_format(uploaded, 'SHORT_DATETIME_FORMAT')})"
