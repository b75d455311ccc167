import logging

from celery import shared_task

from .services import invitation_send

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def send_invitation(self, invitation_id):
    """Queue one member's invitation e-mail (with its ``.ics``) in the outbox.

    Idempotent: a revision of a meeting is sent once per member; a deleted invitation is skipped.
    The outbox then sends the e-mail (and retries SMTP failures) on its own.
    """
    try:
        return invitation_send(invitation_id=invitation_id)
    except Exception as error:
        logger.exception("committee: invitation %s could not be queued", invitation_id)
        raise self.retry(exc=error, countdown=min(60 * 2**self.request.retries, 600)) from error
