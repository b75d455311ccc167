"""Work on cases done outside the request: the daily reminder digest, the retention purge and the reading of the
prefectures' mailboxes (scheduled, see ``CELERY_BEAT_SCHEDULE``), and the lost-link form's lookup and e-mail."""

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError
from django.utils import timezone

from .arrivals import case_arrived_run
from .mailbox.imap import MailboxError
from .mailbox.intake import mailbox_fetch
from .models import Mailbox
from .reminders import digest_recipients, digest_send
from .retention import cases_anonymise, citizens_purge, digest_logs_purge, imported_emails_purge, outbox_purge
from .tracking_links import tracking_link_resend

logger = logging.getLogger(__name__)


# ignore_result: queued from the citizen's request, which must not wait on the result store (see
# qualipref.tasks.send_outgoing_email).
@shared_task(ignore_result=True)
def case_arrived(case_id, email_ids):
    """A new case committed: send its acknowledgement and tell the officers who asked (``complaints.arrivals``)."""
    return case_arrived_run(case_id=case_id, email_ids=email_ids)


@shared_task
def send_daily_digests():
    """Fan out one digest task per assignee with something due (scheduled once a day by Celery beat).

    The day of the run (in the project's time zone, the beat's) keys each digest, so a task
    retried or run twice that day sends nothing more; each case is judged by its prefecture's
    own today and calendar.
    """
    day = timezone.localdate().isoformat()
    user_ids = digest_recipients()
    for user_id in user_ids:
        try:
            send_digest.delay(user_id, day)
        except Exception:  # one assignee's failure must not deprive the others of their digest
            logger.exception("digest: could not send the digest of user %s", user_id)
    return len(user_ids)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=60, retry_backoff_max=600, max_retries=5)
def send_digest(user_id, day):
    """Queue one assignee's digest for ``day`` (ISO date); does nothing if already sent that day."""
    return digest_send(user_id=user_id, day=datetime.date.fromisoformat(day))


@shared_task
def apply_retention():
    """Anonymise cases past the retention period and purge old outbox rows (scheduled daily by Celery beat)."""
    # Leave room under the soft time limit: a long backlog is finished by the next runs.
    anonymised = cases_anonymise(max_seconds=settings.CELERY_TASK_SOFT_TIME_LIMIT // 2)
    emails = outbox_purge()
    digests = digest_logs_purge()
    citizens = citizens_purge()
    logger.info(
        "retention: %s cases anonymised, %s e-mails, %s digest logs and %s citizen accounts purged",
        anonymised,
        emails,
        digests,
        citizens,
    )
    return {"anonymised": anonymised, "emails": emails, "digest_logs": digests, "citizens": citizens}


@shared_task(ignore_result=True)
def purge_imported_emails():
    """Forget the Message-IDs of mailbox messages read longer ago than ``QUALIPREF_MAILBOX_MESSAGE_ID_DAYS``
    (scheduled daily by Celery beat); a long backlog is finished by the next runs."""
    deleted = imported_emails_purge(max_seconds=settings.CELERY_TASK_SOFT_TIME_LIMIT // 2)
    logger.info("mailbox: %s Message-IDs of messages read long ago forgotten", deleted)
    return deleted


# ignore_result: what it found is nobody's business (Celery would log it), and sending a task whose result is
# kept first subscribes to the result store, which holds the request while Redis is down.
@shared_task(
    autoretry_for=(OperationalError,), retry_backoff=30, retry_backoff_max=600, max_retries=5, ignore_result=True
)
def send_new_tracking_link(reference, email_fingerprint):
    """The lost-link form's work, done after its answer: if the reference and the address (its fingerprint, see
    ``complaints.tracking_links``) match a case, e-mail a new link, which replaces the old ones."""
    tracking_link_resend(reference=reference, email_fingerprint=email_fingerprint)


@shared_task(ignore_result=True)
def read_mailboxes():
    """One reading task per active mailbox (scheduled every five minutes by Celery beat)."""
    mailbox_ids = list(Mailbox.objects.filter(is_active=True).values_list("pk", flat=True))
    for mailbox_id in mailbox_ids:
        try:
            read_mailbox.delay(mailbox_id)
        except Exception:  # one prefecture's failure must not keep the others' mailboxes unread
            logger.exception("mailbox: could not queue the reading of mailbox %s", mailbox_id)
    return len(mailbox_ids)


@shared_task(ignore_result=True)
def read_mailbox(mailbox_id):
    """Import the new messages of one mailbox (``complaints.mailbox.intake.mailbox_fetch``). Safe to run twice:
    a message already imported is only filed away; a mailbox that cannot be read is tried again at the next run."""
    mailbox = Mailbox.objects.select_related("prefecture").filter(pk=mailbox_id, is_active=True).first()
    if mailbox is None:
        return None
    try:
        counts = mailbox_fetch(mailbox=mailbox)
    except (MailboxError, ImproperlyConfigured) as error:
        logger.warning("mailbox: mailbox %s could not be read: %s", mailbox_id, error)
        return None
    if counts:
        logger.info("mailbox: mailbox %s read: %s", mailbox_id, dict(counts))
    return dict(counts) if counts is not None else None
