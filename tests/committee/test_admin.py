"""The committee in the admin: scoped, actions through services, overdue actions that stand out."""

import datetime
import hashlib

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from committee.enums import ActionStatus, Verdict
from committee.models import AgendaItem, Document, ImprovementAction, Meeting, SuggestionOpinion
from tests.complaints.factories import PDF_BYTES, PNG_BYTES, CaseFactory
from tests.qualipref.factories import officer_of

from .factories import AgendaItemFactory, ImprovementActionFactory, MeetingFactory, MemberFactory


@pytest.fixture
def officer_client(client, committee):
    client.force_login(officer_of(committee.prefecture))
    return client


def _value(bound):
    value = bound.value()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return value


def change_form_data(response):
    """What the browser would post back unchanged: the main form and every inline formset."""
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        data[name] = _value(form[name])
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for sub in formset.forms:
            for name in sub.fields:
                data[sub.add_prefix(name)] = _value(sub[name])
    return {k: v for k, v in data.items() if v != ""}


def new_meeting_data(response, committee):
    """The add form of a meeting, filled: a plenary on 12 March 2031, 9:30 to 12:00, no inline row."""
    data = change_form_data(response) | {
        "committee": committee.pk,
        "title": "Plénière",
        "status": "planned",
        "date": "2031-03-12",
        "start_time": "09:30",
        "end_time": "12:00",
    }
    for prefix in ("agenda_items", "documents", "invitations", "opinions"):
        data.setdefault(f"{prefix}-TOTAL_FORMS", "0")
        data.setdefault(f"{prefix}-INITIAL_FORMS", "0")
    return data


def test_overdue_actions_stand_out_in_the_list(officer_client, committee):
    today = committee.prefecture.today()
    ImprovementActionFactory(prefecture=committee.prefecture, title="En retard", due_on=today - datetime.timedelta(1))
    ImprovementActionFactory(prefecture=committee.prefecture, title="À l'heure", due_on=today + datetime.timedelta(9))
    response = officer_client.get(reverse("admin:committee_improvementaction_changelist"))
    html = response.content.decode()
    assert html.count("color: #ce0500") == 1
    assert "overdue" in html or "en retard" in html
    filtered = officer_client.get(reverse("admin:committee_improvementaction_changelist"), {"overdue": "yes"})
    assert [a.title for a in filtered.context["cl"].result_list] == ["En retard"]


def test_the_action_form_moves_the_status_through_the_workflow(officer_client, committee):
    action = ImprovementActionFactory(prefecture=committee.prefecture, status=ActionStatus.IN_PROGRESS)
    url = reverse("admin:committee_improvementaction_change", args=[action.pk])
    data = change_form_data(officer_client.get(url)) | {"new_status": ActionStatus.DONE}
    refused = officer_client.post(url, data)
    assert refused.status_code == 200 and "outcome" in refused.context["adminform"].form.errors
    response = officer_client.post(url, data | {"outcome": "Attente moyenne : 52 → 31 minutes."})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert action.transitions.get().to_status == ActionStatus.DONE


def test_an_action_created_in_the_admin_needs_an_origin_and_keeps_it(officer_client, committee):
    case = CaseFactory(prefecture=committee.prefecture)
    url = reverse("admin:committee_improvementaction_add")
    data = change_form_data(officer_client.get(url)) | {"prefecture": committee.prefecture.pk, "title": "Signalétique"}
    data.pop("origin_cases", None)
    assert officer_client.post(url, data).status_code == 200
    assert officer_client.post(url, data | {"origin_cases": str(case.pk)}).status_code == 302
    action = ImprovementAction.objects.get(title="Signalétique")
    assert list(action.origin_cases.all()) == [case]
    assert action.transitions.get().to_status == ActionStatus.PROPOSED


