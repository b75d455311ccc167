"""Reminders before a document lapses: its prefecture's quality officers, N days before and once lapsed, each reminder
once per version of the document."""

import datetime

import pytest
from django.conf import settings

from evidence.enums import ReminderKind
from evidence.models import DocumentReminder
from evidence.reminders import reminder_send, reminders_due
from evidence.services import document_add_version
from evidence.tasks import send_evidence_reminders
from qualipref.mail import OutgoingEmail
from tests.audits.factories import auditor_of
from tests.qualipref.factories import PrefectureFactory, officer_of

from .factories import document, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def reunion():
    return PrefectureFactory(reunion=True)


@pytest.fixture
def officers(reunion):
    return [officer_of(reunion, email="nadia.payet@example.org"), officer_of(reunion, email="paul.hoarau@example.org")]


def days(n, prefecture):
    return prefecture.today() + datetime.timedelta(days=n)


def reminders():
    return sorted(OutgoingEmail.objects.filter(purpose="evidence_reminder").values_list("to", "subject"))


def test_the_officers_are_reminded_once_before_a_document_lapses(reunion, officers):
    other = PrefectureFactory(department_code="94", name="Val-de-Marne", slug="val-de-marne")
    officer_of(other, email="ailleurs@example.org")
    auditor_of(reunion, email="auditeur@example.org")
    document(reunion, title="Affiche des horaires", valid_until=days(settings.EVIDENCE_REMINDER_DAYS, reunion))
    document(reunion, title="Plus tard", valid_until=days(settings.EVIDENCE_REMINDER_DAYS + 1, reunion))
    document(reunion, title="Sans échéance")

    assert send_evidence_reminders() == 1
    assert reminders() == [
        ("nadia.payet@example.org", "Justificatif bientôt périmé : Affiche des horaires"),
        ("paul.hoarau@example.org", "Justificatif bientôt périmé : Affiche des horaires"),
    ]
    assert send_evidence_reminders() == 0  # the next day's run, or the same job run twice
    assert len(reminders()) == 2
    reminder = DocumentReminder.objects.get()
    assert (reminder.kind, reminder.recipients, reminder.version.number) == (ReminderKind.LAPSING, 2, 1)


def test_the_e_mail_says_when_and_links_to_the_document(reunion, officers):
    found = document(reunion, title="Affiche des horaires", valid_until=days(12, reunion))
    send_evidence_reminders()
    email = OutgoingEmail.objects.filter(purpose="evidence_reminder").first()
    assert "«\u00a0Affiche des horaires\u00a0»" in email.body_text and "(dans 12 jours)" in email.body_text
    assert f"/admin/evidence/document/{found.pk}/change/" in email.body_text
    assert email.prefecture == reunion


def test_once_lapsed_the_officers_are_reminded_once_more(reunion, officers):
    found = document(reunion, title="Attestations de formation", valid_until=days(3, reunion))
    assert send_evidence_reminders() == 1
    found.valid_until = days(-1, reunion)
    found.save()
    assert reminders_due() == [(found.pk, ReminderKind.LAPSED)]
    assert send_evidence_reminders() == 1
    assert send_evidence_reminders() == 0
    subjects = [subject for _to, subject in reminders()]
    assert subjects.count("Justificatif périmé : Attestations de formation") == 2  # one per officer
    assert set(DocumentReminder.objects.values_list("kind", flat=True)) == {ReminderKind.LAPSING, ReminderKind.LAPSED}


def test_a_new_version_is_reminded_of_afresh(reunion, officers):
    found = document(reunion, valid_until=days(5, reunion))
    send_evidence_reminders()
    document_add_version(document=found, upload=pdf(), valid_until=days(20, reunion))
    assert send_evidence_reminders() == 1
    assert DocumentReminder.objects.filter(version__number=2, kind=ReminderKind.LAPSING).exists()
    assert len(reminders()) == 4


def test_the_reminder_window_is_a_setting(reunion, officers, settings):
    document(reunion, valid_until=days(40, reunion))
    assert send_evidence_reminders() == 0
    settings.EVIDENCE_REMINDER_DAYS = 45
    assert send_evidence_reminders() == 1


def test_without_an_officer_nothing_is_recorded_and_it_is_sent_once_there_is_one(reunion):
    found = document(reunion, valid_until=days(2, reunion))
    assert send_evidence_reminders() == 0 and not DocumentReminder.objects.exists()
    officer_of(reunion, email="nouvelle@example.org")
    assert send_evidence_reminders() == 1
    assert reminders()[0][0] == "nouvelle@example.org"
    assert not reminder_send(document_id=found.pk, kind=ReminderKind.LAPSING)


def test_a_reminder_not_due_is_not_sent(reunion, officers):
    found = document(reunion, valid_until=days(60, reunion))
    assert not reminder_send(document_id=found.pk, kind=ReminderKind.LAPSING)
    assert not reminder_send(document_id=found.pk, kind=ReminderKind.LAPSED)
    assert not reminder_send(document_id=found.pk + 1000, kind=ReminderKind.LAPSED)
    assert not reminders()


def test_each_prefecture_is_judged_by_its_own_today(reunion, officers, time_machine):
    """At 22:00 in Paris on the 2nd it is already the 3rd in La Réunion: a document valid until the 2nd has lapsed
    there, not in Paris."""
    paris = PrefectureFactory(department_code="75", name="Paris", slug="paris", time_zone="Europe/Paris")
    officer_of(paris)
    time_machine.move_to(datetime.datetime(2026, 12, 2, 21, 0, tzinfo=datetime.UTC))
    here = document(reunion, title="Réunion", valid_until=datetime.date(2026, 12, 2))
    there = document(paris, title="Paris", valid_until=datetime.date(2026, 12, 2))
    assert sorted(reminders_due()) == sorted([(here.pk, ReminderKind.LAPSED), (there.pk, ReminderKind.LAPSING)])


def test_the_daily_job_is_scheduled():
    entry = settings.CELERY_BEAT_SCHEDULE["evidence-reminders"]
    assert entry["task"] == "evidence.tasks.send_evidence_reminders"
