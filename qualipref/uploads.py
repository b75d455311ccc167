"""Validation of uploaded files, judged by their content: type, size, polyglots, safe names.

Shared by every app that takes files (complaints' attachments, committee documents…).
"""

import os
import re
import unicodedata

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

ALLOWED_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
# What a real file of each type starts with (filetype checks the same; this keeps us strict).
SIGNATURES = {"application/pdf": b"%PDF-", "image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}
# Markup that a browser could execute if it ever sniffed the file as HTML: a polyglot.
ACTIVE_CONTENT = re.compile(rb"<\s*(script|html|svg|iframe|object|embed)\b|javascript:", re.IGNORECASE)


def safe_filename(name, extension):
    """An ASCII file name without path, control or odd characters, ending with the detected type's extension."""
    base = os.path.splitext(os.path.basename(name.replace("\\", "/")))[0]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", base).strip(".-_")[:80] or "document"
    return f"{base}.{extension}"


def validate_upload(upload, *, allowed=tuple(ALLOWED_TYPES), max_bytes=None):
    """Check ``upload`` by its content; on success set ``upload.detected_type`` and ``upload.safe_name``.

    ``allowed`` lists the accepted MIME types (PDF, JPEG and PNG by default); ``max_bytes``
    defaults to ``COMPLAINTS_MAX_ATTACHMENT_BYTES`` (5 MB).
    """
    limit = max_bytes or settings.COMPLAINTS_MAX_ATTACHMENT_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("“%(name)s” is too large (%(size)s): files may not exceed %(limit)s."),
            code="too_large",
            params={"name": upload.name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
        )
    if upload.size == 0:
        raise ValidationError(_("“%(name)s” is empty."), code="empty", params={"name": upload.name})
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if mime not in allowed or not head.startswith(SIGNATURES[mime]):
        formats = ", ".join(ALLOWED_TYPES[m].upper().replace("JPG", "JPEG") for m in allowed)
        raise ValidationError(
            _("“%(name)s” is not an accepted file. Accepted formats: %(formats)s."),
            code="bad_type",
            params={"name": upload.name, "formats": formats},
        )
    if mime != "application/pdf" and _has_active_content(upload):
        raise ValidationError(
            _("“%(name)s” contains something other than an image and was refused."),
            code="polyglot",
            params={"name": upload.name},
        )
    upload.detected_type = mime
    upload.safe_name = safe_filename(upload.name, ALLOWED_TYPES[mime])
    return upload


def _has_active_content(upload):
    upload.seek(0)
    try:
        previous_tail = b""
        for chunk in upload.chunks():
            if ACTIVE_CONTENT.search(previous_tail + chunk):
                return True
            previous_tail = chunk[-32:]
        return False
    finally:
        upload.seek(0)
