import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from qualipref.uploads import safe_filename, validate_upload
from tests.complaints.factories import JPEG_BYTES, PDF_BYTES, PNG_BYTES


@pytest.mark.parametrize(
    ("name", "content", "mime", "safe"),
    [
        ("Récépissé préfecture.pdf", PDF_BYTES, "application/pdf", "Recepisse-prefecture.pdf"),
        ("photo.JPG", JPEG_BYTES, "image/jpeg", "photo.jpg"),
        ("scan.png", PNG_BYTES, "image/png", "scan.png"),
        # The content decides, not the name: a PNG called .pdf is stored as a PNG.
        ("scan.pdf", PNG_BYTES, "image/png", "scan.png"),
    ],
)
def test_accepted_files(name, content, mime, safe):
    upload = validate_upload(SimpleUploadedFile(name, content, content_type="application/octet-stream"))
    assert upload.detected_type == mime
    assert upload.safe_name == safe


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("virus.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "bad_type"),  # a Windows executable
        ("page.pdf", b"<html><script>alert(1)</script></html>", "bad_type"),
        ("notes.txt", b"just text", "bad_type"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_refused_files(name, content, code):
    with pytest.raises(ValidationError) as error:
        validate_upload(SimpleUploadedFile(name, content, content_type="application/pdf"))
    assert error.value.code == code


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("polyglot.png", PNG_BYTES + b"<script>alert(document.cookie)</script>"),
        ("polyglot.jpg", JPEG_BYTES + b"<svg onload=alert(1)>"),
    ],
)
def test_markup_riding_on_an_image_is_dropped_not_stored(name, content):
    """The stored image is Pillow's re-encoding of the pixels: markup around them is gone. The bytes received are not
    searched for markup: in a photo's compressed data « <svg » occurs by chance (about one 5 MB photo in a hundred),
    and a citizen's real photo must not be refused for it."""
    stored = validate_upload(SimpleUploadedFile(name, content)).read()
    assert b"<script" not in stored and b"<svg" not in stored and b"alert" not in stored


def test_oversized_file_is_refused(settings):
    settings.COMPLAINTS_MAX_ATTACHMENT_BYTES = 1024
    with pytest.raises(ValidationError) as error:
        validate_upload(SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * 2048))
    assert error.value.code == "too_large"


def test_five_megabytes_is_the_default_limit(settings):
    assert settings.COMPLAINTS_MAX_ATTACHMENT_BYTES == 5 * 1024 * 1024


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd.pdf"),
        ("C:\\Users\\moi\\lettre.pdf", "lettre.pdf"),
        ("<script>.pdf", "script.pdf"),
        ("....pdf", "pdf.pdf"),
        ("...", "document.pdf"),
        ("a" * 300 + ".pdf", "a" * 80 + ".pdf"),
    ],
)
def test_file_names_are_sanitised(name, expected):
    assert safe_filename(name, "pdf") == expected


def test_allowed_types_can_be_narrowed():
    with pytest.raises(ValidationError) as error:
        validate_upload(SimpleUploadedFile("photo.png", PNG_BYTES), allowed=("application/pdf",))
    assert error.value.code == "bad_type"
    assert "PDF" in error.value.messages[0] and "PNG" not in error.value.messages[0]