def test_an_officer_cannot_cite_another_prefecture_case(officer_client, committee, other):
    foreign = CaseFactory(prefecture=other)
    url = reverse("admin:committee_improvementaction_add")
    data = change_form_data(officer_client.get(url)) | {
        "prefecture": committee.prefecture.pk,
        "title": "Emprunt",
        "origin_cases": str(foreign.pk),
    }
    response = officer_client.post(url, data)
    assert response.status_code == 200 and "origin_cases" in response.context["adminform"].form.errors
    assert not ImprovementAction.objects.exists()


def test_send_invitations_from_the_meeting_list(officer_client, committee, on_commit_immediately):
    MemberFactory(committee=committee, email="membre@example.org")
    meeting = MeetingFactory(committee=committee)
    officer_client.post(
        reverse("admin:committee_meeting_changelist"),
        {"action": "send_invitations", "_selected_action": [meeting.pk]},
    )
    assert [m.to for m in mail.outbox] == [["membre@example.org"]]
    assert mail.outbox[0].attachments[0][0] == "invitation.ics"


def test_forwarded_suggestions_become_agenda_candidates_then_items(officer_client, committee):
    forwarded = CaseFactory(
        prefecture=committee.prefecture, suggestion=True, status="forwarded_to_committee", subject="Bancs en file"
    )
    CaseFactory(prefecture=committee.prefecture, suggestion=True, subject="Pas encore transmise")
    meeting = MeetingFactory(committee=committee)
    page = officer_client.get(reverse("admin:committee_meeting_change", args=[meeting.pk])).content.decode()
    assert "Bancs en file" in page and "Pas encore transmise" not in page

    officer_client.post(
        reverse("admin:committee_meeting_changelist"), {"action": "add_suggestions", "_selected_action": [meeting.pk]}
    )
    item = AgendaItem.objects.get(meeting=meeting)
    assert item.case == forwarded and forwarded.reference in item.title
    # Once on an agenda, it is no longer a candidate: a second run adds nothing.
    officer_client.post(
        reverse("admin:committee_meeting_changelist"), {"action": "add_suggestions", "_selected_action": [meeting.pk]}
    )
    assert AgendaItem.objects.filter(meeting=meeting).count() == 1


def test_the_opinion_recorded_at_the_meeting_reaches_the_case(officer_client, committee):
    case = CaseFactory(prefecture=committee.prefecture, suggestion=True, status="forwarded_to_committee")
    meeting = MeetingFactory(committee=committee, held=True)
    AgendaItemFactory(meeting=meeting, case=case)
    url = reverse("admin:committee_meeting_change", args=[meeting.pk])
    data = change_form_data(officer_client.get(url))
    data |= {
        "opinions-TOTAL_FORMS": "1",
        "opinions-0-case": str(case.pk),
        "opinions-0-verdict": Verdict.FAVOURABLE,
        "opinions-0-text": "Le comité soutient cette idée.",
    }
    response = officer_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    opinion = SuggestionOpinion.objects.get()
    assert (opinion.case, opinion.committee, opinion.meeting) == (case, committee, meeting)
    assert case.committee_opinion.text == "Le comité soutient cette idée."


@pytest.mark.parametrize(
    ("upload", "stored"),
    [(("ordre-du-jour.pdf", PDF_BYTES), True), (("photo.pdf", PNG_BYTES), False)],
    ids=["pdf", "png-named-pdf"],
)
def test_meeting_documents_must_be_real_pdfs(officer_client, committee, upload, stored):
    meeting = MeetingFactory(committee=committee)
    url = reverse("admin:committee_meeting_change", args=[meeting.pk])
    data = change_form_data(officer_client.get(url))
    name, content = upload
    data |= {
        "documents-TOTAL_FORMS": "1",
        "documents-0-title": "Ordre du jour",
        "documents-0-kind": "agenda",
        "documents-0-file": SimpleUploadedFile(name, content, content_type="application/pdf"),
    }
    response = officer_client.post(url, data)
    assert Document.objects.exists() is stored
    if stored:
        document = Document.objects.get()
        with document.file.open("rb") as file:
            content = file.read()  # the PDF as rewritten on upload (qualipref/uploads.py)
        assert document.size == len(content) and document.sha256 == hashlib.sha256(content).hexdigest()
        assert document.original_name == "ordre-du-jour.pdf"
        assert "ordre-du-jour" not in document.file.name  # a random name on disk
    else:
        assert response.status_code == 200


