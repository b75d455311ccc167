"""Loading a delivery file: one streamed pass checks every row and writes it where it belongs.

The file is read once, a megabyte at a time, through ``csvformat.BoundedLines``: a line longer than
``DELAYS_IMPORT_MAX_LINE_BYTES`` stops the check, so memory stays flat whatever the file; it is hashed on
the way (it must still be the file that was uploaded). Each row is checked against the
referential in Python: number of fields, missing values, prefecture, title code, site, both
dates, delivered before filed, delivered in the future — the first problem found is the row's
reason. A valid row goes straight into ``DeliveryRecord``: on PostgreSQL through a binary
``COPY`` fed as the file is read (a thread checks the next chunk while the server stores the
previous one), on SQLite by batches of ``INSERT``. The bad rows, with their line and reason, go into ``BadRow``
(spooled to a temporary file meanwhile on PostgreSQL, where the ``COPY`` holds the connection).

Why not ``COPY`` into a staging table and check in SQL? Measured on a million rows, the
``INSERT … SELECT`` from staging alone took four times as long as a bare ``COPY`` of the file,
and the checks in SQL as long again: the rows were written twice. Here each row is written once,
and almost every row is checked by a few dictionary look-ups: every distinct raw value (a title
code, a site, a date as written) is parsed once, and the rows that share it only look it up.

Two readers feed the same checks:

* the fast one splits the raw bytes on line ends and separators. It serves files without any
  quote character or lone carriage return after the header — what spreadsheets and business
  applications export;
* otherwise Python's ``csv`` reader reads the file (quoted fields, separators or line ends inside
  them); a row's line is then the physical line where it starts.

Here, the whole load (``check_file``); in ``rows``, the checks and how a valid row is written; in
``streams``, how the file is read and fed to the ``COPY``.
"""

import io
import logging
import tempfile

from django.db import connection, transaction
from django.utils.translation import gettext as _

from qualipref.csvfiles import copy_feed_writer

from ..csvformat import CHUNK, BoundedLines, FileRefused, read_header
from ..models import BadRow, DeliveryRecord
from .rows import RECORD_COLUMNS, BinaryCodec, CheckResult, RowChecker, TextCodec
from .streams import CopyStream, HashingReader, NeedsCsvReader, ProgressReader, ReadAhead, csv_chunks, fast_chunks

__all__ = ["CheckResult", "ProgressReader", "check_file"]

logger = logging.getLogger(__name__)


# Bad rows kept in memory before they go to a temporary file (PostgreSQL) or the table (SQLite).
BAD_ROWS_BATCH = 10_000
SPOOL_MEMORY = 8 << 20


def check_file(*, delivery_import, fileobj):
    """Check every row of ``fileobj``, the file of ``delivery_import``: store the valid ones, report the bad ones.

    Call inside a transaction. Raises ``FileRefused`` if the file is no longer the one uploaded.
    Returns a ``CheckResult``.
    """
    facts = read_header(fileobj, encoding=delivery_import.encoding)
    try:
        with transaction.atomic():
            result = _load(delivery_import, fileobj, facts, fast_chunks)
    except NeedsCsvReader:
        logger.info("delays import %s: quoted fields, reading through the csv reader", delivery_import.pk)
        result = _load(delivery_import, fileobj, facts, csv_chunks)
    return result


def _load(delivery_import, fileobj, facts, chunks_of):
    prefecture = delivery_import.prefecture
    postgresql = connection.vendor == "postgresql"
    codec = (BinaryCodec if postgresql else TextCodec)(prefecture.pk, delivery_import.pk)
    checker = RowChecker(facts=facts, prefecture=prefecture, today=prefecture.today(), codec=codec)
    reader = HashingReader(fileobj)
    # Both readers read through the line bound: a line past DELAYS_IMPORT_MAX_LINE_BYTES stops the check (the import
    # fails, naming the line) before more of it is held.
    chunks = chunks_of(BoundedLines(reader), facts, checker)
    with connection.cursor() as cursor, tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY) as spool:
        bad = _BadRows(delivery_import, checker, spool=spool if postgresql else None)
        if postgresql:
            columns = ", ".join(RECORD_COLUMNS)
            sql = f"COPY {DeliveryRecord._meta.db_table} ({columns}) FROM STDIN WITH (FORMAT binary)"
            ahead = ReadAhead(chunks, bad.flush_if_full)
            stream = CopyStream(codec, ahead)
            try:
                cursor.cursor.copy_expert(sql, stream, size=CHUNK)
            except Exception:
                if stream.error is not None:
                    raise stream.error from None
                raise
            finally:
                ahead.close()
        else:
            sql = (
                f"INSERT INTO {DeliveryRecord._meta.db_table} (prefecture_id, title_type_id, site_id, filed_on, "
                "delivered_on, delay_days, source_import_id) VALUES (%s, %s, %s, %s, %s, %s, %s)"
            )
            for chunk in chunks:
                cursor.executemany(sql, list(codec.rows(chunk)))
                bad.flush_if_full(cursor)
        bad.close(cursor)
    if reader.hexdigest() != delivery_import.sha256:
        raise FileRefused(_("The file changed after it was uploaded: upload it again."))
    result = checker.result()
    result.bad = bad.count
    return result


class _BadRows:
    """The bad rows: to ``BadRow`` in batches (SQLite), or spooled until the records' ``COPY`` is over."""

    def __init__(self, delivery_import, checker, *, spool):
        self.import_id, self.checker, self.spool, self.count = delivery_import.pk, checker, spool, 0

    def flush_if_full(self, cursor=None):
        if len(self.checker.bad_rows) >= BAD_ROWS_BATCH:
            self._flush(cursor)

    def _flush(self, cursor=None):
        rows, self.checker.bad_rows = self.checker.bad_rows, []
        self.count += len(rows)
        if not rows:
            return
        if self.spool is not None:
            text = io.StringIO()
            copy_feed_writer(text).writerows((self.import_id, *row) for row in rows)
            self.spool.write(text.getvalue().encode())
            return
        sql = f"INSERT INTO {BadRow._meta.db_table} (delivery_import_id, line, reason, detail) VALUES (%s, %s, %s, %s)"
        cursor.executemany(sql, [(self.import_id, *row) for row in rows])

    def close(self, cursor):
        self._flush(cursor)
        if self.spool is None:
            return
        self.spool.seek(0)
        cursor.cursor.copy_expert(
            f"COPY {BadRow._meta.db_table} (delivery_import_id, line, reason, detail) FROM STDIN "
            "WITH (FORMAT csv, FORCE_NOT_NULL (detail))",
            self.spool,
            size=CHUNK,
        )
