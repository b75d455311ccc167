"""The outbox when the mail server refuses: each failure is counted and its error kept, sending stops after
MAX_ATTEMPTS, and officers find the e-mails that could not be sent in the administration."""

import datetime
import smtplib

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone

from qualipref.mail import MAX_ATTEMPTS, OutgoingEmail, email_send, outbox_sweep
from qualipref.tasks import send_outgoing_email

from .factories import PrefectureFactory, coordinator, officer_of

pytestmark = pytest.mark.django_db

REFUSED = "marie@example.org"


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses one address for good, as an SMTP server answers 550, and delivers the rest."""

    tried = []

    def send_messages(self, email_messages):
        for message in email_messages:
            RefusingBackend.tried.append(message.to)
            if REFUSED in message.to:
                raise smtplib.SMTPRecipientsRefused({REFUSED: (550, b"5.1.1 mailbox unavailable")})
            mail.outbox.append(message)
        return len(email_messages)


@pytest.fixture
def refusing_server(settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    RefusingBackend.tried = []
    return RefusingBackend


@pytest.fixture
def reunion():
    return PrefectureFactory(reunion=True)


def queue(prefecture, to=REFUSED, subject="974-2026-000001"):
    return OutgoingEmail.objects.create(
        prefecture=prefecture,
        purpose="acknowledgement",
        to=to,
        subject=subject,
        body_text="Bonjour",
        created_at=timezone.now() - datetime.timedelta(minutes=10),
    )


def test_a_refused_email_keeps_its_attempt_and_error(refusing_server, reunion):
    email = queue(reunion)
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        email_send(email_id=email.pk)
    email.refresh_from_db()
    assert email.attempts == 1
    assert email.sent_at is None
    assert "SMTPRecipientsRefused" in email.last_error and "mailbox unavailable" in email.last_error


def days_later(days=2):
    return timezone.now() + datetime.timedelta(days=days)


def test_sending_stops_after_max_attempts(refusing_server, reunion):
    email = queue(reunion)
    for _run in range(MAX_ATTEMPTS + 3):
        outbox_sweep(now=days_later())
    email.refresh_from_db()
    assert email.attempts == MAX_ATTEMPTS
    assert len(refusing_server.tried) == MAX_ATTEMPTS
    assert not OutgoingEmail.objects.pending().exists()


def test_the_task_and_the_sweep_count_the_same_attempts(refusing_server, reunion):
    email = queue(reunion)
    with pytest.raises(Retry):  # Celery will try again later
        send_outgoing_email.delay(email.pk)
    email.refresh_from_db()
    assert email.attempts == 1
    for _run in range(MAX_ATTEMPTS + 3):
        outbox_sweep(now=days_later())
    email.refresh_from_db()
    assert email.attempts == MAX_ATTEMPTS == len(refusing_server.tried)
    # A retry of the task that comes after the sweep gave up sends nothing.
    assert send_outgoing_email.delay(email.pk).get() is False
    assert len(refusing_server.tried) == MAX_ATTEMPTS


def test_the_sweep_waits_longer_after_each_failure_and_gives_up_after_a_day(refusing_server, reunion):
    email = queue(reunion)
    queued = email.created_at

    def sweep_at(minutes):
        outbox_sweep(now=queued + datetime.timedelta(minutes=minutes))
        email.refresh_from_db()
        return email.attempts

    assert [sweep_at(m) for m in (0.5, 1, 4, 5, 10, 15, 40, 60)] == [0, 1, 1, 2, 2, 3, 3, 4]
    assert [sweep_at(h * 60) for h in (3, 6, 11, 12, 23, 24, 48)] == [5, 6, 6, 7, 7, 8, 8]
    assert email.sent_at is None and len(refusing_server.tried) == MAX_ATTEMPTS


def test_a_failure_does_not_hold_back_the_other_emails(refusing_server, reunion):
    refused, delivered = queue(reunion), queue(reunion, to="jean@example.org")
    assert outbox_sweep() == 1
    refused.refresh_from_db()
    delivered.refresh_from_db()
    assert delivered.sent_at is not None and delivered.body_text == ""
    assert refused.sent_at is None and refused.attempts == 1
    assert [message.to for message in mail.outbox] == [["jean@example.org"]]


# --- what officers see --------------------------------------------------------------------------------


def outbox_url():
    return reverse("admin:qualipref_outgoingemail_changelist")


def failed_email(prefecture, to=REFUSED, subject="974-2026-000001"):
    email = queue(prefecture, to=to, subject=subject)
    OutgoingEmail.objects.filter(pk=email.pk).update(
        attempts=MAX_ATTEMPTS, last_error="SMTPRecipientsRefused: 550 mailbox unavailable"
    )
    return email


def test_officer_finds_the_emails_that_could_not_be_sent_of_their_prefecture_only(client, reunion):
    other = PrefectureFactory(department_code="94", name="Val-de-Marne", slug="val-de-marne")
    failed = failed_email(reunion)
    waiting = queue(reunion, to="jean@example.org", subject="974-2026-000002")
    sent = queue(reunion, to="paul@example.org", subject="974-2026-000003")
    OutgoingEmail.objects.filter(pk=sent.pk).update(sent_at=timezone.now(), attempts=1)
    foreign = failed_email(other, to="luc@example.org", subject="94-2026-000009")
    client.force_login(officer_of(reunion))

    url = outbox_url()
    response = client.get(url, {"status": "failed"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [failed]
    html = response.content.decode()
    assert "974-2026-000001" in html and "550 mailbox unavailable" in html
    assert "94-2026-000009" not in html and foreign.to not in html
    # The filter says what each choice means, in French.
    assert "Non envoyés" in html

    everything = client.get(url)
    assert set(everything.context["cl"].result_list) == {failed, waiting, sent}
    assert set(client.get(url, {"status": "waiting"}).context["cl"].result_list) == {waiting}
    assert set(client.get(url, {"status": "sent"}).context["cl"].result_list) == {sent}


def test_the_admin_never_shows_the_body_of_an_email(client, reunion):
    email = failed_email(reunion)
    OutgoingEmail.objects.filter(pk=email.pk).update(body_text="Votre lien privé : /suivi/secret-token/")
    client.force_login(officer_of(reunion))
    page = client.get(reverse("admin:qualipref_outgoingemail_change", args=[email.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "550 mailbox unavailable" in html
    assert "secret-token" not in html


def test_officer_sends_again_an_email_that_could_not_be_sent(client, reunion, settings, on_commit_immediately):
    email = failed_email(reunion)
    client.force_login(officer_of(reunion))
    url = outbox_url()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the address was corrected
    response = client.post(url, {"action": "send_again", "_selected_action": [email.pk]}, follow=True)
    assert response.status_code == 200
    email.refresh_from_db()
    assert email.sent_at is not None and email.last_error == ""
    assert [message.to for message in mail.outbox] == [[REFUSED]]


def test_national_coordinator_sees_emails_of_every_prefecture_and_none(client, reunion):
    other = PrefectureFactory(department_code="94", name="Val-de-Marne", slug="val-de-marne")
    emails = {failed_email(reunion), failed_email(other, to="luc@example.org"), failed_email(None, to="a@example.org")}
    client.force_login(coordinator())
    url = outbox_url()
    assert set(client.get(url, {"status": "failed"}).context["cl"].result_list) == emails


def test_the_admin_home_tells_officers_how_many_emails_of_their_prefectures_could_not_be_sent(client, reunion):
    other = PrefectureFactory(department_code="94", name="Val-de-Marne", slug="val-de-marne")
    officer = officer_of(reunion)
    client.force_login(officer)
    home = reverse("admin:index")
    assert 'id="outbox-failures"' not in client.get(home).content.decode()

    failed_email(reunion)
    failed_email(reunion, to="jean@example.org")
    failed_email(other, to="luc@example.org")
    queue(reunion, to="paul@example.org")  # still trying: not a failure yet
    html = client.get(home).content.decode()
    assert "2 courriels n’ont pas pu être envoyés" in html
    assert f'href="{outbox_url()}?status=failed"' in html
