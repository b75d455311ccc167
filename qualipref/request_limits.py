"""How large a request may be, by the kind of page it is sent to: a larger one is refused (413) before it is read.

Each kind of page accepts what its form needs, and no more (``body_limit``):

* the public forms that take attachments (a new complaint, a reply on the tracking page): their files
  (``COMPLAINTS_MAX_ATTACHMENTS`` × ``COMPLAINTS_MAX_ATTACHMENT_BYTES``) and ``DATA_UPLOAD_MAX_MEMORY_SIZE`` for the
  rest of the form;
* the administration's delivery import: its file (``DELAYS_IMPORT_MAX_BYTES``, 1 GB) and the same margin; the
  measures' import (calls, tickets): ``MEASURES_IMPORT_MAX_BYTES`` (100 MB) and the same margin;
* the rest of the administration: ``REQUEST_ADMIN_MAX_BYTES`` (a meeting's committee documents, 20 MB each);
* every other page: ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (forms of text).

A request whose ``Content-Length`` says more is answered at once, its body never read. A body sent without
``Content-Length`` (``Transfer-Encoding: chunked``, which Django alone would not read at all) is read through
``BoundedInput``, a wrapper of ``wsgi.input`` that never reads more than the limit and one byte: past it, the same
413; within it, the body is kept in a temporary file (memory up to ``FILE_UPLOAD_MAX_MEMORY_SIZE``) and the form
reads it as if its length had been given. Django's own limits (``DATA_UPLOAD_MAX_*``) answer with the same page
(``qualipref.errors.bad_request``). The proxy in front refuses larger bodies still before they reach the portal
(README, *Request and file sizes*).
"""

import tempfile

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream

from .errors import request_too_large

READ_CHUNK = 64 * 1024


def _attachments():
    files = settings.COMPLAINTS_MAX_ATTACHMENTS * settings.COMPLAINTS_MAX_ATTACHMENT_BYTES
    return files + settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _delivery_file():
    return settings.DELAYS_IMPORT_MAX_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _measures_file():
    return settings.MEASURES_IMPORT_MAX_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE


# Pages (URL names) whose forms take files, and the body they may receive.
LIMITS = {
    "complaints:new": _attachments,
    "complaints:tracking": _attachments,
    "admin:delays_deliveryimport_add": _delivery_file,
    "admin:measures_measureimport_add": _measures_file,
}


def body_limit(resolver_match):
    """The largest body, in bytes, the page ``resolver_match`` accepts."""
    if resolver_match is not None:
        if limit := LIMITS.get(resolver_match.view_name):
            return limit()
        if "admin" in resolver_match.namespaces:
            return settings.REQUEST_ADMIN_MAX_BYTES
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class BoundedInput:
    """``wsgi.input`` read at most up to ``limit + 1`` bytes, whatever is asked: enough to know a body is too large."""

    def __init__(self, stream, limit):
        self.stream, self.left = stream, limit + 1

    def read(self, size):
        if self.left <= 0:
            return b""
        data = self.stream.read(min(size, self.left))
        self.left -= len(data)
        return data


def _chunked(request):
    return "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()


class RequestSizeLimitMiddleware:
    """Refuses a body larger than its page accepts before it is read: place it before anything that reads the body
    (the CSRF middleware's ``process_view`` reads the form)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        finally:
            if spool := getattr(request, "_qualipref_body_spool", None):
                spool.close()

    def process_view(self, request, view_func, view_args, view_kwargs):
        limit = body_limit(request.resolver_match)
        length = request.META.get("CONTENT_LENGTH")
        if length:
            try:
                too_large = int(length) > limit
            except ValueError:  # Django reads no body then
                return None
            return request_too_large(request, limit=limit) if too_large else None
        if _chunked(request):
            return self._read_chunked(request, limit)
        return None

    def _read_chunked(self, request, limit):
        """Keep a body sent without a length, up to ``limit``, and hand it to Django as if its length was given."""
        stream = BoundedInput(request.environ["wsgi.input"], limit)
        # Closed once the response is made (``__call__``): the view reads it.
        spool = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)  # noqa: SIM115
        request._qualipref_body_spool = spool
        size = 0
        while data := stream.read(READ_CHUNK):
            size += len(data)
            if size > limit:
                return request_too_large(request, limit=limit)
            spool.write(data)
        spool.seek(0)
        request.META["CONTENT_LENGTH"] = str(size)
        request._stream = LimitedStream(spool, size)
        return None
