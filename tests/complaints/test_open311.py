"""Open311 GeoReport v2: another public app files a case with its key, the web form's checks and acknowledgement,
then follows its status; JSON and XML; keys, prefectures and rates enforced; described by OpenAPI."""

import xml.etree.ElementTree as ET

import pytest
from django.core import mail
from django.urls import reverse

from complaints.enums import Channel, Status
from complaints.models import Case
from complaints.services import case_transition
from qualipref.apiclients import api_key_issue, fingerprint
from qualipref.models import ApiClient
from tests.qualipref.factories import PrefectureFactory, coordinator, officer_of

BASE = "/api/open311/v2"


@pytest.fixture
def app(reunion):
    client = ApiClient(name="Démarches simplifiées", contact_email="dev@example.org")
    key = api_key_issue(client=client)
    client.prefectures.add(reunion)
    return client, key


def request_data(reunion, key, **overrides):
    data = {
        "api_key": key,
        "jurisdiction_id": "974",
        "service_code": "counter",
        "description": "Trois heures d'attente au guichet.\nPersonne pour renseigner.",
        "first_name": "Marie",
        "last_name": "Hoarau",
        "email": "marie@example.org",
        "attribute[service]": str(reunion.services.get().pk),
        "attribute[consent]": "true",
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def test_the_services_are_the_topics(client, reunion):
    services = client.get(f"{BASE}/services.json", {"jurisdiction_id": "974"}).json()
    assert {service["service_code"] for service in services} >= {"counter", "processing_time", "other"}
    counter = next(service for service in services if service["service_code"] == "counter")
    assert counter["type"] == "realtime" and counter["metadata"] is True
    xml = ET.fromstring(client.get(f"{BASE}/services.xml", {"jurisdiction_id": "974"}).content)
    assert xml.tag == "services" and {node.findtext("service_code") for node in xml} == {
        service["service_code"] for service in services
    }
    assert client.get(f"{BASE}/services.json", {"jurisdiction_id": "999"}).status_code == 404


def test_a_services_definition_lists_the_prefectures_services_and_sites(client, reunion):
    definition = client.get(f"{BASE}/services/counter.json", {"jurisdiction_id": "974"}).json()
    by_code = {attribute["code"]: attribute for attribute in definition["attributes"]}
    assert set(by_code) == {"kind", "subject", "service", "site", "consent"}
    assert by_code["service"]["values"] == [{"key": str(reunion.services.get().pk), "name": "Titres de séjour"}]
    assert client.get(f"{BASE}/services/nope.json", {"jurisdiction_id": "974"}).status_code == 404


def test_an_app_files_a_case_as_the_web_form_does(client, reunion, app, on_commit_immediately):
    _client, key = app
    response = client.post(f"{BASE}/requests.json", request_data(reunion, key))
    assert response.status_code == 201, response.content
    [created] = response.json()
    case = Case.objects.get(reference=created["service_request_id"])
    assert case.channel == Channel.API and case.api_client == app[0]
    assert case.subject == "Trois heures d'attente au guichet."
    assert (case.name, case.email, case.service.name) == ("Marie Hoarau", "marie@example.org", "Titres de séjour")
    assert case.consent_at is not None and case.status == Status.NEW
    # The citizen gets the web form's acknowledgement, with their private link.
    [acknowledgement] = mail.outbox
    assert acknowledgement.to == ["marie@example.org"] and case.reference in acknowledgement.subject
    assert "/suivi/" in acknowledgement.body


def test_the_app_follows_the_status_of_its_cases_only(client, reunion, app):
    _client, key = app
    reference = client.post(f"{BASE}/requests.json", request_data(reunion, key)).json()[0]["service_request_id"]
    status = client.get(f"{BASE}/requests/{reference}.json", HTTP_X_API_KEY=key).json()[0]
    assert status["service_request_id"] == reference and status["status"] == "open"
    assert status["agency_responsible"] == "Titres de séjour" and status["expected_datetime"]
    case = Case.objects.get(reference=reference)
    case_transition(case=case, to=Status.REJECTED, by=officer_of(reunion), note="Hors champ.")
    xml = ET.fromstring(client.get(f"{BASE}/requests/{reference}.xml", HTTP_X_API_KEY=key).content)
    assert xml.tag == "service_requests" and xml.find("request").findtext("status") == "closed"
    # Another app, or no key, or the key in the address: nothing.
    other_key = api_key_issue(client=ApiClient(name="Autre", contact_email="a@example.org"))
    assert client.get(f"{BASE}/requests/{reference}.json", HTTP_X_API_KEY=other_key).status_code == 404
    assert client.get(f"{BASE}/requests/{reference}.json").status_code == 403
    assert client.get(f"{BASE}/requests/{reference}.json", {"api_key": key}).status_code == 400


def test_the_web_forms_checks_answer_in_open311s_errors(client, reunion, app):
    _client, key = app
    response = client.post(f"{BASE}/requests.json", request_data(reunion, key, email=None))
    assert response.status_code == 400
    assert response.json() == [
        {"code": 400, "description": "email: Indiquez votre adresse électronique\u00a0: nous y envoyons la réponse."}
    ]
    no_consent = client.post(f"{BASE}/requests.xml", request_data(reunion, key, **{"attribute[consent]": None}))
    errors = ET.fromstring(no_consent.content)
    assert no_consent.status_code == 400 and errors.tag == "errors"
    assert errors.find("error").findtext("code") == "400" and "consent" in errors.find("error").findtext("description")
    english = client.post(f"/en{BASE}/requests.json", request_data(reunion, key, service_code="nope"))
    assert "Select a valid choice" in english.json()[0]["description"]
    assert not Case.objects.exists()


def test_keys_prefectures_and_the_rate_are_enforced(client, reunion, app, settings):
    api_client, key = app
    assert api_client.key_fingerprint == fingerprint(key) and key not in {api_client.key_hint, api_client.name}
    assert client.post(f"{BASE}/requests.json", request_data(reunion, "wrong")).status_code == 403
    gironde = PrefectureFactory(department_code="33", slug="gironde")
    assert client.post(f"{BASE}/requests.json", request_data(reunion, key, jurisdiction_id="33")).status_code == 403
    assert gironde.cases.count() == 0
    settings.OPEN311_RATE = "2/h"
    for _ in range(2):
        assert client.post(f"{BASE}/requests.json", request_data(reunion, key)).status_code == 201
    assert client.post(f"{BASE}/requests.json", request_data(reunion, key)).status_code == 429
    api_client.is_active = False
    api_client.save()
    assert client.post(f"{BASE}/requests.json", request_data(reunion, key)).status_code == 403
    assert Case.objects.count() == 2


def test_the_national_coordinator_gives_a_key_shown_once(client, reunion):
    client.force_login(coordinator())
    response = client.post(
        reverse("admin:qualipref_apiclient_add"),
        {
            "name": "Service-Public+",
            "contact_email": "dev@example.org",
            "prefectures": [reunion.pk],
            "is_active": "on",
        },
        follow=True,
    )
    created = ApiClient.objects.get()
    page = response.content.decode()
    key = page.split("<code>")[1].split("</code>")[0]
    assert created.key_fingerprint == fingerprint(key)
    assert key not in client.get(reverse("admin:qualipref_apiclient_change", args=[created.pk])).content.decode()
    # A quality officer may not see nor give keys.
    client.force_login(officer_of(reunion))
    assert client.get(reverse("admin:qualipref_apiclient_add")).status_code == 403


def test_the_api_is_described_by_openapi(client):
    schema = client.get(f"{BASE}/openapi/", {"format": "json"}).json()
    assert schema["info"]["title"] == "Qualipref – Open311 GeoReport v2"
    assert set(schema["paths"]) == {
        f"{BASE}/{route}.{fmt}"
        for route in ("services", "services/{service_code}", "requests", "requests/{service_request_id}")
        for fmt in ("json", "xml")
    }


def test_the_demo_app_files_with_its_known_key(client, reunion):
    from qualipref.demo import DEMO_API_KEY, load_api_client

    load_api_client()
    load_api_client()  # idempotent
    response = client.post(f"{BASE}/requests.json", request_data(reunion, DEMO_API_KEY))
    assert response.status_code == 201
    assert ApiClient.objects.get().prefectures.get() == reunion
