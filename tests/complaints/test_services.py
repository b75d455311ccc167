import datetime
import threading

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from complaints.enums import DefaultTopic, Kind, MessageKind, Status
from complaints.models import Case, CaseSequence, Transition
from complaints.services import (
    can_rate,
    case_answer,
    case_citizen_reply,
    case_rate,
    case_submit,
    case_transfer,
    case_transition,
    next_reference,
    suggestion_decide,
)
from complaints.tracking_links import case_for_token, lost_link_request
from complaints.workflow import ANSWER_ONLY_STATUSES, COMPLAINT_TRANSITIONS, SUGGESTION_TRANSITIONS
from qualipref.workflow import TransitionRefused
from tests.qualipref.factories import PrefectureFactory, ServiceFactory, officer_of

from .factories import CaseFactory

D = datetime.date


pytestmark = pytest.mark.usefixtures("on_commit_immediately")


@pytest.fixture
def reunion(db):
    return PrefectureFactory(reunion=True, contact_email="courrier@reunion.example.org", contact_phone="0262 40 77 77")


def submit(prefecture, **data):
    base = {
        "kind": Kind.COMPLAINT,
        "topic": DefaultTopic.COUNTER,
        "subject": "Attente",
        "description": "Trois heures d'attente.",
        "name": "Marie Hoarau",
        "email": "marie@example.org",
        "consent": True,
    }
    return case_submit(prefecture=prefecture, data={**base, **data})


def test_references_count_per_prefecture_and_year(reunion):
    other = PrefectureFactory(department_code="94", slug="val-de-marne")
    assert next_reference(prefecture=reunion, year=2026) == "974-2026-000001"
    assert next_reference(prefecture=reunion, year=2026) == "974-2026-000002"
    assert next_reference(prefecture=other, year=2026) == "94-2026-000001"
    assert next_reference(prefecture=reunion, year=2027) == "974-2027-000001"


def test_a_failed_submission_gives_its_number_back(reunion):
    submit(reunion)
    with pytest.raises(KeyError):  # no subject: the transaction rolls back, sequence included
        case_submit(prefecture=reunion, data={"kind": "complaint"})
    case, _token = submit(reunion)
    assert case.reference.endswith("-000002")


def test_a_number_taken_then_rolled_back_is_given_back(reunion):
    """The sequence's row is counted by one UPDATE … RETURNING, inside the case's transaction."""
    for expected in ("974-2026-000001", "974-2026-000002"):  # the year's first number (row created), then any
        with pytest.raises(RuntimeError), transaction.atomic():
            assert next_reference(prefecture=reunion, year=2026) == expected
            raise RuntimeError
        assert next_reference(prefecture=reunion, year=2026) == expected
    assert CaseSequence.objects.get(prefecture=reunion, year=2026).last_number == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_unique_gapless_references():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL (SQLite serialises writers)")
    prefecture = PrefectureFactory(reunion=True)
    errors, barrier = [], threading.Barrier(12)

    def file_one():
        try:
            barrier.wait()
            for _ in range(5):
                submit(prefecture)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=file_one) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    year = timezone.localdate().year
    references = sorted(Case.objects.values_list("reference", flat=True))
    assert references == [f"974-{year}-{n:06d}" for n in range(1, 61)]
    assert CaseSequence.objects.get(prefecture=prefecture).last_number == 60


def test_due_date_counts_working_days_with_the_prefecture_holidays(reunion):
    # Received Thursday 17 December 2026 in La Réunion: 20 Dec (Sunday), 25 Dec and 1 Jan are off.
    case, _ = case_submit(
        prefecture=reunion,
        data={"kind": "complaint", "topic": "counter", "subject": "s", "description": "d", "email": "a@example.org"},
        received_on=D(2026, 12, 17),
    )
    assert case.due_on == D(2027, 1, 11)


def test_due_date_skips_20_december_when_it_is_a_working_day(reunion):
    reunion.answer_deadline_working_days = 1
    reunion.save()
    case, _ = (
        submit(reunion)
        if False
        else case_submit(
            prefecture=reunion,
            data={
                "kind": "complaint",
                "topic": "counter",
                "subject": "s",
                "description": "d",
                "email": "a@example.org",
            },
            received_on=D(2027, 12, 17),
        )
    )
    assert case.due_on == D(2027, 12, 21)


