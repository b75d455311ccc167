"""Writes of the audit reports: ask for one, build it, share it, sweep the stuck ones, schedule them."""

import datetime
import hashlib
import logging
import time

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from qualipref.dates import quarter_of
from qualipref.enums import Role
from qualipref.links import absolute_url
from qualipref.mail import email_queue
from qualipref.models import Prefecture, User
from qualipref.pdf import render_pdf

from .data import gather
from .enums import SCHEDULE_KEEPS, ReportStatus
from .models import AuditReport, previous_period
from .render import render_csv, render_html

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 4  # the first build and three retries
SOFT_TIME_LIMIT = getattr(settings, "AUDIT_REPORT_SOFT_TIME_LIMIT", 600)
TIME_LIMIT = getattr(settings, "AUDIT_REPORT_TIME_LIMIT", 660)
# A pending report nobody started within this delay lost its task (broker down at the commit): sent again.
PENDING_RESEND_AFTER = datetime.timedelta(minutes=20)


class BuildFailed(Exception):
    """A build failed and will be tried again (the report is pending, its error recorded)."""


def report_create(*, prefecture, period, by=None, schedule="", language="fr"):
    """The next version of ``prefecture``'s report for ``period``, pending, in ``language`` (French by default).
    Nothing is enqueued.

    A schedule asks once per period: if a scheduled report of that period is pending, being built or
    done, that one is returned and no version is added.
    """
    with transaction.atomic():
        # Versions are numbered per prefecture and period: lock the prefecture so that two requests
        # at once do not take the same number.
        Prefecture.objects.select_for_update().filter(pk=prefecture.pk).first()
        existing = AuditReport.objects.filter(prefecture=prefecture).for_period(period)
        if schedule:
            kept = existing.filter(status__in=SCHEDULE_KEEPS).exclude(schedule="").order_by("-version").first()
            if kept is not None:
                return kept, False
        version = (existing.aggregate(last=Max("version"))["last"] or 0) + 1
        report = AuditReport.objects.create(
            prefecture=prefecture,
            period_kind=period.kind,
            period_start=period.start,
            version=version,
            requested_by=by,
            schedule=schedule or "",
            language=language,
        )
    return report, True


def report_request(*, prefecture, period, by=None, schedule=None, language="fr"):
    """Ask for a new version of a report; its build is enqueued once the transaction commits."""
    from .tasks import build_audit_report

    with transaction.atomic():
        report, created = report_create(
            prefecture=prefecture, period=period, by=by, schedule=schedule or "", language=language
        )
        if created:
            build_audit_report.delay_on_commit(report.pk)
    return report


def _claim(report_id):
    """Mark the report running, unless it is done, failed for good, or being built by a live worker."""
    stale_before = timezone.now() - datetime.timedelta(seconds=TIME_LIMIT)
    with transaction.atomic():
        report = (
            AuditReport.objects.select_for_update()
            .filter(pk=report_id)
            .filter(Q(status=ReportStatus.PENDING) | Q(status=ReportStatus.RUNNING, started_at__lt=stale_before))
            .first()
        )
        if report is None:
            return None
        report.status = ReportStatus.RUNNING
        report.started_at = timezone.now()
        report.finished_at = None
        report.attempts += 1
        report.save(update_fields=["status", "started_at", "finished_at", "attempts"])
    return AuditReport.objects.select_related("prefecture", "requested_by").get(pk=report_id)


def report_build(*, report_id, final_attempt=True):
    """Build one report: gather, render HTML then PDF, store it with its checksum and page count, tell the officer.

    Safe to run twice: a report done (or being built by a live worker) is left alone and ``None`` returned.
    A failure is recorded on the report; unless ``final_attempt``, the report goes back to pending and
    ``BuildFailed`` is raised for the task to retry it later.
    """
    report = _claim(report_id)
    if report is None:
        logger.info("reports: report %s is done or being built, nothing to do", report_id)
        return None
    prefecture, period = report.prefecture, report.period
    try:
        started = time.perf_counter()
        # The report's own language (French, the label's, unless English was asked for), whichever language the
        # request that asked for it was in.
        with translation.override(report.language):
            data = gather(prefecture, period)
            gathered = time.perf_counter()
            html = render_html(
                data,
                version=report.version,
                requested_by=report.requested_by_label,
                time_zone=prefecture.time_zone,
                language=report.language,
            )
            pdf, pages = render_pdf(html)
            rendered = time.perf_counter()
            csv = render_csv(prefecture, period)
    except Exception as error:
        retry = not final_attempt and not isinstance(error, SoftTimeLimitExceeded) and report.attempts < MAX_ATTEMPTS
        logger.exception("reports: building report %s failed (attempt %s)", report_id, report.attempts)
        report_fail(report=report, error=error, final=not retry)
        if retry:
            raise BuildFailed(str(error)) from error
        return report
    with transaction.atomic():
        report.file.save(report.filename("pdf"), ContentFile(pdf), save=False)
        report.csv_file.save(report.filename("csv"), ContentFile(csv), save=False)
        report.sha256 = hashlib.sha256(pdf).hexdigest()
        report.size = len(pdf)
        report.page_count = pages
        report.gather_seconds = round(gathered - started, 3)
        report.render_seconds = round(rendered - gathered, 3)
        report.status = ReportStatus.DONE
        report.error = ""
        report.finished_at = timezone.now()
        report.save()
        _notify(report, "reports/emails/report_ready", "audit_report_ready")
    logger.info(
        "reports: report %s done: %s pages, %s bytes, gathered in %.2f s, rendered in %.2f s",
        report.pk,
        pages,
        report.size,
        report.gather_seconds,
        report.render_seconds,
    )
    return report


