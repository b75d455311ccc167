import datetime
import os

import pytest
from django.utils import timezone

from complaints.enums import MessageKind, Status
from complaints.models import Attachment, Case, DigestLog, Message, TrackingToken
from complaints.retention import ANONYMISED, cases_anonymise, cases_past_retention, digest_logs_purge, outbox_purge
from complaints.tasks import apply_retention
from complaints.tracking_links import case_for_token, tracking_token_issue
from qualipref.mail import MAX_ATTEMPTS, OutgoingEmail
from tests.qualipref.factories import PrefectureFactory, UserFactory, officer_of

from .factories import AttachmentFactory, CaseFactory, MessageFactory

NOW = datetime.datetime(2026, 11, 26, 3, 30, tzinfo=datetime.UTC)


@pytest.fixture
def reunion(db):
    return PrefectureFactory(reunion=True)


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


def closed_case(prefecture, closed_at, **fields):
    """A case as it ends up after a life of service: answered, rated, closed; history along the way."""
    case = CaseFactory(
        prefecture=prefecture,
        subject="Titre de séjour de Mme Hoarau",
        description="Je suis Marie Hoarau, née le 3 mars 1980, mon numéro étranger est 9740123456.",
        name="Marie Hoarau",
        email="marie.hoarau@example.org",
        phone="0692 12 34 56",
        received_on=closed_at.date() - datetime.timedelta(days=30),
        due_on=closed_at.date() - datetime.timedelta(days=9),
        acknowledged_at=closed_at - datetime.timedelta(days=29),
        answered_at=closed_at - datetime.timedelta(days=10),
        status=Status.ANSWERED,
        rating=4,
        rating_comment="Merci à M. Payet pour son aide",
        rated_at=closed_at - datetime.timedelta(days=9),
        **fields,
    )
    case.status, case.closed_at = Status.CLOSED, closed_at
    case.save()  # a second history row, as the workflow leaves
    MessageFactory(case=case, kind=MessageKind.CITIZEN, body="Voici mon passeport n° 12AB34567.")
    MessageFactory(case=case, kind=MessageKind.ANSWER, body="Madame Hoarau, votre titre est prêt.")
    MessageFactory(case=case, kind=MessageKind.NOTE, body="Appelée au 0692 12 34 56.")
    tracking_token_issue(case=case)
    return case


@pytest.fixture
def old_case(reunion):
    return closed_case(reunion, NOW - datetime.timedelta(days=2 * 365 + 10))


def test_personal_fields_of_old_closed_cases_are_anonymised(old_case):
    assert cases_anonymise() == 1
    old_case.refresh_from_db()
    assert (old_case.name, old_case.email, old_case.phone, old_case.rating_comment) == ("", "", "", "")
    assert old_case.subject == ANONYMISED and old_case.description == ANONYMISED
    assert old_case.anonymised_at == NOW


def test_what_statistics_count_is_kept(old_case):
    officer = officer_of(old_case.prefecture)
    old_case.assignee = officer
    old_case.save()
    keep = [
        "reference",
        "kind",
        "channel",
        "topic",
        "service_id",
        "site_id",
        "status",
        "assignee_id",
        "received_on",
        "due_on",
        "paused_working_days",
        "created_at",
        "acknowledged_at",
        "answered_at",
        "closed_at",
        "rating",
        "rated_at",
        "consent_at",
    ]
    before = {field: getattr(old_case, field) for field in keep}
    transitions = old_case.transitions.count()
    cases_anonymise()
    old_case.refresh_from_db()
    assert {field: getattr(old_case, field) for field in keep} == before
    assert old_case.messages.count() == 3 and old_case.transitions.count() == transitions


def test_the_prefectures_own_words_on_its_decision_are_kept(reunion):
    case = closed_case(
        reunion,
        NOW - datetime.timedelta(days=800),
        rejection_reason="Hors du champ de compétence.",
        public_reply="Merci pour votre idée.",
    )
    cases_anonymise()
    case.refresh_from_db()
    assert case.rejection_reason == "Hors du champ de compétence." and case.public_reply == "Merci pour votre idée."


def test_every_message_body_is_anonymised(old_case):
    cases_anonymise()
    assert set(Message.objects.filter(case=old_case).values_list("body", flat=True)) == {ANONYMISED}


