"""Celery tasks of the engagements' monthly figures.

Their names are the ones they had when this app lived inside the core (``qualipref.engagements.tasks.…``):
messages already queued and the beat schedule of a running deployment name them so.
"""

import datetime
import logging

from celery import shared_task

from qualipref.models import Prefecture

from .services import monthly_indicators_refresh

logger = logging.getLogger(__name__)


@shared_task(
    name="qualipref.engagements.tasks.refresh_monthly_indicators",
    bind=True,
    autoretry_for=(ConnectionError,),
    retry_backoff=30,
    max_retries=5,
)
def refresh_monthly_indicators(self, prefecture_id, months=None):
    """Recompute one prefecture's monthly figures (``months``: ISO dates; default the last three months)."""
    prefecture = Prefecture.objects.filter(pk=prefecture_id).first()
    if prefecture is None:
        logger.info("refresh_monthly_indicators: prefecture %s is gone", prefecture_id)
        return 0
    parsed = [datetime.date.fromisoformat(m) for m in months] if months else None
    return monthly_indicators_refresh(prefecture=prefecture, months=parsed)


@shared_task(name="qualipref.engagements.tasks.refresh_all_monthly_indicators")
def refresh_all_monthly_indicators():
    """Fan out one refresh per prefecture (scheduled nightly by Celery beat)."""
    for prefecture_id in Prefecture.objects.values_list("pk", flat=True):
        refresh_monthly_indicators.delay(prefecture_id)
