import datetime
import logging

from celery import shared_task
from django.utils import timezone

from .services import delivery_import_check, delivery_import_expire

logger = logging.getLogger(__name__)

# A big file takes minutes: well above the default limits, well below Redis' visibility timeout.
IMPORT_SOFT_TIME_LIMIT = 1500
STALE_AFTER = datetime.timedelta(days=30)


@shared_task(soft_time_limit=IMPORT_SOFT_TIME_LIMIT, time_limit=IMPORT_SOFT_TIME_LIMIT + 120)
def check_delivery_import(import_id):
    """Validate an uploaded delivery file. Safe to run twice: only a queued import is checked."""
    delivery_import = delivery_import_check(import_id=import_id)
    if delivery_import is None:
        logger.info("check_delivery_import: import %s is gone", import_id)
        return None
    return delivery_import.status


@shared_task
def expire_stale_delivery_imports():
    """Reject imports left without a decision for a month (scheduled daily by Celery beat)."""
    return delivery_import_expire(older_than=timezone.now() - STALE_AFTER)
