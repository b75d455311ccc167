import datetime
import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from django.utils.translation import gettext as _

from .enums import ImportStatus
from .services import delivery_import_check, delivery_import_expire, delivery_import_fail

logger = logging.getLogger(__name__)

# A big file takes minutes: well above the default limits, well below Redis' visibility timeout.
IMPORT_SOFT_TIME_LIMIT = 1500
STALE_AFTER = datetime.timedelta(days=30)
# A check runs at most half an hour; its task comes back within the broker's visibility timeout if its worker dies.
QUEUED_FOR_TOO_LONG = datetime.timedelta(hours=6)


@shared_task(
    soft_time_limit=IMPORT_SOFT_TIME_LIMIT,
    time_limit=IMPORT_SOFT_TIME_LIMIT + 120,
    autoretry_for=(OperationalError, InterfaceError),
    max_retries=3,
    retry_backoff=60,
)
def check_delivery_import(import_id):
    """Validate an uploaded delivery file. Safe to run twice: only a queued import is checked.

    The database gone for a moment (a deadlock, a lost connection) is tried again, up to three times. A check
    that stops on any other error is not (it would stop again): the import is marked failed with a message for
    the officer, so that the page stops waiting and the same file may be uploaded again. A worker killed outright
    runs nothing more: its task comes back (``acks_late``), or the daily expiry fails it.
    """
    try:
        delivery_import = delivery_import_check(import_id=import_id)
    except (OperationalError, InterfaceError):
        logger.warning("check_delivery_import: import %s met a database error, tried again", import_id)
        raise
    except SoftTimeLimitExceeded:
        logger.warning("check_delivery_import: import %s took too long", import_id)
        message = _(
            "The check of this file took too long and was stopped: nothing of it was counted. Split the "
            "file (by year, for example) and upload the parts."
        )
        delivery_import_fail(import_id=import_id, message=message)
        return ImportStatus.FAILED
    except Exception:
        message = _(
            "The check of this file stopped on an unexpected error: nothing of it was counted. Upload it "
            "again; if it fails again, tell your administrator (import no. %(id)s)."
        ) % {"id": import_id}
        delivery_import_fail(import_id=import_id, message=message)
        raise
    if delivery_import is None:
        logger.info("check_delivery_import: import %s is gone", import_id)
        return None
    return delivery_import.status


@shared_task
def expire_stale_delivery_imports():
    """Reject imports left without a decision for a month (scheduled daily by Celery beat)."""
    now = timezone.now()
    return delivery_import_expire(older_than=now - STALE_AFTER, queued_before=now - QUEUED_FOR_TOO_LONG)