def test_submission_sends_an_acknowledgement_that_does_not_echo_free_text(reunion):
    service = ServiceFactory(prefecture=reunion, name="Titres de séjour", email="sejour@reunion.example.org")
    case, token = submit(
        reunion, service=service, subject="WIN A PRIZE http://spam.example", description="Buy now", name="Spammer Inc"
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["marie@example.org"]
    body = message.body + message.alternatives[0][0]
    assert case.reference in message.subject and case.reference in body
    assert f"/suivi/{token}/" in body
    assert "Titres de séjour" in body and "sejour@reunion.example.org" in body
    assert case.due_on.strftime("%Y") in body
    for free_text in ["WIN A PRIZE", "spam.example", "Buy now", "Spammer"]:
        assert free_text not in body and free_text not in message.subject
    assert "L. 112-3" in body


def test_anonymous_suggestion_sends_no_email(reunion):
    case, token = submit(reunion, kind=Kind.SUGGESTION, name="", email="")
    assert case.status == Status.RECEIVED
    assert mail.outbox == []
    assert case_for_token(token) == case


def test_tokens_are_stored_hashed(reunion):
    case, token = submit(reunion)
    stored = case.tracking_tokens.get()
    assert stored.token_hash != token and len(token) >= 40
    assert case_for_token(token) == case
    assert case_for_token(token + "x") is None
    assert case_for_token("") is None


def test_expired_token_opens_nothing(reunion):
    case, token = submit(reunion)
    case.tracking_tokens.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert case_for_token(token) is None


ALL_STATUSES = list(Status)


@pytest.mark.parametrize(
    ("kind", "table"), [(Kind.COMPLAINT, COMPLAINT_TRANSITIONS), (Kind.SUGGESTION, SUGGESTION_TRANSITIONS)]
)
def test_every_transition_is_allowed_or_refused_as_the_table_says(reunion, kind, table):
    """As the table says, except "answered" and "waiting for the citizen": only ``case_answer`` reaches them."""
    officer = officer_of(reunion)
    for current, allowed in table.items():
        for target in ALL_STATUSES:
            case = CaseFactory(prefecture=reunion, kind=kind, status=current)
            if target in allowed and target not in ANSWER_ONLY_STATUSES:
                case_transition(case=case, to=target, by=officer, note="motif")
                case.refresh_from_db()
                assert case.status == target
                assert Transition.objects.filter(case=case, from_status=current, to_status=target, by=officer).exists()
            else:
                with pytest.raises(TransitionRefused) as refused:
                    case_transition(case=case, to=target, by=officer)
                assert refused.value.message
                case.refresh_from_db()
                assert case.status == current


def test_refusal_says_what_is_possible(reunion):
    case = CaseFactory(prefecture=reunion, status=Status.CLOSED)
    with pytest.raises(TransitionRefused) as refused:
        case_transition(case=case, to=Status.ANSWERED)
    assert "Reopened" in refused.value.message or "Rouvert" in refused.value.message


def test_rejection_needs_a_reason(reunion):
    case = CaseFactory(prefecture=reunion)
    with pytest.raises(ValidationError):
        case_transition(case=case, to=Status.REJECTED, note="  ")
    case_transition(case=case, to=Status.REJECTED, note="Spam")
    case.refresh_from_db()
    assert case.rejection_reason == "Spam" and case.closed_at is not None


def test_waiting_for_the_citizen_stops_the_clock(reunion, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 2, 9, 0, tzinfo=reunion.tzinfo))
    officer = officer_of(reunion)
    case, _ = submit(reunion)
    assert case.due_on == D(2026, 11, 24)  # 15 working days, 11 November off
    case_answer(case=case, by=officer, text="Pouvez-vous nous envoyer votre récépissé ?", final=False)
    case.refresh_from_db()
    assert case.status == Status.WAITING_CITIZEN and case.waiting_since == D(2026, 11, 2)
    time_machine.move_to(datetime.datetime(2026, 11, 9, 9, 0, tzinfo=reunion.tzinfo))  # five working days later
    case_citizen_reply(case=case, text="Le voici.")
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    assert case.paused_working_days == 5
    assert case.due_on == D(2026, 12, 1)


def test_answer_emails_a_link_not_the_text(reunion):
    officer = officer_of(reunion)
    case, _ = submit(reunion)
    mail.outbox.clear()
    case_answer(case=case, by=officer, text="Votre titre est prêt au guichet 4.")
    case.refresh_from_db()
    assert case.status == Status.ANSWERED and case.answered_at
    assert case.messages.filter(kind=MessageKind.ANSWER).count() == 1
    assert len(mail.outbox) == 1
    assert "/suivi/" in mail.outbox[0].body and "guichet 4" not in mail.outbox[0].body


def test_rating_once_within_thirty_days(reunion, time_machine):
    officer = officer_of(reunion)
    case, _ = submit(reunion)
    assert not can_rate(case)
    case = case_answer(case=case, by=officer, text="Réponse")
    case.refresh_from_db()
    assert can_rate(case)
    case_rate(case=case, rating=4, comment="Merci")
    case.refresh_from_db()
    assert (case.rating, case.rating_comment) == (4, "Merci")
    with pytest.raises(ValidationError):
        case_rate(case=case, rating=1)
    other, _ = submit(reunion)
    case_answer(case=other, by=officer, text="Réponse")
    time_machine.move_to(timezone.now() + datetime.timedelta(days=31))
    other.refresh_from_db()
    with pytest.raises(ValidationError):
        case_rate(case=other, rating=5)


