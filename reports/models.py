"""The audit report: one version of a prefecture's PDF for a period, with its build status and checksum.

The PDF (and the detailed CSV beside it) are private files: served only by ``reports.views.download``,
which checks who asks. The table is the one the model had in the core app (``qualipref_auditreport``):
migration ``reports/0001`` only moved it in Django's state.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from engagements.enums import PeriodKind
from engagements.periods import Period
from qualipref.dates import quarter_of
from qualipref.scoping import PrefectureScopedQuerySet

from .enums import ReportStatus


def report_path(instance, filename):
    return f"reports/{instance.prefecture.department_code}/{filename}"


class AuditReportQuerySet(PrefectureScopedQuerySet):
    def done(self):
        return self.filter(status=ReportStatus.DONE)

    def for_period(self, period):
        return self.filter(period_kind=period.kind, period_start=period.start)

    def shared_with_committee(self):
        """Ready reports the officers shared with the users' committee, newest period first."""
        return self.done().filter(shared_with_committee=True).order_by("-period_start", "-version")

    def stuck(self, older_than):
        """Reports left “being built” for longer than a build may take (a worker died under them)."""
        return self.filter(status=ReportStatus.RUNNING, started_at__lt=timezone.now() - older_than)


class AuditReport(models.Model):
    prefecture = models.ForeignKey(
        "qualipref.Prefecture", on_delete=models.CASCADE, related_name="audit_reports", verbose_name=_("prefecture")
    )
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField(_("period starts on"))
    version = models.PositiveIntegerField(_("version"))
    # French, the label's language, unless an English copy was asked for (for an auditor, a partner abroad).
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="fr", db_default="fr")
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.PENDING)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    file = models.FileField(_("PDF"), upload_to=report_path, max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    csv_file = models.FileField(_("detailed data (CSV)"), upload_to=report_path, max_length=200, blank=True)

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    schedule = models.CharField(_("schedule"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    gather_seconds = models.FloatField(_("data gathering (s)"), null=True, blank=True)
    render_seconds = models.FloatField(_("rendering (s)"), null=True, blank=True)

    shared_with_committee = models.BooleanField(
        _("shared with the committee"),
        default=False,
        help_text=_("The committee's members can read it in their space."),
    )
    shared_at = models.DateTimeField(_("shared at"), null=True, blank=True)

    objects = AuditReportQuerySet.as_manager()

    prefecture_lookup = "prefecture"

    class Meta:
        db_table = "qualipref_auditreport"
        verbose_name = _("audit report")
        verbose_name_plural = _("audit reports")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "period_kind", "period_start", "version"], name="audit_report_unique_version"
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | (Q(sha256__regex=r"^[0-9a-f]{64}$") & Q(size__isnull=False)),
                name="audit_report_done_has_checksum",
            ),
        ]
        indexes = [models.Index(fields=["prefecture", "period_kind", "period_start"], name="audit_report_period")]

    def __str__(self):
        return f"{self.prefecture.department_code} {self.period} v{self.version}"

    @property
    def period(self):
        start = self.period_start
        if self.period_kind == PeriodKind.MONTH:
            return Period.month(start)
        if self.period_kind == PeriodKind.QUARTER:
            return Period.quarter(start.year, quarter_of(start))
        return Period.year(start.year)

    @property
    def is_done(self):
        return self.status == ReportStatus.DONE

    @property
    def requested_by_label(self):
        if self.schedule:
            return _("schedule “%(name)s”") % {"name": self.schedule}
        return str(self.requested_by) if self.requested_by_id else "—"

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None

    def filename(self, extension="pdf"):
        base = f"rapport-qualite-{self.prefecture.department_code}-{self.period}-v{self.version}"
        return f"{base}.{extension}" if self.language == "fr" else f"{base}-{self.language}.{extension}"

    def get_download_url(self):
        return reverse("audit_report_download", kwargs={"pk": self.pk})

    def get_csv_url(self):
        return reverse("audit_report_csv", kwargs={"pk": self.pk})


def previous_period(period):
    """The period just before ``period``, of the same kind."""
    if period.kind == PeriodKind.MONTH:
        return Period.month(period.start - datetime.timedelta(days=1))
    if period.kind == PeriodKind.QUARTER:
        before = period.start - datetime.timedelta(days=1)
        return Period.quarter(before.year, quarter_of(before))
    return Period.year(period.start.year - 1)
