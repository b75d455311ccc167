"""Every write of the committee's admin goes through ``committee.services``: the admin records exactly what the
service records (history rows, author, file checks), and what the service refuses shows as a form error."""

import hashlib

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from committee.demo import _document
from committee.enums import ActionStatus, Attendance, DocumentKind, Verdict
from committee.models import AgendaItem, Document, ImprovementAction, Invitation, SuggestionOpinion
from committee.services import (
    action_create,
    action_transition,
    agenda_item_save,
    document_save,
    invitation_attendance_save,
    meeting_rows_delete,
    suggestion_opinion_record,
)
from complaints.enums import Status
from tests.complaints.factories import PDF_BYTES, CaseFactory
from tests.qualipref.factories import officer_of

from .factories import AgendaItemFactory, ImprovementActionFactory, InvitationFactory, MeetingFactory
from .test_admin import change_form_data


@pytest.fixture
def officer(committee):
    return officer_of(committee.prefecture)


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


def _history(action):
    return list(action.transitions.order_by("pk").values_list("from_status", "to_status", "by", "note"))


def test_an_action_added_in_the_admin_is_what_the_service_records(officer_client, officer, committee):
    case = CaseFactory(prefecture=committee.prefecture)
    url = reverse("admin:committee_improvementaction_add")
    data = change_form_data(officer_client.get(url)) | {
        "prefecture": committee.prefecture.pk,
        "title": "Signalétique",
        "origin_cases": str(case.pk),
        "new_status": ActionStatus.PLANNED,
        "transition_note": "Budget voté.",
    }
    assert officer_client.post(url, data).status_code == 302
    from_admin = ImprovementAction.objects.get(title="Signalétique")

    by_service = action_create(
        prefecture=committee.prefecture, title="Signalétique bis", origin_cases=[case], by=officer
    )
    action_transition(action=by_service, to=ActionStatus.PLANNED, by=officer, note="Budget voté.")

    expected = [("", ActionStatus.PROPOSED, officer.pk, ""), (ActionStatus.PROPOSED, ActionStatus.PLANNED, officer.pk)]
    expected[1] += ("Budget voté.",)
    assert _history(from_admin) == _history(by_service) == expected
    assert from_admin.status == ActionStatus.PLANNED and list(from_admin.origin_cases.all()) == [case]
    assert LogEntry.objects.filter(object_id=str(from_admin.pk), action_flag=ADDITION, user=officer).exists()


def test_a_transition_the_service_refuses_is_a_form_error_in_the_admin(officer_client, committee):
    action = ImprovementActionFactory(prefecture=committee.prefecture, status=ActionStatus.IN_PROGRESS)
    with pytest.raises(ValidationError):
        action_transition(action=action, to=ActionStatus.ABANDONED)  # no reason given
    url = reverse("admin:committee_improvementaction_change", args=[action.pk])
    data = change_form_data(officer_client.get(url)) | {"new_status": ActionStatus.ABANDONED}
    response = officer_client.post(url, data)
    assert response.status_code == 200
    assert "transition_note" in response.context["adminform"].form.errors
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS and not action.transitions.exists()


def test_the_opinion_service_refuses_another_committee_and_a_prefecture_without_one(committee, other_committee, other):
    case = CaseFactory(prefecture=committee.prefecture, suggestion=True, status="forwarded_to_committee")
    elsewhere = MeetingFactory(committee=other_committee)
    with pytest.raises(ValidationError):
        suggestion_opinion_record(case=case, verdict=Verdict.FAVOURABLE, text="Oui.", meeting=elsewhere)
    orphan = CaseFactory(prefecture=other, suggestion=True)
    other_committee.delete()
    with pytest.raises(ValidationError):  # its prefecture has no committee: refused, not a crash
        suggestion_opinion_record(case=orphan, verdict=Verdict.FAVOURABLE, text="Oui.")
    assert not SuggestionOpinion.objects.exists()


def test_an_opinion_added_in_the_admin_is_recorded_by_the_service(
    admin_client, admin_user, committee, other_committee
):
    case = CaseFactory(prefecture=committee.prefecture, suggestion=True, status="forwarded_to_committee")
    url = reverse("admin:committee_suggestionopinion_add")
    data = {"case": case.pk, "verdict": Verdict.FAVOURABLE, "text": "Le comité soutient cette idée."}
    refused = admin_client.post(url, data | {"meeting": MeetingFactory(committee=other_committee).pk})
    assert refused.status_code == 200 and "meeting" in refused.context["adminform"].form.errors
    assert not SuggestionOpinion.objects.exists()

    orphan = CaseFactory(prefecture=other_committee.prefecture, suggestion=True, status="forwarded_to_committee")
    other_committee.delete()
    no_committee = admin_client.post(url, data | {"case": orphan.pk})
    assert no_committee.status_code == 200 and no_committee.context["adminform"].form.non_field_errors()
    assert not SuggestionOpinion.objects.exists()

    meeting = MeetingFactory(committee=committee, held=True)
    assert admin_client.post(url, data | {"meeting": meeting.pk}).status_code == 302
    opinion = SuggestionOpinion.objects.get()
    assert (opinion.committee, opinion.meeting, opinion.recorded_by) == (committee, meeting, admin_user)
    assert opinion.recorded_at is not None
    assert LogEntry.objects.filter(object_id=str(opinion.pk), action_flag=ADDITION, user=admin_user).exists()