def test_citizen_reply_to_an_answer_reopens_the_case(reunion):
    case, _ = submit(reunion)
    case_answer(case=case, by=officer_of(reunion), text="Réponse")
    case_citizen_reply(case=case, text="Ce n'est pas ce que j'ai demandé.")
    case.refresh_from_db()
    assert case.status == Status.REOPENED


def test_closed_case_takes_no_more_messages(reunion):
    case = CaseFactory(prefecture=reunion, status=Status.CLOSED)
    with pytest.raises(ValidationError):
        case_citizen_reply(case=case, text="Encore moi")


def test_transfer_to_another_prefecture_moves_ownership(reunion):
    other = PrefectureFactory(department_code="94", slug="val-de-marne")
    officer = officer_of(reunion)
    case = CaseFactory(prefecture=reunion, assignee=officer)
    case_transfer(case=case, by=officer, prefecture=other, note="Compétence du Val-de-Marne")
    case.refresh_from_db()
    assert case.prefecture == other and case.service is None and case.assignee is None
    assert case.status == Status.TRANSFERRED
    assert not Case.objects.for_user(officer).filter(pk=case.pk).exists()
    assert Case.objects.for_user(officer_of(other)).filter(pk=case.pk).exists()


def test_suggestion_forwarded_to_the_committee_with_a_public_reply(reunion):
    case, _ = submit(reunion, kind=Kind.SUGGESTION)
    mail.outbox.clear()
    case_transition(case=case, to=Status.UNDER_REVIEW)
    suggestion_decide(case=case, by=officer_of(reunion), to=Status.FORWARDED_TO_COMMITTEE, public_reply="Merci !")
    case.refresh_from_db()
    assert case.status == Status.FORWARDED_TO_COMMITTEE and case.public_reply == "Merci !"
    assert len(mail.outbox) == 1


def test_lost_link_is_resent_only_when_reference_and_email_match(reunion):
    case, old_token = submit(reunion)
    mail.outbox.clear()
    lost_link_request(reference=case.reference, email="intrus@example.org")
    assert mail.outbox == []
    lost_link_request(reference=case.reference.lower(), email="MARIE@example.org")
    assert len(mail.outbox) == 1 and "/suivi/" in mail.outbox[0].body
    assert (
        case_for_token(old_token) is None
    )  # the new link replaces the old one (tests/security/test_tracking_links.py)


def test_service_agent_sees_only_their_service_cases(reunion):
    from qualipref.enums import Role
    from qualipref.services import membership_grant
    from tests.qualipref.factories import UserFactory

    mine, theirs = ServiceFactory(prefecture=reunion), ServiceFactory(prefecture=reunion)
    agent = UserFactory()
    membership_grant(user=agent, role=Role.SERVICE_AGENT, prefecture=reunion, service=mine)
    own = CaseFactory(prefecture=reunion, service=mine)
    CaseFactory(prefecture=reunion, service=theirs)
    assert list(Case.objects.for_user(agent)) == [own]


def test_a_case_goes_only_to_someone_who_may_handle_it(reunion):
    from complaints.services import case_assign

    case = CaseFactory(prefecture=reunion)
    officer = officer_of(reunion)
    stranger = officer_of(PrefectureFactory(department_code="94", slug="val-de-marne"))
    with pytest.raises(ValidationError):
        case_assign(case=case, to=stranger, by=officer)
    case_assign(case=case, to=officer, by=officer)
    case.refresh_from_db()
    assert case.assignee == officer


@pytest.mark.django_db(transaction=True)
def test_a_submission_failing_half_way_leaves_nothing(monkeypatch):
    """The case, its history and status rows, its link and its number are written in one transaction: a failure
    after the case's row (here, its tracking link) leaves no row and no number taken."""
    from complaints import services
    from complaints.models import Transition

    reunion = PrefectureFactory(reunion=True)

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "tracking_token_issue", broken)
    with pytest.raises(RuntimeError):
        case_submit(
            prefecture=reunion, data={"kind": "suggestion", "topic": "other", "subject": "x", "description": "y"}
        )
    assert not Case.objects.exists() and not Case.history.exists() and not Transition.objects.exists()
    monkeypatch.undo()
    case, _token = case_submit(
        prefecture=reunion, data={"kind": "suggestion", "topic": "other", "subject": "x", "description": "y"}
    )
    assert case.reference.endswith("-000001")


def test_a_submitted_case_has_one_created_history_row_with_its_real_reference(reunion):
    officer = officer_of(reunion)
    online, _token = case_submit(
        prefecture=reunion, data={"kind": "suggestion", "topic": "other", "subject": "x", "description": "y"}
    )
    entered, _token = case_submit(
        prefecture=reunion,
        data={"kind": "suggestion", "topic": "other", "subject": "Lettre", "description": "z", "channel": "letter"},
        by=officer,
    )
    for case, author in ((online, None), (entered, officer)):
        [row] = case.history.all()
        assert (row.history_type, row.reference, row.status, row.history_user) == (
            "+",
            case.reference,
            case.status,
            author,
        )
        assert row.reference.startswith("974-")
