"""How the file is read: progress and hash on the way (``qualipref.csvimport``), the fast and the ``csv``
readers, the read-ahead thread and the ``COPY`` stream."""

import io
import queue
import threading

from django.utils import translation
from django.utils.translation import gettext as _

from qualipref.csvimport import HashingReader, ProgressReader

from ..csvformat import CHUNK, FileRefused, iter_rows

__all__ = ["CopyStream", "HashingReader", "NeedsCsvReader", "ProgressReader", "ReadAhead", "csv_chunks", "fast_chunks"]

BATCH = 10_000


class NeedsCsvReader(Exception):
    """The file holds a quote or a lone carriage return: only the ``csv`` reader reads it right."""


# --- reading the file -------------------------------------------------------------------------------------


def fast_chunks(reader, facts, checker):
    """Checked rows, a chunk at a time, from the raw bytes split on line ends and separators."""
    head = reader.read(facts.header_bytes)
    if b'"' in head:
        raise NeedsCsvReader
    line, carry = 2, b""
    while True:
        chunk = reader.read(CHUNK)
        if chunk:
            data = carry + chunk
            end = data.rfind(b"\n") + 1
            body, carry = data[:end], data[end:]
        else:
            body, carry = carry, b""
        if not chunk:  # the last line: a carriage return may end it
            body = body.removesuffix(b"\r")
        if body:
            if b'"' in body:
                raise NeedsCsvReader
            if b"\r" in body:
                body = body.replace(b"\r\n", b"\n")
                if b"\r" in body:
                    raise NeedsCsvReader
            lines = body.split(b"\n")
            if body.endswith(b"\n"):
                lines.pop()
            out = []
            line = checker.check_lines(lines, line, out)
            yield b"".join(out)
        if not chunk:
            return


def csv_chunks(reader, facts, checker):
    """Checked rows, a chunk at a time, through Python's ``csv`` reader (quoted fields)."""
    encoding = facts.encoding
    out = []
    try:
        for line, row in iter_rows(reader, facts):
            checker.check(line, [value.encode(encoding) for value in row], out)
            if len(out) >= BATCH:
                yield b"".join(out)
                out = []
    except UnicodeError as error:
        raise FileRefused(_("The file changed after it was uploaded: upload it again.")) from error
    yield b"".join(out)


class ReadAhead:
    """Runs a generator of checked chunks in a thread, a few chunks ahead of the ``COPY``.

    The driver lets go of the interpreter while it sends a chunk to the server: meanwhile the
    thread checks the next rows, and the server stores the previous ones on its own core. The
    thread touches no database connection; ``after_each`` runs there after every chunk.
    """

    _END = object()

    def __init__(self, chunks, after_each, depth=3):
        self.queue = queue.Queue(maxsize=depth)
        self.stop = threading.Event()
        language = translation.get_language()
        self.thread = threading.Thread(
            target=self._run, args=(chunks, after_each, language), name="delays-import", daemon=True
        )
        self.thread.start()

    def _run(self, chunks, after_each, language):
        with translation.override(language):
            try:
                for chunk in chunks:
                    after_each()
                    if not self._put(chunk):
                        return
                self._put(self._END)
            except Exception as error:  # handed over to the reading side
                self._put(error)

    def _put(self, item):
        while not self.stop.is_set():
            try:
                self.queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self):
        return self

    def __next__(self):
        item = self.queue.get()
        if item is self._END:
            raise StopIteration
        if isinstance(item, Exception):
            raise item
        return item

    def close(self):
        self.stop.set()
        self.thread.join()


class CopyStream(io.RawIOBase):
    """The ``COPY`` data as a file: the header, each chunk's rows as soon as they are checked, the trailer."""

    def __init__(self, codec, chunks, on_chunk=lambda: None):
        self.pending = [codec.header]
        self.chunks, self.codec, self.on_chunk, self.done = chunks, codec, on_chunk, False
        self.error = None  # what stopped the reading: the driver only says that ``read`` failed

    def readable(self):
        return True

    def read(self, size=-1):
        while not self.pending:
            if self.done:
                return b""
            try:
                chunk = next(self.chunks, None)
            except Exception as error:
                self.error = error
                raise
            if chunk is None:
                self.done = True
                self.pending.append(self.codec.trailer)
            else:
                self.on_chunk()
                if chunk:  # a chunk of bad rows only: returning nothing would end the COPY
                    self.pending.append(chunk)
        return self.pending.pop()
