"""The outbox: every e-mail the portal sends is first a row, written in the same transaction as
what caused it, then sent by a Celery task after the commit.

If the broker is down when the transaction commits, nothing is lost: ``sweep_outbox`` (Celery beat,
every few minutes) sends what is still waiting. Sent rows keep who and when, not the body (which
may hold a private tracking link and personal data).
"""

import datetime
import logging
from functools import reduce
from operator import or_

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import MAX_ATTEMPTS, OutgoingEmail
from .timezones import prefecture_time

logger = logging.getLogger(__name__)

# How old an e-mail must be before the sweep tries it after 0, 1, 2… failures: the task's own retries take the
# first hour; the sweep's spread over a day, so that a mail server down for a few hours loses nothing.
SWEEP_AFTER = [
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=15),
    datetime.timedelta(hours=1),
    datetime.timedelta(hours=3),
    datetime.timedelta(hours=6),
    datetime.timedelta(hours=12),
    datetime.timedelta(hours=24),
]
assert len(SWEEP_AFTER) == MAX_ATTEMPTS


class OutboxSendError(Exception):
    """An e-mail of the outbox could not be sent (its row holds the server's answer)."""


def email_render(*, template, context, prefecture=None, language="fr"):
    """``(subject, text, HTML)`` of ``template`` (``<template>_subject.txt``, ``.txt`` and ``.html``), as
    ``email_queue`` stores them."""
    # Times in the prefecture's own zone (qualipref/timezones.py), named where the e-mail shows one.
    with translation.override(language), prefecture_time(prefecture):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body_text = render_to_string(f"{template}.txt", context)
        body_html = render_to_string(f"{template}.html", context)
    return subject, body_text, body_html


def email_queue(
    *,
    to,
    template=None,
    context=None,
    purpose,
    prefecture=None,
    language="fr",
    attachments=(),
    rendered=None,
    dispatch=True,
):
    """Render ``template`` (``<template>_subject.txt``, ``.txt`` and ``.html``) and queue it.

    Call inside the transaction that causes the e-mail: the row commits with it, and the
    sending task is enqueued only after the commit. ``attachments`` are ``(filename, text, mimetype)``
    triples of text content (e.g. an ``.ics`` invitation). ``rendered``: what ``email_render`` gave, for a
    caller that renders earlier in its transaction (instead of ``template`` and ``context``). ``dispatch=False``:
    the caller hands the row's id to a task of its own after the commit (``email_send`` or ``email_dispatch``).
    """
    if rendered is None:
        rendered = email_render(template=template, context=context, prefecture=prefecture, language=language)
    subject, body_text, body_html = rendered
    email = OutgoingEmail.objects.create(
        prefecture=prefecture,
        purpose=purpose,
        to=to,
        subject=subject[:200],
        body_text=body_text,
        body_html=body_html,
        attachments=[
            {"filename": filename, "content": content, "mimetype": mimetype}
            for filename, content, mimetype in attachments
        ],
    )
    if dispatch:
        transaction.on_commit(lambda: email_dispatch(email.pk))
    return email


def email_dispatch(email_id):
    """Queue the sending task of the outbox row ``email_id`` (the sweep sends it if the broker is down)."""
    from .tasks import send_outgoing_email

    try:
        send_outgoing_email.delay(email_id)
    except Exception:  # the broker may be down: the sweep will send it later
        logger.warning("outbox: could not enqueue e-mail %s, the sweep will send it", email_id, exc_info=True)


def email_send(*, email_id):
    """Send one queued e-mail. Safe to run twice and concurrently: a row is sent at most once.

    A failure is recorded (``attempts``, ``last_error``) and committed before it is raised again for the
    task to retry: after ``MAX_ATTEMPTS`` the row is no longer tried, and officers find it in the outbox.
    """
    with transaction.atomic():
        email = (
            OutgoingEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
            .first()
        )
        if email is None:
            return False
        # Auto-Submitted (RFC 3834): the citizens' autoresponders do not answer it, and the portal's own mailbox
        # reading (complaints.mailbox) would refuse it as an automatic message if it came back.
        message = EmailMultiAlternatives(
            email.subject,
            email.body_text,
            settings.DEFAULT_FROM_EMAIL,
            [email.to],
            headers={"Auto-Submitted": "auto-generated"},
        )
        if email.body_html:
            message.attach_alternative(email.body_html, "text/html")
        for item in email.attachments:
            message.attach(item["filename"], item["content"], item["mimetype"])
        try:
            message.send()
        except Exception as error:
            failure = error
            email.attempts += 1
            email.last_error = f"{type(error).__name__}: {error}"[:300]
            email.save(update_fields=["attempts", "last_error"])
        else:
            email.sent_at = timezone.now()
            email.attempts += 1
            email.body_text = email.body_html = ""
            email.attachments = []
            email.last_error = ""
            email.save(update_fields=["sent_at", "attempts", "body_text", "body_html", "attachments", "last_error"])
            return True
    # Raised once the failure is committed (raising inside the block would roll it back).
    logger.warning("outbox: e-mail %s failed (attempt %s of %s)", email_id, email.attempts, MAX_ATTEMPTS)
    raise failure


def email_send_again(*, emails):
    """Give e-mails that could not be sent a new series of attempts (e.g. once the mail server is fixed).

    Returns how many were queued again; e-mails already sent are left alone.
    """
    ids = list(emails.filter(sent_at__isnull=True).values_list("pk", flat=True))
    # Queued anew: the sweep's delays start again from now.
    OutgoingEmail.objects.filter(pk__in=ids).update(attempts=0, created_at=timezone.now())
    for email_id in ids:
        transaction.on_commit(lambda email_id=email_id: email_dispatch(email_id))
    return len(ids)


def outbox_sweep(*, now=None):
    """Send every e-mail still waiting (queued while the broker was down, or failed and due again by
    ``SWEEP_AFTER``). Returns how many left."""
    now = now or timezone.now()
    due = reduce(or_, (Q(attempts=n, created_at__lte=now - wait) for n, wait in enumerate(SWEEP_AFTER)))
    sent = 0
    for email_id in OutgoingEmail.objects.pending().filter(due).values_list("pk", flat=True)[:500]:
        try:
            sent += email_send(email_id=email_id)
        except Exception as error:
            # The error (which may name the address) is kept on the row for officers, not in the logs.
            logger.warning("outbox: sweep could not send e-mail %s (%s)", email_id, type(error).__name__)
    return sent
