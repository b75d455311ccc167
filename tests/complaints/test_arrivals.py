"""Officers who asked for it are told by e-mail of each case arriving in their service (their prefecture, for a
quality officer), once the case commits."""

import pytest

from complaints.services import case_submit
from qualipref.enums import Role
from qualipref.models import OutgoingEmail
from tests.qualipref.factories import MembershipFactory, PrefectureFactory, ServiceFactory, officer_of

from .test_public import FORM_URL


def agent(prefecture, service, *, notify=True, **fields):
    return MembershipFactory(
        prefecture=prefecture,
        role=Role.SERVICE_AGENT,
        service=service,
        user__is_staff=True,
        user__notify_new_cases=notify,
        **{f"user__{name}": value for name, value in fields.items()},
    ).user


@pytest.fixture
def staff(reunion):
    residence = reunion.services.get()
    other_service = ServiceFactory(prefecture=reunion, name="Permis de conduire")
    elsewhere = PrefectureFactory(department_code="94", slug="val-de-marne")
    return {
        "officer": officer_of(reunion, email="qualite@example.org", notify_new_cases=True),
        "quiet officer": officer_of(reunion, email="calme@example.org"),
        "agent": agent(reunion, residence, email="sejour@example.org"),
        "other agent": agent(reunion, other_service, email="permis@example.org"),
        "foreign officer": officer_of(elsewhere, email="val@example.org", notify_new_cases=True),
        "gone agent": agent(reunion, residence, email="parti@example.org", is_active=False),
    }


def arrivals():
    return sorted(OutgoingEmail.objects.filter(purpose="case_arrival").values_list("to", flat=True))


def test_a_case_filed_online_reaches_its_service_and_its_quality_officers(
    client, reunion, staff, on_commit_immediately, mailoutbox
):
    data = {
        "kind": "complaint",
        "service": reunion.services.get(name="Titres de séjour").pk,
        "topic": "counter",
        "subject": "Trois heures d'attente",
        "description": "J'ai attendu trois heures au guichet sans information.",
        "name": "Marie Hoarau",
        "email": "marie@example.org",
        "consent": "on",
    }
    assert client.post(FORM_URL, data).status_code == 302
    assert arrivals() == ["qualite@example.org", "sejour@example.org"]
    [message] = [sent for sent in mailoutbox if sent.to == ["sejour@example.org"]]
    assert "Nouvelle demande 974-" in message.subject
    assert "/admin/complaints/case/" in message.body and "Titres de séjour" in message.body
    html = message.alternatives[0][0]
    # Nothing of the citizen: the officer opens the case in the administration.
    assert "Marie Hoarau" not in message.body + html and "J'ai attendu" not in message.body + html


def test_a_case_without_a_service_reaches_the_quality_officers(reunion, staff, on_commit_immediately):
    data = {"kind": "suggestion", "topic": "other", "subject": "Idée", "description": "Un banc.", "service": None}
    case_submit(prefecture=reunion, data=data)
    assert arrivals() == ["qualite@example.org"]


def test_nobody_who_did_not_ask_is_told(reunion, on_commit_immediately):
    officer_of(reunion)
    case_submit(prefecture=reunion, data={"kind": "suggestion", "topic": "other", "subject": "x", "description": "y"})
    assert arrivals() == []
