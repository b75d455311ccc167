import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _

from .services import measure_import_check, measure_import_fail

logger = logging.getLogger(__name__)

IMPORT_SOFT_TIME_LIMIT = 600


@shared_task(
    soft_time_limit=IMPORT_SOFT_TIME_LIMIT,
    time_limit=IMPORT_SOFT_TIME_LIMIT + 60,
    autoretry_for=(OperationalError, InterfaceError),
    max_retries=3,
    retry_backoff=60,
)
def check_measure_import(import_id):
    """Check an uploaded file of calls or tickets. Safe to run twice: only a queued import is checked.

    As the delivery import's task: a database gone for a moment is tried again; any other error fails the import
    with a message for the officer, so that the page stops waiting and the same file may be uploaded again.
    """
    try:
        measure_import = measure_import_check(import_id=import_id)
    except (OperationalError, InterfaceError):
        logger.warning("check_measure_import: import %s met a database error, tried again", import_id)
        raise
    except SoftTimeLimitExceeded:
        message = _("The check of this file took too long and was stopped: nothing of it was counted.")
        measure_import_fail(import_id=import_id, message=message)
        return None
    except Exception:
        message = _(
            "The check of this file stopped on an unexpected error: nothing of it was counted. Upload it "
            "again; if it fails again, tell your administrator (import no. %(id)s)."
        ) % {"id": import_id}
        measure_import_fail(import_id=import_id, message=message)
        raise
    return measure_import.status if measure_import else None
