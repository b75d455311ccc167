import logging

from celery import shared_task

from .mail import OutboxSendError, email_send, outbox_sweep
from .models import Prefecture
from .services import prefecture_refresh_next_audit

logger = logging.getLogger(__name__)


@shared_task(bind=True, autoretry_for=(ConnectionError,), retry_backoff=30, retry_backoff_max=600, max_retries=5)
def refresh_next_audit(self, prefecture_id):
    """Recompute one prefecture's next audit date; a deleted prefecture is skipped."""
    if not Prefecture.objects.filter(pk=prefecture_id).exists():
        logger.info("refresh_next_audit: prefecture %s is gone, nothing to do", prefecture_id)
        return None
    next_audit = prefecture_refresh_next_audit(prefecture_id=prefecture_id)
    return next_audit.isoformat() if next_audit else None


@shared_task
def refresh_all_next_audits():
    """Fan out one task per labelled prefecture (scheduled daily by Celery beat)."""
    for prefecture_id in Prefecture.objects.labelled().values_list("pk", flat=True):
        refresh_next_audit.delay(prefecture_id)


# ignore_result: nobody reads it, and sending a task whose result is kept first subscribes to the
# result store: with Redis down, that alone held the citizen's request for twenty seconds.
@shared_task(bind=True, max_retries=6, default_retry_delay=60, ignore_result=True)
def send_outgoing_email(self, email_id):
    """Send one e-mail of the outbox; SMTP failures are retried with a growing delay."""
    try:
        return email_send(email_id=email_id)
    except Exception as error:
        # The row keeps the error, which may name the address; Celery's logs get only its kind.
        failure = OutboxSendError(f"e-mail {email_id} not sent: {type(error).__name__}")
        raise self.retry(exc=failure, countdown=min(60 * 2**self.request.retries, 1800)) from None


@shared_task
def sweep_outbox():
    """Send what the outbox still holds (scheduled every five minutes by Celery beat)."""
    return outbox_sweep()