def test_attachment_files_and_rows_are_deleted(old_case, reunion):
    attachments = [AttachmentFactory(case=old_case) for _ in range(2)]
    recent = AttachmentFactory(case=closed_case(reunion, NOW - datetime.timedelta(days=30)))
    paths = [attachment.file.path for attachment in attachments]
    assert all(os.path.exists(path) for path in paths)

    cases_anonymise()

    assert not any(os.path.exists(path) for path in paths)
    assert not Attachment.objects.filter(case=old_case).exists()
    assert os.path.exists(recent.file.path) and Attachment.objects.filter(pk=recent.pk).exists()


def test_tracking_links_stop_working(old_case):
    token = tracking_token_issue(case=old_case)
    assert case_for_token(token) == old_case
    cases_anonymise()
    assert not TrackingToken.objects.filter(case=old_case).exists()
    assert case_for_token(token) is None


def test_history_rows_are_anonymised_too(old_case):
    history = old_case.history.all()
    assert history.count() >= 2 and history.filter(email="marie.hoarau@example.org").exists()
    cases_anonymise()
    for row in old_case.history.all():
        assert (row.name, row.email, row.phone, row.subject, row.rating_comment) == ("", "", "", ANONYMISED, "")
    assert old_case.history.count() >= 2  # the timeline of statuses stays


def test_cases_closed_recently_or_still_open_are_untouched(reunion):
    recent = closed_case(reunion, NOW - datetime.timedelta(days=700))
    old_but_reopened = CaseFactory(
        prefecture=reunion, status=Status.REOPENED, received_on=datetime.date(2023, 1, 5), name="Jean Payet"
    )
    assert cases_anonymise() == 0
    for case in (recent, old_but_reopened):
        case.refresh_from_db()
        assert case.name and case.anonymised_at is None
    assert Message.objects.filter(case=recent).exclude(body=ANONYMISED).count() == 3
    assert TrackingToken.objects.filter(case=recent).exists()


def test_cases_no_one_closes_are_anonymised_after_the_period_without_change(reunion):
    """An answered complaint the citizen never came back to, a suggestion left with the committee."""
    from complaints.models import Transition

    def dormant(status, last_change):
        created = last_change - datetime.timedelta(days=30)
        case = CaseFactory(prefecture=reunion, status=status, name="Marie Hoarau", created_at=created)
        Transition.objects.create(case=case, from_status=Status.IN_PROGRESS, to_status=status, at=last_change)
        return case

    long_ago = NOW - datetime.timedelta(days=2 * 365 + 10)
    answered = dormant(Status.ANSWERED, long_ago)
    forwarded = dormant(Status.FORWARDED_TO_COMMITTEE, long_ago)
    answered_lately = dormant(Status.ANSWERED, NOW - datetime.timedelta(days=200))
    reopened_lately = dormant(Status.ANSWERED, long_ago)
    Transition.objects.create(case=reopened_lately, from_status=Status.REOPENED, to_status=Status.ANSWERED, at=NOW)
    assert cases_anonymise() == 2
    for case, anonymised in ((answered, True), (forwarded, True), (answered_lately, False), (reopened_lately, False)):
        case.refresh_from_db()
        assert (case.anonymised_at is not None) is anonymised and (case.name == "") is anonymised


def test_retention_period_follows_the_setting(reunion, settings):
    case = closed_case(reunion, NOW - datetime.timedelta(days=400))
    assert cases_anonymise() == 0
    settings.COMPLAINTS_RETENTION_MONTHS = 12
    assert cases_anonymise() == 1
    case.refresh_from_db()
    assert case.anonymised_at is not None


def test_anonymising_twice_changes_nothing_more(old_case, time_machine):
    assert cases_anonymise() == 1
    time_machine.move_to(NOW + datetime.timedelta(days=1), tick=False)
    assert cases_anonymise() == 0
    old_case.refresh_from_db()
    assert old_case.anonymised_at == NOW


def test_anonymisation_runs_in_batches_without_loading_cases(reunion, django_assert_max_num_queries):
    cases = [closed_case(reunion, NOW - datetime.timedelta(days=900 + n)) for n in range(5)]
    # Per batch, in a savepoint: ids, attachments' files, attachments, files refused by e-mail, tokens, messages,
    # history, the committee's agenda items and their history, cases. Then a last, empty, select.
    with django_assert_max_num_queries(3 * (10 + 2) + 3):
        assert cases_anonymise(batch_size=2) == 5
    assert not cases_past_retention().exists()
    assert Case.objects.filter(pk__in=[c.pk for c in cases], anonymised_at__isnull=False).count() == 5


