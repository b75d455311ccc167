"""Request sizes: a body larger than its page accepts is refused (413) before it is read, with or without a
``Content-Length``; each kind of page accepts what its form needs (the public forms their attachments, the
delivery import its 1 GB file, other pages a form of text); the 413 page is a DSFR page in the visitor's language
that says how to send again. ``wsgi.input`` is replaced by a stream that records how much was read."""

from html import unescape

import pytest
from django.conf import settings
from django.urls import resolve, reverse
from django.utils import translation

from complaints.models import Case
from qualipref.request_limits import body_limit

from .test_uploads import form

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_immediately")]

MB = 1 << 20


class RecordingInput:
    """A client's body: ``head``, ``zeros`` zero bytes, then ``tail``, produced as it is read; records how much was
    read."""

    def __init__(self, zeros, head=b"", tail=b""):
        self.head, self.zeros, self.tail, self.read_bytes = head, zeros, tail, 0
        self.size = len(head) + zeros + len(tail)

    def read(self, size=-1):
        left = self.size - self.read_bytes
        size = left if size is None or size < 0 else min(size, left)
        start, self.read_bytes = self.read_bytes, self.read_bytes + size
        out = []
        for part_start, part in ((0, self.head), (len(self.head), None), (self.size - len(self.tail), self.tail)):
            part_end = part_start + (self.zeros if part is None else len(part))
            low, high = max(start, part_start), min(start + size, part_end)
            if low < high:
                out.append(b"\0" * (high - low) if part is None else part[low - part_start : high - part_start])
        return b"".join(out)

    def readline(self, size=-1):
        return self.read(size)


