"""Personal data is kept no longer than needed: cases closed for longer than the retention period
(``COMPLAINTS_RETENTION_MONTHS``) — or answered, or left with the committee, without any status change for as
long — are anonymised, sent e-mails are forgotten after a month.

Anonymising keeps what the statistics count — kind, channel, topic, service, site, status,
every date and duration, the rating, the transition log, how many messages — and removes
who the citizen was and what they wrote: name, e-mail, phone, subject, description, the
comment on the rating, the link to media an app gave (``media_url``), the bodies of the thread, the
attachments (files and rows) and the tracking links, in the case and in its django-simple-history rows; apps
holding a copy (the committee's agenda) remove theirs on ``complaints.signals.cases_anonymised``. What the prefecture
wrote about its decision (reason for rejection, public reply) stays.

Everything runs as ``UPDATE``/``DELETE`` statements on batches of ids, one transaction per
batch: nothing loads the cases themselves, and a run that stops half-way leaves whole
batches done and the rest for the next run.
"""

import datetime
import logging
import time

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from qualipref.dates import add_months
from qualipref.mail import MAX_ATTEMPTS, OutgoingEmail

from .enums import Status
from .models import Attachment, Case, Citizen, DigestLog, ImportedEmail, Message, RefusedAttachment, Transition
from .signals import cases_anonymised
from .tracking_links import tracking_links_revoke
from .workflow import FINAL_STATUSES

logger = logging.getLogger(__name__)

# Stored in place of what the citizen wrote: data, in the portal's language, not an interface string.
ANONYMISED = "[anonymisé]"
BATCH_SIZE = 500
OUTBOX_KEEP_DAYS = 30
DIGEST_LOG_KEEP_DAYS = 90
# Message-IDs of the mailboxes' messages are deleted this many at a time: each batch one short DELETE.
IMPORTED_EMAIL_BATCH_SIZE = 5000
# Statuses a case may stay in for good: neither open nor closed by anyone.
DORMANT_STATUSES = frozenset({Status.ANSWERED, Status.FORWARDED_TO_COMMITTEE})


def retention_cutoff(now=None):
    """Cases closed before this moment are past the retention period."""
    return add_months(now or timezone.now(), -settings.COMPLAINTS_RETENTION_MONTHS)


def cases_past_retention(now=None):
    """Closed for longer than the period; or left where no one closes them — a complaint answered that the citizen
    never came back to, a suggestion left with the committee — with no status change for as long."""
    cutoff = retention_cutoff(now)
    recent_change = Transition.objects.filter(case=OuterRef("pk"), at__gte=cutoff)
    closed = Q(status__in=FINAL_STATUSES, closed_at__lt=cutoff)
    dormant = Q(status__in=DORMANT_STATUSES, created_at__lt=cutoff) & ~Exists(recent_change)
    return Case.objects.filter(closed | dormant, anonymised_at__isnull=True)


def _anonymise_batch(case_ids, now):
    # Files first: if the transaction rolls back, the rows stay and the next run deletes again
    # (deleting a missing file is a no-op); a file never outlives its row.
    storage = Attachment._meta.get_field("file").storage
    attachments = Attachment.objects.filter(case_id__in=case_ids)
    for name in attachments.exclude(file="").values_list("file", flat=True):
        storage.delete(name)
    attachments.delete()
    RefusedAttachment.objects.filter(case_id__in=case_ids).delete()  # their names may name the citizen
    tracking_links_revoke(case_ids=case_ids)
    Message.objects.filter(case_id__in=case_ids).update(body=ANONYMISED)
    personal = {"name": "", "email": "", "phone": "", "subject": ANONYMISED, "rating_comment": "", "media_url": ""}
    Case.history.filter(id__in=case_ids).update(**personal)
    cases_anonymised.send(sender=Case, case_ids=case_ids)
    return Case.objects.filter(pk__in=case_ids, anonymised_at__isnull=True).update(
        **personal, description=ANONYMISED, anonymised_at=now
    )


def cases_anonymise(*, now=None, batch_size=BATCH_SIZE, max_seconds=None):
    """Anonymise every case past the retention period, ``batch_size`` at a time. Returns how many.

    Safe to run twice or concurrently: anonymised cases are no longer selected, and each batch
    locks its cases (a concurrent run skips them, a reopening waits). With ``max_seconds``,
    stops after the batch that exceeds it; the next run carries on.
    """
    now = now or timezone.now()
    started = time.monotonic()
    total = 0
    while True:
        with transaction.atomic():
            case_ids = list(
                cases_past_retention(now)
                .order_by("pk")
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[:batch_size]
            )
            if not case_ids:
                break
            total += _anonymise_batch(case_ids, now)
        if max_seconds is not None and time.monotonic() - started > max_seconds:
            logger.info("retention: stopped after %s cases, the next run carries on", total)
            break
    return total


def outbox_purge(*, now=None, keep_days=OUTBOX_KEEP_DAYS):
    """Forget e-mails sent more than ``keep_days`` ago, and those that finally failed as long ago.

    A sent row keeps only its recipient and subject (the body is dropped when sent), but that
    is still an address and a reference. Returns how many rows were deleted.
    """
    cutoff = (now or timezone.now()) - datetime.timedelta(days=keep_days)
    deleted, _by_model = OutgoingEmail.objects.filter(
        Q(sent_at__lt=cutoff) | Q(sent_at__isnull=True, attempts__gte=MAX_ATTEMPTS, created_at__lt=cutoff)
    ).delete()
    return deleted


def digest_logs_purge(*, today=None, keep_days=DIGEST_LOG_KEEP_DAYS):
    """The digest log only has to remember today; keep a few months for troubleshooting."""
    cutoff = (today or timezone.localdate()) - datetime.timedelta(days=keep_days)
    deleted, _by_model = DigestLog.objects.filter(day__lt=cutoff).delete()
    return deleted


def citizens_purge(*, now=None):
    """Forget the FranceConnect accounts (names, address) of citizens who have not logged in for the retention
    period: their cases stay, no longer tied to an account (a later login makes a new one). Returns how many."""
    deleted, _by_model = Citizen.objects.filter(last_login_at__lt=retention_cutoff(now)).delete()
    return deleted


def imported_emails_purge(*, now=None, batch_size=IMPORTED_EMAIL_BATCH_SIZE, max_seconds=None):
    """Forget the Message-IDs of mailbox messages read more than ``QUALIPREF_MAILBOX_MESSAGE_ID_DAYS`` ago
    (``ImportedEmail``: the intake's memory against importing a message twice), oldest first, ``batch_size`` rows per
    ``DELETE``, each batch committed on its own; stops after ``max_seconds`` (the next run finishes). Returns how
    many rows were deleted.

    A message is imported then filed away within a run; only one left in the folder read (the worker died between
    the two, then the mailbox stayed unreadable) or sent again by its sender is met again, within days: the period
    keeps a wide margin over that."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.QUALIPREF_MAILBOX_MESSAGE_ID_DAYS)
    started, deleted = time.monotonic(), 0
    old = ImportedEmail.objects.filter(imported_at__lt=cutoff).order_by("imported_at")
    while True:
        ids = list(old.values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        count, _by_model = ImportedEmail.objects.filter(pk__in=ids).delete()
        deleted += count
        if len(ids) < batch_size or (max_seconds is not None and time.monotonic() - started > max_seconds):
            break
    return deleted
