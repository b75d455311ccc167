"""Validation and sanitising of uploaded files, judged by their content: type, size, polyglots, safe names,
active content, and an optional virus scan.

Shared by every app that takes files (complaints' attachments, committee documents, engagements' evidence):
``validate_upload`` returns the file to store, never the one received.
"""

import hashlib
import io
import logging
import os
import re
import unicodedata
import warnings
from urllib.parse import urlsplit

import filetype
import pikepdf
from clamav_client.clamd import ClamdError, ClamdNetworkSocket, ClamdUnixSocket
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import ExifTags, Image

logger = logging.getLogger(__name__)

ALLOWED_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
# What a real file of each type starts with (filetype checks the same; this keeps us strict).
SIGNATURES = {"application/pdf": b"%PDF-", "image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}
# Any markup at all (a tag, an event handler): what must not follow a PDF's end or sit in a colour profile.
MARKUP = re.compile(rb"<\s*[a-z!?/]|\bon[a-z]+\s*=", re.IGNORECASE)
# Executables and archives: a payload appended to a PDF (Windows, Linux, zip/jar, scripts).
PAYLOAD_SIGNATURES = (b"MZ", b"\x7fELF", b"PK\x03\x04", b"#!")

# PDF features that run something, send something or carry another file when the document is opened, read
# as parsed names (qpdf decodes ``#4A``-style escapes and reads objects inside object streams).
PDF_ACTIVE_KEYS = {
    "/JS", "/JavaScript", "/AA", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/EF",
    "/RichMedia", "/RichMediaContent", "/XFA", "/SubmitForm", "/ImportData",
}  # fmt: skip
PDF_ACTIVE_ACTIONS = {
    "/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/ResetForm", "/GoToR", "/GoToE",
    "/RichMediaExecute", "/Rendition", "/Movie", "/Sound", "/SetOCGState", "/Hide",
}  # fmt: skip
PDF_ACTIVE_TYPES = {"/EmbeddedFile", "/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"}
# The only action a PDF may run on opening: going to one of its own pages.
PDF_OPEN_ACTIONS = {"/GoTo"}


def safe_filename(name, extension):
    """An ASCII file name without path, control or odd characters, ending with the detected type's extension."""
    base = os.path.splitext(os.path.basename(name.replace("\\", "/")))[0]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", base).strip(".-_")[:80] or "document"
    return f"{base}.{extension}"


def validate_upload(upload, *, allowed=tuple(ALLOWED_TYPES), max_bytes=None):
    """Check ``upload`` by its content and return the file to store, or raise ``ValidationError``.

    ``allowed`` lists the accepted MIME types (PDF, JPEG and PNG by default); ``max_bytes``
    defaults to ``COMPLAINTS_MAX_ATTACHMENT_BYTES`` (5 MB). When ``CLAMAV_URL`` is set, the file
    received is scanned by clamd. The file returned is a sanitised copy — images decoded and
    re-encoded without metadata, PDFs without active content rewritten by qpdf, nothing after their
    end — with ``detected_type``, ``safe_name`` and ``sha256``; its ``size`` and ``sha256`` are the
    stored file's. Store it, never ``upload``.
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
    scan_upload(upload)
    upload.seek(0)
    received = upload.read()
    upload.seek(0)
    content = (
        _rewrite_pdf(received, upload.name)
        if mime == "application/pdf"
        else _reencode_image(received, upload.name, mime)
    )
    safe_name = safe_filename(upload.name, ALLOWED_TYPES[mime])
    sanitised = SimpleUploadedFile(safe_name, content, content_type=mime)
    sanitised.detected_type = mime
    sanitised.safe_name = safe_name
    sanitised.sha256 = hashlib.sha256(content).hexdigest()
    return sanitised


# --- images: decoded and re-encoded by Pillow -------------------------------------------------------------


def _reencode_image(content, name, mime):
    """The image's pixels in a new file of the same format: EXIF, comments, text chunks and trailing bytes gone.

    Kept: the orientation (or phone photos turn sideways), the resolution and a colour profile free of markup.
    A JPEG keeps its own quantisation tables (``quality="keep"``): no visible loss, no second compression.
    """
    image_format = "JPEG" if mime == "image/jpeg" else "PNG"
    limit = settings.UPLOADS_MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content), formats=[image_format])
            if image.width * image.height > limit:
                raise Image.DecompressionBombError(f"{image.width}x{image.height}")
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            _(
                "“%(name)s” is too large an image (more than %(megapixels)s million pixels): reduce its size "
                "and send it again."
            ),
            code="too_many_pixels",
            params={"name": name, "megapixels": limit // 1_000_000},
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        logger.info("uploads: an image could not be decoded (%s): refused", type(error).__name__)
        raise _damaged(name) from None
    options = {}
    if "dpi" in image.info:
        options["dpi"] = image.info["dpi"]
    if "transparency" in image.info:
        options["transparency"] = image.info["transparency"]
    icc_profile = image.info.get("icc_profile")
    if icc_profile and not MARKUP.search(icc_profile):
        options["icc_profile"] = icc_profile
    orientation = image.getexif().get(ExifTags.Base.Orientation)
    if orientation and orientation != 1:
        exif = Image.Exif()
        exif[ExifTags.Base.Orientation] = orientation
        options["exif"] = exif
    if image_format == "JPEG":
        options["quality"] = "keep"
    image.info.clear()  # Pillow writes some of it back by default (a JPEG's comment, a colour profile)
    output = io.BytesIO()
    image.save(output, image_format, **options)
    return output.getvalue()


def _damaged(name):
    return ValidationError(
        _("“%(name)s” is damaged or incomplete and could not be read: send it again."),
        code="damaged",
        params={"name": name},
    )


# --- PDFs: parsed by qpdf, refused with active content, rewritten ---------------------------------------


def _rewrite_pdf(content, name):
    """The PDF rewritten by qpdf from the objects it parsed: what followed its end, unused objects, earlier
    revisions and encryption gone; pages, text, images, fonts, forms' values and links kept.

    Refused: a payload appended after ``%%EOF`` (markup, an executable, an archive), active content, a password.
    """
    end = content.rfind(b"%%EOF")
    trailing = content[end + 5 :] if end >= 0 else b""
    if MARKUP.search(trailing) or trailing.lstrip(b"\x00\t\n\f\r ").startswith(PAYLOAD_SIGNATURES):
        raise ValidationError(
            _("“%(name)s” contains something other than a PDF document and was refused."),
            code="polyglot",
            params={"name": name},
        )
    try:
        pdf = pikepdf.open(io.BytesIO(content))
    except pikepdf.PasswordError:
        raise ValidationError(
            _("“%(name)s” is protected by a password: send a copy without a password."),
            code="encrypted",
            params={"name": name},
        ) from None
    except pikepdf.PdfError as error:
        logger.info("uploads: a PDF could not be parsed (%s): refused", type(error).__name__)
        raise _damaged(name) from None
    with pdf:
        try:
            feature = pdf_active_content(pdf)
            pages = len(pdf.pages)
        except (pikepdf.PdfError, RecursionError, ValueError) as error:
            logger.info("uploads: a PDF could not be read through (%s): refused", type(error).__name__)
            raise _damaged(name) from None
        if feature:
            logger.info("uploads: a PDF with active content (%s) was refused", feature)
            raise ValidationError(
                _(
                    "“%(name)s” contains active content (a script, an automatic action or an embedded file) and "
                    "was refused. Save it again as a plain PDF (Print, then “Save as PDF”) or send a scan."
                ),
                code="active_content",
                params={"name": name},
            )
        if not pages:
            raise _damaged(name)
        output = io.BytesIO()
        # No encryption kept (officers open it without a password); an /ID derived from the content, not the clock.
        pdf.save(output, encryption=False, deterministic_id=True)
    return output.getvalue()


def pdf_active_content(pdf):
    """The first active feature found in ``pdf`` (an open ``pikepdf.Pdf``), e.g. ``"/JS"``, or ``None``.

    Every object is read — those of object streams and unused ones included — and, within it, every
    direct dictionary and array (an action written inline in the catalogue, an annotation's ``/A``).
    """
    todo = [pdf.trailer, *pdf.objects]
    while todo:
        obj = todo.pop()
        if isinstance(obj, pikepdf.Stream):
            obj = obj.stream_dict
        if isinstance(obj, pikepdf.Array):
            todo.extend(item for item in obj if _is_direct_container(item))
            continue
        if not isinstance(obj, pikepdf.Dictionary):
            continue
        keys = set(obj.keys())
        if keys & PDF_ACTIVE_KEYS:
            return sorted(keys & PDF_ACTIVE_KEYS)[0]
        for key in ("/S", "/Type", "/Subtype"):
            value = obj.get(key)
            if isinstance(value, pikepdf.Name) and str(value) in PDF_ACTIVE_ACTIONS | PDF_ACTIVE_TYPES:
                return f"{key} {value}"
        if "/OpenAction" in keys:
            action = obj.get("/OpenAction")
            if isinstance(action, pikepdf.Dictionary) and str(action.get("/S")) not in PDF_OPEN_ACTIONS:
                return f"/OpenAction {action.get('/S')}"
        todo.extend(value for value in obj.values() if _is_direct_container(value))
    return None


def _is_direct_container(value):
    return isinstance(value, pikepdf.Dictionary | pikepdf.Array) and not value.is_indirect


# --- virus scan: clamd, when CLAMAV_URL is set -------------------------------------------------------------


def clamd_client(url=None, timeout=None):
    """A clamd client for ``url`` (``CLAMAV_URL``: ``unix:///path/to/clamd.ctl`` or ``tcp://host:3310``)."""
    url = settings.CLAMAV_URL if url is None else url
    timeout = settings.CLAMAV_TIMEOUT if timeout is None else timeout
    parts = urlsplit(url)
    if parts.scheme == "unix" and parts.path:
        return ClamdUnixSocket(path=parts.path, timeout=timeout)
    if parts.scheme == "tcp" and parts.hostname:
        return ClamdNetworkSocket(host=parts.hostname, port=parts.port or 3310, timeout=timeout)
    raise ImproperlyConfigured(f"CLAMAV_URL must be unix:///path/to/clamd.ctl or tcp://host:port, not {url!r}")


def scan_upload(upload):
    """Have clamd scan ``upload`` as received, when ``CLAMAV_URL`` is set; raise ``ValidationError`` if infected.

    A scanner that does not answer refuses the file too (``scan_unavailable``), with an error in the logs:
    a file is never stored unscanned while scanning is on. The form keeps everything else the user typed.
    """
    if not settings.CLAMAV_URL:
        return
    client = clamd_client()
    upload.seek(0)
    try:
        status, signature = client.instream(upload).get("stream", ("ERROR", "no answer"))
    except (ClamdError, OSError) as error:
        status, signature = "ERROR", str(error)
    finally:
        upload.seek(0)
    if status == "FOUND":
        logger.warning("uploads: clamd found %s in an upload: refused", signature)
        raise ValidationError(
            _("“%(name)s” contains a virus and was refused."), code="infected", params={"name": upload.name}
        )
    if status != "OK":
        logger.error("uploads: the virus scan failed (%s): upload refused until clamd answers", signature)
        raise ValidationError(
            _(
                "“%(name)s” could not be checked for viruses at the moment. Nothing has been sent yet: please try "
                "again in a few minutes."
            ),
            code="scan_unavailable",
            params={"name": upload.name},
        )
