"""Polyglot, disguised and oversized files sent through the citizen's forms: refused with a message that
names the file, nothing stored; what is accepted is only ever served as an inert attachment."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from complaints.models import Attachment, Case, Message
from complaints.services import case_submit
from tests.complaints.factories import PDF_BYTES
from tests.samples import LETTER_OBJECTS, pdf_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_immediately")]

FIVE_MB = 5 * 1024 * 1024
REFUSED = {
    "facture.pdf": b"<html><body><script>alert(1)</script></body></html>",
    "programme.pdf": b"MZ\x90\x00\x03" + b"\x00" * 500,  # a Windows executable
    "image.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "trop-gros.pdf": PDF_BYTES + b"0" * (FIVE_MB - len(PDF_BYTES) + 1),
}


def form(prefecture, **files):
    return {
        "kind": "complaint",
        "topic": "counter",
        "subject": "Attente",
        "description": "Trois heures.",
        "name": "Marie Hoarau",
        "email": "marie@example.org",
        "consent": "on",
        **files,
    }


def stored_files(settings):
    root = settings.MEDIA_ROOT
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.mark.parametrize("name", list(REFUSED))
def test_complaint_form_refuses_the_file_and_keeps_nothing(client, reunion, settings, name):
    upload = SimpleUploadedFile(name, REFUSED[name], content_type="application/pdf")
    response = client.post(reverse("complaints:new", args=[reunion.slug]), form(reunion, attachments=[upload]))
    assert response.status_code == 200
    assert name in response.content.decode()  # the message says which file was refused
    assert not Case.objects.exists() and not Attachment.objects.exists()
    assert stored_files(settings) == []


def test_one_bad_file_among_good_ones_refuses_the_submission_whole(client, reunion, settings):
    files = [
        SimpleUploadedFile("recepisse.pdf", PDF_BYTES),
        SimpleUploadedFile("image.svg", REFUSED["image.svg"]),
    ]
    response = client.post(reverse("complaints:new", args=[reunion.slug]), form(reunion, attachments=files))
    assert response.status_code == 200
    assert not Case.objects.exists() and stored_files(settings) == []


def test_exactly_five_megabytes_is_accepted(client, reunion):
    """Accepted, and stored as rewritten: what followed the PDF's end is gone, the size recorded is the stored one."""
    upload = SimpleUploadedFile("scan.pdf", PDF_BYTES + b"0" * (FIVE_MB - len(PDF_BYTES)))
    response = client.post(reverse("complaints:new", args=[reunion.slug]), form(reunion, attachments=[upload]))
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.size == attachment.file.size < FIVE_MB


@pytest.mark.parametrize("name", ["image.svg", "facture.pdf", "trop-gros.pdf"])
def test_tracking_reply_refuses_the_file(client, reunion, settings, name):
    _case, token = case_submit(prefecture=reunion, data=form(reunion))
    upload = SimpleUploadedFile(name, REFUSED[name])
    response = client.post(
        reverse("complaints:tracking", args=[token]), {"reply-text": "Voici", "reply-attachments": upload}
    )
    assert response.status_code == 200 and name in response.content.decode()
    assert not Message.objects.exists() and not Attachment.objects.exists()
    assert stored_files(settings) == []


def test_an_accepted_pdf_is_only_ever_served_as_an_inert_attachment(client, reunion):
    """A PDF may hold any text (even HTML in a page): it leaves as a download that no browser renders or sniffs."""
    text = b"BT /F1 12 Tf 72 720 Td (<html><script>alert(1)</script></html>) Tj ET"
    page_stream = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text)
    polyglot = pdf_bytes(*LETTER_OBJECTS[:3], page_stream, LETTER_OBJECTS[4])
    upload = SimpleUploadedFile("lettre.pdf", polyglot)
    response = client.post(reverse("complaints:new", args=[reunion.slug]), form(reunion, attachments=[upload]))
    token = re.search(r"/suivi/([\w-]+)/", client.get(response["Location"]).content.decode()).group(1)  # shown once
    attachment = Attachment.objects.get()
    response = client.get(reverse("complaints:tracking_attachment", args=[token, attachment.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_file_names_never_reach_the_disk_as_given(client, reunion, settings):
    upload = SimpleUploadedFile("../../../etc/<script>.pdf", PDF_BYTES)
    client.post(reverse("complaints:new", args=[reunion.slug]), form(reunion, attachments=[upload]))
    [path] = stored_files(settings)
    assert path.is_relative_to(settings.MEDIA_ROOT)
    assert "<" not in path.name and ".." not in str(path.relative_to(settings.MEDIA_ROOT))
    assert Attachment.objects.get().original_name == "script.pdf"