def report_retry(*, report, by=None):
    """Build again a report that failed, or that waits or runs past its time limit (a lost task, a dead worker).

    Its attempts start again from zero; the build is enqueued once the transaction commits. Sending a build
    twice is harmless: the worker that claims it first builds it. A report done, or being built by a live
    worker, is refused with a ``ValidationError``.
    """
    from .tasks import build_audit_report

    stale_before = timezone.now() - datetime.timedelta(seconds=TIME_LIMIT)
    with transaction.atomic():
        retried = (
            AuditReport.objects.filter(pk=report.pk)
            .filter(
                Q(status__in=[ReportStatus.FAILED, ReportStatus.PENDING])
                | Q(status=ReportStatus.RUNNING, started_at__lt=stale_before)
            )
            .update(status=ReportStatus.PENDING, attempts=0, started_at=None, finished_at=None, error="")
        )
        if not retried:
            report.refresh_from_db()
            if report.is_done:
                raise ValidationError(_("Report %(report)s is already built.") % {"report": report})
            raise ValidationError(_("Report %(report)s is being built.") % {"report": report})
        build_audit_report.delay_on_commit(report.pk)
    logger.info("reports: report %s sent to be built again by user %s", report.pk, by and by.pk)
    report.refresh_from_db()
    return report


def report_fail(*, report, error, final=True):
    """Record a failed attempt; a final failure is ``failed`` and e-mailed, otherwise the report waits for a retry."""
    message = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    with transaction.atomic():
        report.status = ReportStatus.FAILED if final else ReportStatus.PENDING
        report.error = message[:2000]
        report.finished_at = timezone.now()
        report.save(update_fields=["status", "error", "finished_at"])
        if final:
            _notify(report, "reports/emails/report_failed", "audit_report_failed")
    return report


def _recipients(report):
    if report.requested_by_id and report.requested_by.email and report.requested_by.is_active:
        return [report.requested_by.email]
    return list(
        User.objects.filter(
            is_active=True,
            memberships__prefecture=report.prefecture,
            memberships__role=Role.QUALITY_OFFICER,
        )
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
        .order_by("email")
    )


def _notify(report, template, purpose):
    context = {
        "report": report,
        "prefecture": report.prefecture,
        "period": str(report.period),
        "admin_url": absolute_url(reverse("admin:reports_auditreport_change", args=[report.pk])),
        "download_url": absolute_url(report.get_download_url()) if report.is_done else "",
    }
    for email in _recipients(report):
        email_queue(to=email, template=template, context=context, purpose=purpose, prefecture=report.prefecture)


def report_share(*, report, shared, by=None):
    """Share a ready report with the prefecture's users' committee (or stop sharing it)."""
    if shared and not report.is_done:
        raise ValidationError(_("Only a ready report can be shared with the committee."))
    report.shared_with_committee = shared
    report.shared_at = timezone.now() if shared else None
    report.save(update_fields=["shared_with_committee", "shared_at"])
    logger.info("reports: report %s %s by user %s", report.pk, "shared" if shared else "unshared", by and by.pk)
    return report


def reports_sweep():
    """Builds a dead worker left “running” are tried again (or failed after the last attempt); pending reports
    whose task was lost are sent again. Returns how many were touched."""
    from .tasks import build_audit_report

    touched = 0
    cutoff = timezone.now() - PENDING_RESEND_AFTER
    lost = list(
        AuditReport.objects.filter(status=ReportStatus.PENDING)
        .filter(Q(started_at__isnull=True, created_at__lt=cutoff) | Q(started_at__lt=cutoff))
        .values_list("pk", flat=True)[:100]
    )
    stale = datetime.timedelta(seconds=TIME_LIMIT + 60)
    for report in AuditReport.objects.stuck(stale).select_related("prefecture", "requested_by")[:100]:
        touched += 1
        if report.attempts >= MAX_ATTEMPTS:
            report_fail(report=report, error=_("The build was interrupted (the worker stopped)."), final=True)
            continue
        with transaction.atomic():
            updated = AuditReport.objects.filter(pk=report.pk, status=ReportStatus.RUNNING).update(
                status=ReportStatus.PENDING, error=_("The build was interrupted (the worker stopped); tried again.")
            )
            if updated:
                build_audit_report.delay_on_commit(report.pk)
    for report_id in lost:
        touched += 1
        build_audit_report.delay(report_id)
    return touched


def scheduled_period(prefecture, kind):
    """The period a schedule builds: the one before the prefecture's current month, quarter or year."""
    from engagements.periods import Period

    today = prefecture.today()
    if kind == "month":
        current = Period.month(today)
    elif kind == "quarter":
        current = Period.quarter(today.year, quarter_of(today))
    elif kind == "year":
        current = Period.year(today.year)
    else:
        raise ValueError(f"not a period kind: {kind!r}")
    return previous_period(current)
