"""Open311 media: ``media_url`` kept as a link (never fetched: no server-side request forgery) and shown back by GET;
files sent as ``media`` checked as the web form's documents."""

import http.server
import threading
import xml.etree.ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from complaints.models import Attachment, Case
from complaints.retention import _anonymise_batch
from qualipref.apiclients import api_key_issue
from qualipref.models import ApiClient
from tests.qualipref.factories import officer_of
from tests.samples import PNG_BYTES

from .test_open311 import BASE, request_data


@pytest.fixture
def app(reunion):
    client = ApiClient(name="Dans ma rue", contact_email="dev@example.org")
    key = api_key_issue(client=client)
    client.prefectures.add(reunion)
    return client, key


PHOTO = "https://photos.dansmarue.example.org/signalements/4521.jpg?taille=grande"


def test_a_media_url_is_kept_on_the_case_and_shown_back_in_json_and_xml(client, reunion, app):
    _client, key = app
    response = client.post(f"{BASE}/requests.json", request_data(reunion, key, media_url=PHOTO))
    assert response.status_code == 201, response.content
    reference = response.json()[0]["service_request_id"]
    assert Case.objects.get(reference=reference).media_url == PHOTO
    status = client.get(f"{BASE}/requests/{reference}.json", HTTP_X_API_KEY=key).json()[0]
    assert status["media_url"] == PHOTO
    xml = ET.fromstring(client.get(f"{BASE}/requests/{reference}.xml", HTTP_X_API_KEY=key).content)
    assert xml.find("request").findtext("media_url") == PHOTO


def test_a_request_without_media_says_so(client, reunion, app):
    _client, key = app
    reference = client.post(f"{BASE}/requests.json", request_data(reunion, key)).json()[0]["service_request_id"]
    assert client.get(f"{BASE}/requests/{reference}.json", HTTP_X_API_KEY=key).json()[0]["media_url"] is None
    assert Case.objects.get(reference=reference).media_url == ""


@pytest.fixture
def listening():
    """A real HTTP server on this machine, counting the requests it gets."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], hits
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "address",
    [
        "http://127.0.0.1:{port}/photo.jpg",
        "http://localhost:{port}/photo.jpg",
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://10.0.0.5/intranet.png",
        "http://[::1]:{port}/photo.jpg",
        "http://intranet/photo.jpg",
        "http://redis.internal:6379/",
        "https://user:secret@photos.example.org/photo.jpg",
        "javascript:alert(document.cookie)",
        "data:image/png;base64,iVBORw0KGgo=",
        "file:///etc/passwd",
        "ftp://photos.example.org/photo.jpg",
        "https://photos.example.org/" + "a" * 500,
    ],
)
def test_an_address_that_is_not_a_public_link_is_refused_and_never_fetched(client, reunion, app, listening, address):
    port, hits = listening
    _client, key = app
    response = client.post(f"{BASE}/requests.json", request_data(reunion, key, media_url=address.format(port=port)))
    assert response.status_code == 400
    [refusal] = response.json()
    assert refusal["description"].startswith("media_url: Indiquez l’adresse publique")
    assert not Case.objects.exists() and hits == []


def test_the_officer_sees_the_link_opened_by_their_own_browser(client, reunion, app):
    _client, key = app
    reference = client.post(f"{BASE}/requests.json", request_data(reunion, key, media_url=PHOTO)).json()[0][
        "service_request_id"
    ]
    case = Case.objects.get(reference=reference)
    client.force_login(officer_of(reunion))
    html = client.get(f"/admin/complaints/case/{case.pk}/change/").content.decode()
    link = PHOTO.replace("&", "&amp;")
    assert f'<a href="{link}" target="_blank" rel="noopener noreferrer nofollow">{link}</a>' in html
    assert "non vérifié par le portail" in html


def test_files_sent_as_media_are_the_cases_documents_checked_as_the_web_forms(client, reunion, app):
    _client, key = app
    photo = SimpleUploadedFile("photo.png", PNG_BYTES, content_type="image/png")
    response = client.post(f"{BASE}/requests.json", {**request_data(reunion, key), "media": photo})
    assert response.status_code == 201, response.content
    case = Case.objects.get(reference=response.json()[0]["service_request_id"])
    [attachment] = case.attachments.all()
    assert attachment.content_type == "image/png" and attachment.uploaded_by_citizen

    page = SimpleUploadedFile("photo.png", b"<html><script>alert(1)</script></html>", content_type="image/png")
    refused = client.post(f"{BASE}/requests.json", {**request_data(reunion, key), "media": page})
    assert refused.status_code == 400
    assert refused.json()[0]["description"].startswith("media: ")
    assert Case.objects.count() == 1 and Attachment.objects.count() == 1


def test_anonymising_a_case_forgets_its_media_url(client, reunion, app):
    _client, key = app
    reference = client.post(f"{BASE}/requests.json", request_data(reunion, key, media_url=PHOTO)).json()[0][
        "service_request_id"
    ]
    case = Case.objects.get(reference=reference)
    _anonymise_batch([case.pk], timezone.now())
    case.refresh_from_db()
    assert case.media_url == "" and not case.history.exclude(media_url="").exists()