def test_meeting_times_are_entered_in_the_prefecture_time_zone(officer_client, committee):
    url = reverse("admin:committee_meeting_add")
    data = new_meeting_data(officer_client.get(url), committee)
    assert officer_client.post(url, data).status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.starts_at.isoformat() == "2031-03-12T09:30:00+04:00"


def test_a_meeting_takes_only_its_own_prefectures_suggestions(client, committee, other_committee):
    """For someone who works for several prefectures: the choices of a saved meeting hold its prefecture's
    suggestions only, and a new meeting refuses another prefecture's suggestion on its agenda."""
    from tests.qualipref.factories import coordinator

    own = CaseFactory(prefecture=committee.prefecture, suggestion=True, status="forwarded_to_committee")
    foreign = CaseFactory(prefecture=other_committee.prefecture, suggestion=True, status="forwarded_to_committee")
    client.force_login(coordinator())
    meeting = MeetingFactory(committee=committee)
    response = client.get(reverse("admin:committee_meeting_change", args=[meeting.pk]))
    agenda = next(i.formset for i in response.context["inline_admin_formsets"] if i.formset.prefix == "agenda_items")
    choices = set(agenda.form.base_fields["case"].queryset)
    assert own in choices and foreign not in choices

    url = reverse("admin:committee_meeting_add")
    data = new_meeting_data(client.get(url), committee)
    data |= {"agenda_items-TOTAL_FORMS": "1", "agenda_items-0-position": "1", "agenda_items-0-title": "Idée"}
    response = client.post(url, data | {"agenda_items-0-case": str(foreign.pk)})
    assert response.status_code == 200
    refusal = "Cette suggestion a été adressée à une autre préfecture que celle de ce comité."
    assert refusal in response.content.decode()
    assert not Meeting.objects.filter(title="Plénière").exists()
    assert client.post(url, data | {"agenda_items-0-case": str(own.pk)}).status_code == 302
    assert AgendaItem.objects.get(meeting__title="Plénière").case == own


def test_officers_see_only_their_committee_in_the_admin(client, committee, other_committee):
    MeetingFactory(committee=committee, title="Réunion 974")
    MeetingFactory(committee=other_committee, title="Réunion 94")
    client.force_login(officer_of(other_committee.prefecture))
    response = client.get(reverse("admin:committee_meeting_changelist"))
    assert [m.title for m in response.context["cl"].result_list] == ["Réunion 94"]
    assert "Réunion 974" not in response.content.decode()


def test_committee_members_cannot_use_the_admin(client, committee):
    from .factories import member_with_account

    client.force_login(member_with_account(committee).user)
    response = client.get(reverse("admin:committee_meeting_changelist"))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


def test_attendance_is_recorded_on_the_meeting(officer_client, committee):
    present, excused = MemberFactory(committee=committee), MemberFactory(committee=committee)
    meeting = MeetingFactory(committee=committee, held=True)
    officer_client.post(
        reverse("admin:committee_meeting_changelist"),
        {"action": "prepare_attendance", "_selected_action": [meeting.pk]},
    )
    assert not mail.outbox
    url = reverse("admin:committee_meeting_change", args=[meeting.pk])
    data = change_form_data(officer_client.get(url))
    for index in range(2):
        member_id = int(data[f"invitations-{index}-id"])
        invitation = meeting.invitations.get(pk=member_id)
        data[f"invitations-{index}-attendance"] = "present" if invitation.member == present else "excused"
    assert officer_client.post(url, data).status_code == 302
    assert dict(meeting.invitations.values_list("member", "attendance")) == {
        present.pk: "present",
        excused.pk: "excused",
    }
