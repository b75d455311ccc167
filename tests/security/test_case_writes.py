"""Writes on cases go through complaints/services.py, and the services check what they must whoever calls
them: a transfer going nowhere is refused by ``case_transfer`` itself, not only by the admin's form; a case
entered in the admin is created by the same service as any other (reference, history, acknowledgement)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from complaints.enums import Channel, Kind, Status
from complaints.models import Case
from complaints.services import case_enter, case_sort, case_transfer
from qualipref.mail import OutgoingEmail
from tests.complaints.factories import CaseFactory, topic_of
from tests.qualipref.factories import PrefectureFactory, ServiceFactory, officer_of


@pytest.fixture
def reunion():
    return PrefectureFactory(reunion=True)


@pytest.fixture
def officer(reunion):
    return officer_of(reunion)


def _stored(case):
    return Case.objects.values("prefecture_id", "service_id", "status").get(pk=case.pk)


# --- transfers: the destination is checked by the service ------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "destination, message",
    [
        ("nowhere", "Choisissez la destination du dossier."),
        ("both", "Choisissez soit un service de cette préfecture, soit une autre préfecture."),
        ("same_prefecture", "Choisissez la destination du dossier."),
        ("same_service", "Choisissez la destination du dossier."),
        ("service_elsewhere", "Choisissez l’un des services actifs de la préfecture."),
        ("inactive_service", "Choisissez l’un des services actifs de la préfecture."),
    ],
)
def test_case_transfer_refuses_a_destination_that_is_not_one(reunion, other, officer, destination, message):
    own = ServiceFactory(prefecture=reunion)
    case = CaseFactory(prefecture=reunion, service=own, status=Status.IN_PROGRESS)
    before = _stored(case)
    arguments = {
        "nowhere": {},
        "both": {"service": ServiceFactory(prefecture=reunion), "prefecture": other},
        "same_prefecture": {"prefecture": reunion},
        "same_service": {"service": own},
        "service_elsewhere": {"service": ServiceFactory(prefecture=other)},
        "inactive_service": {"service": ServiceFactory(prefecture=reunion, is_active=False)},
    }[destination]
    with pytest.raises(ValidationError) as refusal:
        case_transfer(case=case, by=officer, **arguments)
    assert refusal.value.messages == [message]
    assert _stored(case) == before
    assert not case.transitions.filter(to_status=Status.TRANSFERRED).exists()


@pytest.mark.django_db
def test_admin_transfer_form_shows_the_service_refusal_and_keeps_the_note(client, reunion, officer):
    case = CaseFactory(prefecture=reunion, status=Status.IN_PROGRESS)
    client.force_login(officer)
    response = client.post(
        reverse("admin:complaints_case_transfer", args=[case.pk]), {"note": "Compétence d'un autre service"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.non_field_errors() == ["Choisissez la destination du dossier."]
    assert "Choisissez la destination du dossier." in response.content.decode()
    assert form["note"].value() == "Compétence d'un autre service"
    assert _stored(case)["status"] == Status.IN_PROGRESS


# --- sorting a case: only the sorting fields, and the service by a transfer once set ----------------------------


@pytest.mark.django_db
def test_case_sort_refuses_to_move_a_case_to_another_service(reunion, officer):
    case = CaseFactory(prefecture=reunion, service=ServiceFactory(prefecture=reunion))
    case.service = ServiceFactory(prefecture=reunion)
    with pytest.raises(ValidationError):
        case_sort(case=case, by=officer, fields=["service"])
    assert _stored(case)["service_id"] != case.service_id


@pytest.mark.django_db
def test_case_sort_saves_only_sorting_fields_with_the_officer_in_the_history(reunion, officer):
    case = CaseFactory(prefecture=reunion, topic="mail", subject="Objet d'origine")
    case.topic, case.subject = topic_of(reunion, "counter"), "Objet réécrit"
    case_sort(case=case, by=officer, fields=["topic", "subject"])
    case.refresh_from_db()
    assert (case.topic.code, case.subject) == ("counter", "Objet d'origine")
    assert case.history.latest().history_user == officer


# --- an officer's entry in the admin is the service's entry ---------------------------------------------------


def _entry(prefecture, **changes):
    return {
        "prefecture": prefecture.pk,
        "channel": Channel.LETTER,
        "received_on": timezone.localdate().isoformat(),
        "kind": Kind.COMPLAINT,
        "service": "",
        "site": "",
        "topic": topic_of(prefecture, "mail").pk,
        "subject": "Courrier resté sans réponse",
        "description": "Lettre reçue au service courrier.",
        "name": "Jean Grondin",
        "email": "Jean.Grondin@example.org",
        "phone": "",
        "_save": "Save",
    } | changes


def _shape(case):
    """What a case entry leaves behind, apart from its own reference number."""
    return {
        "case": Case.objects.filter(pk=case.pk)
        .values("kind", "channel", "status", "topic", "subject", "email", "received_on", "due_on")
        .get(),
        "transitions": list(case.transitions.values_list("from_status", "to_status", "by")),
        "history": [(row.history_type, row.history_user_id) for row in case.history.order_by("history_id")],
        "emails": list(OutgoingEmail.objects.filter(to=case.email).values_list("purpose", flat=True)),
    }


@pytest.mark.django_db
def test_case_entered_in_the_admin_is_created_as_the_service_creates_it(client, reunion, officer):
    client.force_login(officer)
    response = client.post(reverse("admin:complaints_case_add"), _entry(reunion))
    assert response.status_code == 302
    by_admin = Case.objects.get()

    data = {
        "prefecture": reunion,
        "channel": Channel.LETTER,
        "received_on": timezone.localdate(),
        "kind": Kind.COMPLAINT,
        "topic": "mail",
        "subject": "Courrier resté sans réponse",
        "description": "Lettre reçue au service courrier.",
        "name": "Jean Grondin",
        "email": "Jean.Grondin@example.org",
    }
    OutgoingEmail.objects.update(to="first@example.org")  # tell the two acknowledgements apart
    Case.objects.filter(pk=by_admin.pk).update(email="first@example.org")
    by_service, _token = case_enter(data=data, by=officer)

    year = timezone.localdate().year
    assert (by_admin.reference, by_service.reference) == (f"974-{year}-000001", f"974-{year}-000002")
    expected = _shape(by_service)
    assert expected["emails"] == ["acknowledgement"]
    assert expected["history"][0] == ("+", officer.pk)
    by_admin.refresh_from_db()
    assert _shape(by_admin) == expected | {
        "case": expected["case"] | {"email": "first@example.org"},
        # the test's own update above is not a history row (queryset updates never are)
    }


@pytest.mark.django_db
def test_case_sort_refuses_a_topic_of_another_prefecture(reunion, officer):
    case = CaseFactory(prefecture=reunion, topic="mail")
    case.topic = topic_of(PrefectureFactory(department_code="33", slug="gironde"), "counter")
    with pytest.raises(ValidationError):
        case_sort(case=case, by=officer, fields=["topic"])
    assert Case.objects.get(pk=case.pk).topic == topic_of(reunion, "mail")
