"""Celery tasks of the audit reports: thin, taking ids, safe to run twice.

Their names are the ones they had when this app lived inside the core (``qualipref.reports.tasks.…``):
messages already queued and the beat schedule of a running deployment name them so.
"""

import logging

from celery import shared_task
from django.conf import settings

from qualipref.models import Prefecture

from .services import (
    SOFT_TIME_LIMIT,
    TIME_LIMIT,
    BuildFailed,
    report_build,
    report_request,
    reports_sweep,
    scheduled_period,
)

logger = logging.getLogger(__name__)

SCHEDULES = {"month": "monthly", "quarter": "quarterly", "year": "yearly"}


@shared_task(
    name="qualipref.reports.tasks.build_audit_report",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=3,
    default_retry_delay=60,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
)
def build_audit_report(self, report_id):
    """Build one report. A done report returns at once; a failed attempt is retried with a growing delay."""
    # Without a worker (``make run``: tasks run in the web process, their errors raised to the caller), a retry
    # would be raised into the officer's request as a server error: the first failure is final, the report is
    # "failed" with its error, and the officer builds it again from the list.
    in_request = self.request.is_eager and self.app.conf.task_eager_propagates
    final = in_request or self.request.retries >= self.max_retries
    try:
        report = report_build(report_id=report_id, final_attempt=final)
    except BuildFailed as error:
        countdown = min(60 * 2**self.request.retries, settings.CELERY_RETRY_MAX_COUNTDOWN)
        raise self.retry(exc=error, countdown=countdown) from error
    return report.status if report else None


@shared_task(
    name="qualipref.reports.tasks.request_scheduled_audit_report",
    bind=True,
    autoretry_for=(ConnectionError,),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=5,
)
def request_scheduled_audit_report(self, prefecture_id, kind):
    """Ask for one prefecture's report of the period just over; nothing new if the schedule already asked."""
    prefecture = Prefecture.objects.filter(pk=prefecture_id).first()
    if prefecture is None:
        logger.info("reports: prefecture %s is gone", prefecture_id)
        return None
    report = report_request(prefecture=prefecture, period=scheduled_period(prefecture, kind), schedule=SCHEDULES[kind])
    return report.pk


@shared_task(name="qualipref.reports.tasks.schedule_audit_reports")
def schedule_audit_reports(kind):
    """Fan out one task per prefecture (Celery beat, at the start of each month, quarter and year)."""
    if kind not in SCHEDULES:
        raise ValueError(f"not a period kind: {kind!r}")
    for prefecture_id in Prefecture.objects.values_list("pk", flat=True):
        request_scheduled_audit_report.delay(prefecture_id, kind)


@shared_task(name="qualipref.reports.tasks.sweep_audit_reports")
def sweep_audit_reports():
    """Retry the builds a dead worker left behind, resend lost ones (Celery beat, every ten minutes)."""
    return reports_sweep()
