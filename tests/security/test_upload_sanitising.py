"""Hostile files that pass the type check are refused or neutralised before they are stored (qualipref/uploads.py):
images re-encoded by Pillow (markup in metadata and after the image gone), PDFs with active content refused —
in object streams and behind hex-escaped names too —, PDFs rewritten without what followed their end or refused
when an HTML page or an executable follows; normal files still open. With CLAMAV_URL set, a real clamd (started
here on a temporary socket with a test signature for EICAR) refuses an infected file, and a scanner that does not
answer refuses the upload with a "try again" message."""

import io
import os
import shutil
import subprocess
import time
from pathlib import Path

import pikepdf
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from complaints.models import Attachment, Case
from qualipref.uploads import validate_upload
from tests.samples import JPEG_BYTES, LETTER_OBJECTS, PDF_BYTES, PNG_BYTES, image_bytes, pdf_bytes

CLAMD = Path("/usr/sbin/clamd")
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
MARKUP = b"<img src=x onerror=alert(document.domain)>"


def upload(name, content):
    return validate_upload(SimpleUploadedFile(name, content, content_type="application/octet-stream"))


def refused(name, content):
    with pytest.raises(ValidationError) as error:
        upload(name, content)
    assert name in error.value.messages[0]
    return error.value.code


def letter_with_catalog(catalog, *extra):
    return pdf_bytes(catalog, *LETTER_OBJECTS[1:], *extra)


# --- images ----------------------------------------------------------------------------------------------


def test_markup_in_an_images_metadata_and_after_it_is_dropped():
    exif = Image.Exif()
    exif[0x010E] = MARKUP.decode()  # ImageDescription
    exif[0x0112] = 6  # Orientation: kept, or the photo turns sideways
    jpeg = image_bytes("JPEG", quality=90, exif=exif, comment=MARKUP) + b"<body onload=alert(1)>"
    stored = upload("photo.jpg", jpeg)
    data = stored.read()
    assert b"onerror" not in data and b"onload" not in data and b"<img" not in data
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.format == "JPEG" and image.size == (32, 24)
    assert image.getexif().get(0x0112) == 6 and 0x010E not in image.getexif()
    assert stored.size == len(data) and stored.safe_name == "photo.jpg"


def test_markup_in_a_png_text_chunk_is_dropped():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", MARKUP.decode())
    stored = upload("scan.png", image_bytes("PNG", pnginfo=info) + MARKUP)
    data = stored.read()
    assert MARKUP not in data and b"onerror" not in data
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.size == (32, 24) and "Comment" not in image.info
    original = Image.open(io.BytesIO(PNG_BYTES))
    assert [image.getpixel((x, 0)) for x in range(3)] == [original.getpixel((x, 0)) for x in range(3)]


def test_normal_images_still_open():
    for name, content in (("photo.jpg", JPEG_BYTES), ("scan.png", PNG_BYTES)):
        image = Image.open(upload(name, content))
        image.load()
        assert image.size == (32, 24)


def test_a_decompression_bomb_is_refused_before_it_is_decoded(settings):
    settings.UPLOADS_MAX_IMAGE_PIXELS = 1_000_000
    image = Image.new("1", (4000, 4000))  # 16 million pixels, a few kilobytes compressed
    output = io.BytesIO()
    image.save(output, "PNG")
    bomb = output.getvalue()
    assert len(bomb) < 100_000
    assert refused("bombe.png", bomb) == "too_many_pixels"