def multipart(size, fields, file_field):
    """A multipart form of ``size`` bytes in all: ``fields`` and a file of zeros in ``file_field``."""
    from django.test.client import encode_multipart

    head = encode_multipart("BoUnDaRy", fields).removesuffix(b"--BoUnDaRy--\r\n")
    head += (
        f'--BoUnDaRy\r\nContent-Disposition: form-data; name="{file_field}"; filename="scan.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    tail = b"\r\n--BoUnDaRy--\r\n"
    return RecordingInput(size - len(head) - len(tail), head, tail)


def post(client, url, stream, *, length, **extra):
    """POST ``stream`` as the body; ``length=None`` sends it chunked, without ``Content-Length``."""
    headers = {
        "CONTENT_LENGTH": "" if length is None else str(length),
        "CONTENT_TYPE": "multipart/form-data; boundary=BoUnDaRy",
        "wsgi.input": stream,
    }
    if length is None:
        headers["HTTP_TRANSFER_ENCODING"] = "chunked"
    return client.generic("POST", url, **headers, **extra)


@pytest.fixture
def complaint_url(reunion):
    return reverse("complaints:new", args=[reunion.slug])


def test_each_kind_of_page_accepts_what_its_form_needs(reunion):
    attachments = 3 * 5 * MB + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert body_limit(resolve(reverse("complaints:new", args=[reunion.slug]))) == attachments
    assert body_limit(resolve(reverse("complaints:tracking", args=["x" * 40]))) == attachments
    with translation.override("en"):
        assert reverse("complaints:new", args=[reunion.slug]).startswith("/en/")
        assert body_limit(resolve(reverse("complaints:new", args=[reunion.slug]))) == attachments
    assert body_limit(resolve(reverse("admin:delays_deliveryimport_add"))) == 1024 * MB + 2_621_440
    assert body_limit(resolve(reverse("admin:committee_meeting_add"))) == 100 * MB + 2_621_440
    assert body_limit(resolve(reverse("complaints:lost_link", args=[reunion.slug]))) == 2_621_440
    assert body_limit(resolve(reverse("committee:login"))) == 2_621_440


def test_a_body_over_the_limit_is_refused_before_it_is_read(client, complaint_url):
    """The finding: 300 MB sent to the public form were read whole before the form refused them."""
    stream = RecordingInput(300 * MB)
    response = post(client, complaint_url, stream, length=300 * MB)
    assert response.status_code == 413
    assert stream.read_bytes == 0
    assert not Case.objects.exists()


def test_a_chunked_body_over_the_limit_is_read_no_further_than_the_limit(client, complaint_url):
    stream = RecordingInput(300 * MB)
    response = post(client, complaint_url, stream, length=None)
    assert response.status_code == 413
    assert stream.read_bytes <= 3 * 5 * MB + settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
    assert not Case.objects.exists()


def test_a_chunked_body_within_the_limit_is_read_as_any_form(client, complaint_url):
    from django.test.client import encode_multipart

    body = encode_multipart("BoUnDaRy", form(None))
    response = post(client, complaint_url, RecordingInput(0, body), length=None)
    assert response.status_code == 302
    assert Case.objects.get().subject == "Attente"


def test_the_public_form_takes_its_attachments_and_no_more(client, complaint_url):
    limit = 3 * 5 * MB + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    stream = RecordingInput(limit + 1)
    assert post(client, complaint_url, stream, length=limit + 1).status_code == 413
    assert stream.read_bytes == 0
    # Within the limit the form reads the body and judges it: its file is larger than 5 MB, the form says so.
    stream = multipart(limit, form(None), "attachments")
    response = post(client, complaint_url, stream, length=limit)
    assert response.status_code == 200
    assert "scan.pdf" in response.content.decode()
    assert stream.read_bytes == limit


def test_a_text_form_takes_no_file_sized_body(client, reunion):
    stream = RecordingInput(3 * MB)
    response = post(client, reverse("complaints:lost_link", args=[reunion.slug]), stream, length=3 * MB)
    assert response.status_code == 413
    assert stream.read_bytes == 0


def test_the_delivery_import_takes_its_1_gb_file_and_no_more(client, officer):
    client.force_login(officer)
    url = reverse("admin:delays_deliveryimport_add")
    stream = RecordingInput(1100 * MB)
    assert post(client, url, stream, length=1100 * MB).status_code == 413
    assert stream.read_bytes == 0
    # Another administration page refuses a body the import would take.
    stream = RecordingInput(200 * MB)
    assert post(client, reverse("admin:committee_meeting_add"), stream, length=200 * MB).status_code == 413
    assert stream.read_bytes == 0


def test_the_delivery_import_reads_a_large_file_within_its_limit(client, officer, reunion):
    """A 200 MB file sent to the import is read (Django's parser streams it to disk) and judged by the form."""
    client.force_login(officer)
    stream = multipart(200 * MB, {"prefecture": reunion.pk}, "upload")
    response = post(client, reverse("admin:delays_deliveryimport_add"), stream, length=200 * MB)
    assert response.status_code == 200
    assert "NUL" in response.content.decode()  # zeros: refused by the file check, not by its size
    assert stream.read_bytes == 200 * MB


def test_too_many_fields_get_the_same_page(client, reunion):
    data = {f"field{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = client.post(reverse("complaints:lost_link", args=[reunion.slug]), data)
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("prefix", "title", "advice"),
    [
        ("", "Envoi trop volumineux", "Utilisez le bouton «\u00a0Précédent\u00a0» de votre navigateur"),
        ("/en", "Too large to be sent", "Use your browser's Back button"),
    ],
)
def test_the_413_page_is_a_dsfr_page_that_says_how_to_send_again(client, reunion, prefix, title, advice):
    url = prefix + reverse("complaints:new", args=[reunion.slug])
    response = post(client, url, RecordingInput(300 * MB), length=300 * MB, HTTP_REFERER=f"http://testserver{url}")
    assert response.status_code == 413
    html = unescape(response.content.decode())
    assert f"<h1>{title}</h1>" in html
    assert advice in html
    assert "fr-header" in html  # the State's header
    assert ("17,5" if not prefix else "17.5") in html  # the page's limit
    assert f'href="{url}"' in html  # back to the form
