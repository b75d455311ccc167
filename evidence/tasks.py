"""The evidence library's daily job (Celery beat, ``CELERY_BEAT_SCHEDULE``): reminders before documents lapse."""

import logging

from celery import shared_task

from .reminders import reminder_send, reminders_due

logger = logging.getLogger(__name__)


@shared_task
def send_evidence_reminders():
    """Send every reminder due today (each prefecture's today). Safe to run twice: each is recorded once per
    version of its document. Returns how many documents were reminded of."""
    sent = 0
    for document_id, kind in reminders_due():
        try:
            sent += reminder_send(document_id=document_id, kind=kind)
        except Exception:  # one document's failure must not deprive the others of their reminder
            logger.exception("evidence: could not send the %s reminder of document %s", kind, document_id)
    return sent
