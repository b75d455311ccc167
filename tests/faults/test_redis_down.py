"""Redis stopped (the Celery broker, the cache and the rate limits' counters): the citizen still files a
complaint and reads its reference; the acknowledgement waits in the outbox and leaves exactly once, by the
periodic sweep, when Redis is back."""

import datetime
import re
import time

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from complaints.models import Case
from qualipref.mail import OutgoingEmail
from qualipref.tasks import send_outgoing_email, sweep_outbox

pytestmark = pytest.mark.django_db

COMPLAINT = {
    "kind": "complaint",
    "topic": "counter",
    "subject": "Trois heures d'attente",
    "description": "Personne ne nous a informés.",
    "name": "Marie Hoarau",
    "email": "marie@example.org",
    "consent": "on",
}


def file_complaint(client, prefecture, commit_callbacks):
    """Submit the public form; the on-commit callbacks (the e-mail's dispatch) run as after a real commit."""
    with commit_callbacks(execute=True):
        response = client.post(reverse("complaints:new", args=[prefecture.slug]), COMPLAINT)
    assert response.status_code == 302, response.status_code
    confirmation = client.get(response["Location"])
    assert confirmation.status_code == 200
    return Case.objects.get(), confirmation.content.decode()


def assert_waiting_in_the_outbox():
    email = OutgoingEmail.objects.get()
    assert (email.purpose, email.to, email.sent_at, email.attempts) == (
        "acknowledgement",
        "marie@example.org",
        None,
        0,
    )
    assert mail.outbox == []
    return email


def sweep_later():
    """Beat's sweep, run as Celery runs it, once the e-mail is old enough for it (a minute)."""
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=5)):
        return sweep_outbox.delay().get()


def test_broker_down_the_citizen_still_gets_the_reference_on_screen(
    client, reunion, broker_down, django_capture_on_commit_callbacks, caplog
):
    started = time.monotonic()
    case, page = file_complaint(client, reunion, django_capture_on_commit_callbacks)
    assert time.monotonic() - started < 5  # not held while Celery retries a dead Redis
    assert case.reference in page
    assert_waiting_in_the_outbox()
    assert "the sweep will send it" in caplog.text


def test_broker_back_the_sweep_sends_the_acknowledgement_exactly_once(
    client, reunion, broker_down, django_capture_on_commit_callbacks
):
    case, _page = file_complaint(client, reunion, django_capture_on_commit_callbacks)
    email = assert_waiting_in_the_outbox()
    broker_down.end()

    assert sweep_later() == 1
    [acknowledgement] = mail.outbox
    assert acknowledgement.to == ["marie@example.org"] and case.reference in acknowledgement.subject
    email.refresh_from_db()
    assert email.sent_at is not None and email.body_text == ""  # the private link is not kept once sent

    # The sweep again, and the task first sent during the outage arriving late: nothing more leaves.
    assert sweep_later() == 0
    assert send_outgoing_email.delay(email.pk).get() is False
    assert len(mail.outbox) == 1

    # The link in the e-mail opens the case.
    link = re.search(r"https?://\S+/suivi/\S+/", acknowledgement.body).group(0)
    assert case.reference in client.get(link.split("://", 1)[1].split("/", 1)[1].join(["/", ""])).content.decode()


def test_redis_stopped_whole_nothing_is_lost(
    client, reunion, broker_down, cache_down, django_capture_on_commit_callbacks, settings
):
    """Broker, cache and rate limits all down at once, as when the one Redis of the stack stops."""
    case, page = file_complaint(client, reunion, django_capture_on_commit_callbacks)
    assert case.reference in page
    email = assert_waiting_in_the_outbox()
    health = client.get(reverse("healthz"))
    assert health.status_code == 503 and health.json()["broker"] == "error" and health.json()["cache"] == "error"

    broker_down.end()
    assert sweep_later() == 1
    assert [m.to for m in mail.outbox] == [["marie@example.org"]]
    email.refresh_from_db()
    assert email.sent_at is not None


def test_broker_down_the_officers_arrival_emails_wait_in_the_outbox_too(
    client, reunion, broker_down, django_capture_on_commit_callbacks
):
    """The task that sends the acknowledgement and tells the officers cannot be queued: the arrival e-mails are
    queued in the request instead, for the sweep, with the acknowledgement."""
    from tests.qualipref.factories import officer_of

    officer_of(reunion, email="qualite@example.org", notify_new_cases=True)
    file_complaint(client, reunion, django_capture_on_commit_callbacks)
    assert sorted(OutgoingEmail.objects.values_list("purpose", "to", "sent_at")) == [
        ("acknowledgement", "marie@example.org", None),
        ("case_arrival", "qualite@example.org", None),
    ]
    broker_down.end()
    assert sweep_later() == 2
    assert sorted(message.to[0] for message in mail.outbox) == ["marie@example.org", "qualite@example.org"]