def test_sent_emails_are_forgotten_after_thirty_days(db):
    def email(**fields):
        return OutgoingEmail.objects.create(
            purpose="answer", to="marie@example.org", subject="974-2026-000001", **fields
        )

    old_sent = email(sent_at=NOW - datetime.timedelta(days=31))
    recent_sent = email(sent_at=NOW - datetime.timedelta(days=29))
    pending = email(created_at=NOW - datetime.timedelta(days=60), attempts=2)
    failed_for_good = email(created_at=NOW - datetime.timedelta(days=60), attempts=MAX_ATTEMPTS)
    assert outbox_purge() == 2
    remaining = set(OutgoingEmail.objects.values_list("pk", flat=True))
    assert remaining == {recent_sent.pk, pending.pk}
    assert old_sent.pk not in remaining and failed_for_good.pk not in remaining


def test_old_digest_logs_are_purged(db):
    user = UserFactory()
    DigestLog.objects.create(user=user, day=datetime.date(2026, 1, 5))
    DigestLog.objects.create(user=user, day=datetime.date(2026, 11, 25))
    assert digest_logs_purge() == 1
    assert list(DigestLog.objects.values_list("day", flat=True)) == [datetime.date(2026, 11, 25)]


def test_the_scheduled_task_does_it_all(old_case):
    OutgoingEmail.objects.create(
        purpose="answer", to="a@example.org", subject="x", sent_at=timezone.now() - datetime.timedelta(days=40)
    )
    assert apply_retention.delay().get() == {"anonymised": 1, "emails": 1, "digest_logs": 0, "citizens": 0}
    assert apply_retention.delay().get() == {"anonymised": 0, "emails": 0, "digest_logs": 0, "citizens": 0}


def test_message_ids_of_mailbox_messages_are_forgotten_after_the_period_in_batches(
    db, settings, django_assert_max_num_queries
):
    from complaints.enums import EmailOutcome
    from complaints.models import ImportedEmail
    from complaints.retention import imported_emails_purge

    settings.QUALIPREF_MAILBOX_MESSAGE_ID_DAYS = 90
    prefecture = PrefectureFactory()
    now = timezone.now()
    ages = {"ancien": 200, "juste-passe": 91, "recent": 89, "du-jour": 0}
    for n in range(5):
        ages[f"vieux-{n}"] = 120 + n
    for name, days in ages.items():
        ImportedEmail.objects.create(
            prefecture=prefecture,
            message_id=f"<{name}@example.org>",
            outcome=EmailOutcome.CASE,
            imported_at=now - datetime.timedelta(days=days),
        )

    # 7 rows past the period, 2 at a time: 4 batches of a SELECT and a DELETE, nothing loaded.
    with django_assert_max_num_queries(8):
        assert imported_emails_purge(now=now, batch_size=2) == 7
    assert set(ImportedEmail.objects.values_list("message_id", flat=True)) == {
        "<recent@example.org>",
        "<du-jour@example.org>",
    }
    assert imported_emails_purge(now=now) == 0


def test_a_message_id_still_kept_still_stops_a_second_import(db, settings):
    """Within the period, the same message read again (left in the folder, sent twice) is not a second case."""
    from complaints.enums import EmailOutcome
    from complaints.models import ImportedEmail
    from complaints.retention import imported_emails_purge

    settings.QUALIPREF_MAILBOX_MESSAGE_ID_DAYS = 90
    prefecture = PrefectureFactory()
    ImportedEmail.objects.create(
        prefecture=prefecture,
        message_id="<garde@example.org>",
        outcome=EmailOutcome.CASE,
        imported_at=timezone.now() - datetime.timedelta(days=60),
    )
    imported_emails_purge()
    assert ImportedEmail.objects.filter(message_id="<garde@example.org>").exists()


def test_the_daily_purge_of_message_ids_is_scheduled(db, settings):
    from complaints.enums import EmailOutcome
    from complaints.models import ImportedEmail
    from complaints.tasks import purge_imported_emails

    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "complaints.tasks.purge_imported_emails" in schedule
    old = timezone.now() - datetime.timedelta(days=settings.QUALIPREF_MAILBOX_MESSAGE_ID_DAYS + 1)
    ImportedEmail.objects.create(
        prefecture=PrefectureFactory(), message_id="<x@example.org>", outcome=EmailOutcome.CASE, imported_at=old
    )
    assert purge_imported_emails.delay().get() == 1
    assert not ImportedEmail.objects.exists()