def test_a_document_uploaded_in_the_admin_is_checked_and_signed_by_the_officer(officer_client, officer, committee):
    meeting = MeetingFactory(committee=committee)
    url = reverse("admin:committee_meeting_change", args=[meeting.pk])
    data = change_form_data(officer_client.get(url)) | {
        "documents-TOTAL_FORMS": "1",
        "documents-0-title": "Ordre du jour",
        "documents-0-kind": "agenda",
        "documents-0-file": SimpleUploadedFile("ordre-du-jour.pdf", PDF_BYTES, content_type="application/pdf"),
    }
    assert officer_client.post(url, data).status_code == 302
    document = Document.objects.get()
    with document.file.open("rb") as file:
        content = file.read()
    assert (document.size, document.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    assert document.uploaded_by == officer and document.uploaded_at is not None


def test_the_document_service_stores_no_unchecked_file(committee):
    unchecked = Document(meeting=MeetingFactory(committee=committee), title="Brut", kind="agenda")
    unchecked.file.save("brut.pdf", SimpleUploadedFile("brut.pdf", PDF_BYTES), save=False)
    with pytest.raises(ValidationError):
        document_save(document=unchecked)
    assert not Document.objects.exists()


def test_the_agenda_item_service_takes_only_a_suggestion_forwarded_to_the_committee(
    committee, other_committee, officer
):
    meeting = MeetingFactory(committee=committee)
    forwarded = CaseFactory(prefecture=committee.prefecture, suggestion=True, status=Status.FORWARDED_TO_COMMITTEE)
    foreign = CaseFactory(prefecture=other_committee.prefecture, suggestion=True, status=Status.FORWARDED_TO_COMMITTEE)
    refused = {
        "another prefecture's": foreign,
        "a complaint": CaseFactory(prefecture=committee.prefecture),
        "not forwarded": CaseFactory(prefecture=committee.prefecture, suggestion=True, status=Status.UNDER_REVIEW),
    }
    for case in refused.values():
        with pytest.raises(ValidationError) as refusal:
            agenda_item_save(item=AgendaItem(meeting=meeting, title="Idée", case=case), by=officer)
        assert "case" in refusal.value.message_dict
    assert not AgendaItem.objects.exists()

    item = agenda_item_save(item=AgendaItem(meeting=meeting, title="Idée", case=forwarded), by=officer)
    assert AgendaItem.objects.get().case == forwarded
    # Once examined the suggestion is decided: its item is still edited.
    forwarded.status = Status.ACCEPTED
    forwarded.save()
    item.title = "Idée examinée"
    agenda_item_save(item=item, by=officer)
    assert AgendaItem.objects.get().title == "Idée examinée"


def test_the_agenda_item_service_refuses_another_prefectures_officer_and_a_move_to_another_meeting(
    committee, other_committee, officer
):
    item = AgendaItemFactory(meeting=MeetingFactory(committee=committee))
    item.title = "Changé"
    with pytest.raises(PermissionDenied):
        agenda_item_save(item=item, by=officer_of(other_committee.prefecture))
    item.meeting = MeetingFactory(committee=committee)
    with pytest.raises(ValidationError):
        agenda_item_save(item=item, by=officer)
    item.refresh_from_db()
    assert item.title != "Changé"


def test_the_attendance_service_changes_the_attendance_only(committee, other_committee, officer):
    invitation = InvitationFactory(meeting=MeetingFactory(committee=committee, held=True))
    edited = Invitation.objects.get(pk=invitation.pk)
    edited.attendance, edited.sent_sequence = Attendance.PRESENT, 7
    invitation_attendance_save(invitation=edited, by=officer)
    invitation.refresh_from_db()
    assert (invitation.attendance, invitation.sent_sequence) == (Attendance.PRESENT, -1)

    with pytest.raises(PermissionDenied):
        invitation_attendance_save(invitation=edited, by=officer_of(other_committee.prefecture))
    member = InvitationFactory.build(meeting=invitation.meeting).member
    member.save()
    with pytest.raises(ValidationError):
        invitation_attendance_save(invitation=Invitation(meeting=invitation.meeting, member=member), by=officer)
    assert Invitation.objects.count() == 1


def test_the_demo_stores_its_documents_through_the_upload_checks(committee):
    document = _document(MeetingFactory(committee=committee), "Ordre du jour", DocumentKind.AGENDA)
    with document.file.open("rb") as file:
        content = file.read()
    assert content.startswith(b"%PDF-")
    assert (document.size, document.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    assert document.original_name == "ordre-du-jour.pdf"


def test_the_meeting_rows_service_deletes_only_its_meeting_s_rows_for_its_prefecture(
    committee, other_committee, officer
):
    meeting, elsewhere = MeetingFactory(committee=committee), MeetingFactory(committee=committee)
    item, invitation = AgendaItemFactory(meeting=meeting), InvitationFactory(meeting=meeting)
    foreign_item = AgendaItemFactory(meeting=elsewhere)
    with pytest.raises(PermissionDenied):
        meeting_rows_delete(meeting=meeting, rows=[item], by=officer_of(other_committee.prefecture))
    with pytest.raises(ValidationError, match="autre réunion"):
        meeting_rows_delete(meeting=meeting, rows=[item, foreign_item], by=officer)
    assert AgendaItem.objects.filter(pk__in=[item.pk, foreign_item.pk]).count() == 2  # nothing deleted

    assert meeting_rows_delete(meeting=meeting, rows=[item, invitation], by=officer) == 2
    assert not AgendaItem.objects.filter(pk=item.pk).exists() and not Invitation.objects.filter(pk=invitation.pk)
    assert AgendaItem.objects.filter(pk=foreign_item.pk).exists()