def test_a_truncated_image_is_refused():
    assert refused("coupee.jpg", JPEG_BYTES[: len(JPEG_BYTES) // 2]) == "damaged"


# --- PDFs ------------------------------------------------------------------------------------------------

CATALOG = b"<< /Type /Catalog /Pages 2 0 R "
HOSTILE_PDFS = {
    "openaction-js.pdf": letter_with_catalog(CATALOG + b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"),
    # The same, names hex-escaped: /#4A#61vaScript is /JavaScript, /#4A#53 is /JS.
    "hex.pdf": letter_with_catalog(CATALOG + b"/OpenAction << /S /#4A#61vaScript /#4A#53 (app.alert(1)) >> >>"),
    "names-js.pdf": letter_with_catalog(CATALOG + b"/Names << /JavaScript 6 0 R >> >>", b"<< /Names [] >>"),
    "launch.pdf": letter_with_catalog(CATALOG + b"/OpenAction << /S /Launch /F (cmd.exe) >> >>"),
    "open-uri.pdf": letter_with_catalog(CATALOG + b"/OpenAction << /S /URI /URI (http://evil.example/) >> >>"),
    "aa.pdf": letter_with_catalog(CATALOG + b"/AA << /WC << /S /SubmitForm /F (http://evil.example/) >> >> >>"),
    "xfa.pdf": letter_with_catalog(CATALOG + b"/AcroForm << /Fields [] /XFA 6 0 R >> >>", b"<< >>"),
    "embedded.pdf": letter_with_catalog(
        CATALOG + b"/Names << /EmbeddedFiles << /Names [(a.exe) 6 0 R] >> >> >>",
        b"<< /Type /Filespec /F (a.exe) /EF << /F 7 0 R >> >>",
        b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream",
    ),
    "import.pdf": letter_with_catalog(CATALOG + b"/OpenAction << /S /ImportData /F (data.fdf) >> >>"),
    "richmedia.pdf": pdf_bytes(
        *LETTER_OBJECTS[:2],
        LETTER_OBJECTS[2][:-3] + b" /Annots [6 0 R] >>",
        *LETTER_OBJECTS[3:],
        b"<< /Type /Annot /Subtype /RichMedia /Rect [0 0 10 10] >>",
    ),
}


def pdf_in_object_streams(source):
    """``source`` saved by qpdf with its dictionaries compressed in object streams: no name is readable as bytes."""
    output = io.BytesIO()
    with pikepdf.open(io.BytesIO(source)) as pdf:
        pdf.save(output, object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True)
    return output.getvalue()


@pytest.mark.parametrize("name", list(HOSTILE_PDFS))
def test_pdfs_with_active_content_are_refused(name):
    assert refused(name, HOSTILE_PDFS[name]) == "active_content"


def test_active_content_hidden_in_an_object_stream_is_refused():
    hidden = pdf_in_object_streams(HOSTILE_PDFS["openaction-js.pdf"])
    assert b"/JavaScript" not in hidden and b"/OpenAction" not in hidden and b"/ObjStm" in hidden
    assert refused("objstm.pdf", hidden) == "active_content"


@pytest.mark.parametrize(
    "payload",
    [b"<html><body><script>alert(1)</script></body></html>", b"\nMZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200],
)
def test_a_pdf_followed_by_a_page_or_an_executable_is_refused(payload):
    assert refused("facture.pdf", PDF_BYTES + payload) == "polyglot"


def test_a_pdf_is_stored_rewritten_without_what_followed_its_end():
    stored = upload("scan.pdf", PDF_BYTES + b"\x00\x00 trailing junk from the scanner " * 10)
    data = stored.read()
    assert b"junk" not in data and data.rstrip().endswith(b"%%EOF")
    assert stored.size == len(data)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == 1
        assert b"Recepisse de depot" in pdf.pages[0].Contents.read_bytes()


def test_normal_pdfs_keep_their_pages_links_and_goto_open_actions():
    link = (
        b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /URI /URI (https://www.service-public.fr/) >> >>"
    )
    pdf = pdf_bytes(
        CATALOG + b"/OpenAction [3 0 R /Fit] >>",
        *LETTER_OBJECTS[1:2],
        LETTER_OBJECTS[2][:-3] + b" /Annots [6 0 R] >>",
        *LETTER_OBJECTS[3:],
        link,
    )
    data = upload("lettre.pdf", pdf).read()
    with pikepdf.open(io.BytesIO(data)) as opened:
        assert len(opened.pages) == 1
        assert str(opened.pages[0].Annots[0].A.URI) == "https://www.service-public.fr/"


def test_a_password_protected_pdf_is_refused_with_a_clear_message():
    output = io.BytesIO()
    with pikepdf.open(io.BytesIO(PDF_BYTES)) as pdf:
        pdf.save(output, encryption=pikepdf.Encryption(user="secret", owner="secret"))
    assert refused("protege.pdf", output.getvalue()) == "encrypted"


# --- through the citizen's form: nothing hostile reaches the disk ------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("on_commit_immediately")
def test_the_complaint_form_stores_the_sanitised_file_with_its_fingerprint(client, reunion):
    import hashlib

    jpeg = image_bytes("JPEG", quality=90, comment=MARKUP)
    data = {
        "kind": "complaint",
        "topic": "counter",
        "subject": "Attente",
        "description": "Trois heures.",
        "name": "Marie Hoarau",
        "email": "marie@example.org",
        "consent": "on",
        "attachments": [SimpleUploadedFile("photo.jpg", jpeg)],
    }
    response = client.post(reverse("complaints:new", args=[reunion.slug]), data)
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    with attachment.file.open("rb") as file:
        stored = file.read()
    assert MARKUP not in stored
    assert attachment.size == len(stored) and attachment.sha256 == hashlib.sha256(stored).hexdigest()


# --- virus scan ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def clamd(tmp_path_factory):
    """A real clamd on a temporary Unix socket, its only database a signature for the EICAR test string."""
    if not CLAMD.exists():
        reason = f"{CLAMD} is missing: install Debian's clamav-daemon (apt-get install clamav-daemon), as .ci/run does"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    root = tmp_path_factory.mktemp("clamd")
    (root / "db").mkdir()
    (root / "db" / "qualipref-test.ndb").write_text(f"Qualipref.Test.EICAR:0:*:{EICAR.hex()}\n")
    socket = root / "clamd.sock"
    config = root / "clamd.conf"
    config.write_text(
        f"LocalSocket {socket}\nDatabaseDirectory {root / 'db'}\nForeground yes\nLogFile {root / 'clamd.log'}\n"
        f"PidFile {root / 'clamd.pid'}\nTemporaryDirectory {root}\n"
    )
    process = subprocess.Popen([str(CLAMD), "--config-file", str(config)], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not socket.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"clamd did not start: {process.stderr.read().decode()[-2000:]}")
        time.sleep(0.2)
    yield f"unix://{socket}"
    process.terminate()
    process.wait(timeout=30)
    shutil.rmtree(root, ignore_errors=True)


def test_eicar_is_refused_when_the_scan_is_on(settings, clamd):
    settings.CLAMAV_URL = clamd
    assert refused("facture.pdf", PDF_BYTES + EICAR) == "infected"
    assert refused("photo.png", image_bytes("PNG", pnginfo=_text_chunk(EICAR))) == "infected"
    assert Image.open(upload("scan.png", PNG_BYTES)).size == (32, 24)  # a clean file passes the scan


def test_without_the_scan_the_same_file_is_stored_without_its_payload(settings):
    settings.CLAMAV_URL = ""
    assert EICAR not in upload("facture.pdf", PDF_BYTES + EICAR).read()


def test_an_unreachable_scanner_refuses_the_upload_and_logs_an_error(settings, tmp_path, caplog):
    settings.CLAMAV_URL = f"unix://{tmp_path / 'nobody.sock'}"
    assert refused("lettre.pdf", PDF_BYTES) == "scan_unavailable"
    assert any(record.levelname == "ERROR" and "virus scan" in record.getMessage() for record in caplog.records)


@pytest.mark.django_db
@pytest.mark.usefixtures("on_commit_immediately")
def test_an_unreachable_scanner_keeps_what_the_citizen_typed(client, reunion, settings, tmp_path):
    settings.CLAMAV_URL = f"unix://{tmp_path / 'nobody.sock'}"
    data = {
        "kind": "complaint",
        "topic": "counter",
        "subject": "Attente au guichet",
        "description": "Trois heures debout.",
        "name": "Marie Hoarau",
        "email": "marie@example.org",
        "consent": "on",
        "attachments": [SimpleUploadedFile("lettre.pdf", PDF_BYTES)],
    }
    response = client.post(reverse("complaints:new", args=[reunion.slug]), data)
    page = response.content.decode()
    assert response.status_code == 200 and not Case.objects.exists()
    assert "Trois heures debout." in page and "Attente au guichet" in page and "lettre.pdf" in page


def _text_chunk(content):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", content.decode())
    return info


@pytest.mark.parametrize(("url", "errors"), [("", []), ("tcp://clamav:3310", []), ("clamav:3310", ["qualipref.E001"])])
def test_a_malformed_scanner_address_is_refused_at_start_up(settings, url, errors):
    from django.core.checks import run_checks

    settings.CLAMAV_URL = url
    assert [message.id for message in run_checks() if message.id.startswith("qualipref.E")] == errors
