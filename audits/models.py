"""The label's audit cycle: the cycle of a prefecture's label, its audits, and the auditors' findings.

- ``LabelCycle``: one label held (or sought) by a prefecture, for all its sites or some of them; its status moves
  through ``audits.workflow.CYCLE_WORKFLOW`` and every step is logged (``CycleStep``), dated, with who and an
  optional document; the certificate of the award (or renewal) is kept on the cycle.
- ``Audit``: an initial, surveillance or renewal audit of a cycle: dates, auditor, sites visited, the cases the
  auditor sampled, and the signed report (who, when, SHA-256 of the canonical JSON signed).
- ``Finding``: what the auditor found, tied to an engagement; a non-conformity needs a corrective action, which is
  the committee's ``ImprovementAction`` (a real foreign key: audits sit above the committee), and is closed only
  when the auditor accepts it. The engagement whose indicator the action should move is the finding's.
- ``SelfAssessment``: a campaign in which the prefecture rates itself against the engagements in force on its date
  (``SelfAssessmentLine``, one per engagement), completed line by line by its officers and frozen once submitted;
  compared with the previous campaign and with the monthly figures in ``audits.selfassessment``.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from committee.models import ImprovementAction
from complaints.models import Case
from engagements.models import Engagement, EngagementVersion, ManualMeasure
from qualipref.enums import Label
from qualipref.models import Prefecture, Site
from qualipref.scoping import PrefectureScopedQuerySet
from qualipref.workflow import TransitionLog

from .enums import (
    HOLDING_STATUSES,
    NON_CONFORMITIES,
    OPEN_FINDING_STATUSES,
    AuditKind,
    AuditStatus,
    CycleStatus,
    FindingKind,
    FindingStatus,
    SelfRating,
)


def document_path(instance, filename):
    # Never the uploader's file name on disk: a random name in a private folder (no MEDIA_URL is served).
    return f"audits/{uuid.uuid4().hex}"


class LabelCycleQuerySet(PrefectureScopedQuerySet):
    def current(self):
        """The cycles not withdrawn: at most one per prefecture and label (a constraint)."""
        return self.exclude(status=CycleStatus.WITHDRAWN)


class LabelCycle(models.Model):
    """A prefecture's label from its application to its withdrawal: awarded, audited, renewed."""

    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.CASCADE, related_name="label_cycles", verbose_name=_("prefecture")
    )
    label = models.CharField(
        _("label"), max_length=20, choices=[c for c in Label.choices if c[0] != Label.NONE], default=Label.QUALIPREF
    )
    sites = models.ManyToManyField(
        Site,
        blank=True,
        related_name="label_cycles",
        verbose_name=_("sites covered"),
        help_text=_("Empty: the label covers every site of the prefecture."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CycleStatus.choices, default=CycleStatus.APPLIED, editable=False
    )
    applied_on = models.DateField(_("application filed on"))
    awarded_on = models.DateField(_("awarded (or last renewed) on"), null=True, blank=True, editable=False)
    expires_on = models.DateField(_("valid until"), null=True, blank=True, editable=False)
    certifying_body = models.CharField(_("certifying body"), max_length=120, blank=True)
    certificate = models.FileField(
        _("certificate (PDF)"), upload_to=document_path, max_length=200, blank=True, editable=False
    )
    certificate_name = models.CharField(_("file name"), max_length=120, blank=True, editable=False)
    certificate_sha256 = models.CharField(_("certificate SHA-256"), max_length=64, blank=True, editable=False)
    reason = models.TextField(_("reason of the suspension or withdrawal"), blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    history = HistoricalRecords()

    objects = LabelCycleQuerySet.as_manager()

    prefecture_lookup = "prefecture"

    class Meta:
        verbose_name = _("label cycle")
        verbose_name_plural = _("label cycles")
        ordering = ["prefecture", "-applied_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "label"],
                condition=~Q(status="withdrawn"),
                name="audits_one_current_cycle_per_label",
                violation_error_message=_("This prefecture already has a current cycle for this label."),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["awarded", "renewal_audit", "renewed"]) | Q(awarded_on__isnull=False),
                name="audits_cycle_held_has_award_date",
                violation_error_message=_("A label held needs the date it was awarded."),
            ),
        ]

    def __str__(self):
        return f"{self.prefecture.department_code} – {self.get_label_display()} ({self.get_status_display()})"

    @property
    def holds_label(self):
        return self.status in HOLDING_STATUSES

    def get_certificate_url(self):
        return reverse("admin:audits_labelcycle_certificate", args=[self.pk])


class CycleStep(TransitionLog):
    """One step of a label's cycle (the kit's ``TransitionLog``): the date it took effect and its document."""

    cycle = models.ForeignKey(LabelCycle, on_delete=models.CASCADE, related_name="steps", verbose_name=_("cycle"))
    from_status = models.CharField(_("from"), max_length=20, choices=CycleStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=CycleStatus.choices)
    on = models.DateField(_("effective on"))
    document = models.FileField(_("document"), upload_to=document_path, max_length=200, blank=True)
    document_name = models.CharField(_("file name"), max_length=120, blank=True)
    document_sha256 = models.CharField(_("document SHA-256"), max_length=64, blank=True)

    prefecture_lookup = "cycle__prefecture"

    class Meta(TransitionLog.Meta):
        verbose_name = _("cycle step")
        verbose_name_plural = _("cycle steps")

    def __str__(self):
        return f"{super().__str__()} ({self.on:%d/%m/%Y})"

    def get_document_url(self):
        return reverse("admin:audits_labelcycle_step_document", args=[self.cycle_id, self.pk])


class AuditQuerySet(PrefectureScopedQuerySet):
    def done(self):
        return self.filter(status=AuditStatus.SIGNED)


class Audit(models.Model):
    """An auditor's visit for a label's cycle: when, where, which cases were looked at, and the signed report."""

    cycle = models.ForeignKey(LabelCycle, on_delete=models.CASCADE, related_name="audits", verbose_name=_("cycle"))
    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.CASCADE, related_name="audits", verbose_name=_("prefecture"), editable=False
    )
    kind = models.CharField(_("type"), max_length=20, choices=AuditKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=AuditStatus.choices, default=AuditStatus.PLANNED, editable=False
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="audits",
        verbose_name=_("auditor"),
        help_text=_("A user holding the auditor role for this prefecture."),
    )
    sites = models.ManyToManyField(Site, blank=True, related_name="audits", verbose_name=_("sites visited"))
    sampled_cases = models.ManyToManyField(
        Case,
        blank=True,
        related_name="audits",
        verbose_name=_("cases sampled"),
        help_text=_("The cases the auditor picked, for example from a figure's records."),
    )
    scope_note = models.TextField(_("scope and method"), blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("report signed by"),
    )
    signed_at = models.DateTimeField(_("report signed at"), null=True, blank=True, editable=False)
    signed_content = models.TextField(_("what was signed (canonical JSON)"), blank=True, editable=False)
    signed_sha256 = models.CharField(_("SHA-256 of what was signed"), max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    history = HistoricalRecords(m2m_fields=[sites])

    objects = AuditQuerySet.as_manager()

    prefecture_lookup = "prefecture"

    class Meta:
        verbose_name = _("audit")
        verbose_name_plural = _("audits")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="audits_audit_ends_after_start",
                violation_error_message=_("An audit ends on or after its first day."),
            ),
            models.CheckConstraint(
                condition=~Q(status="signed") | ~Q(signed_sha256=""),
                name="audits_signed_audit_has_hash",
                violation_error_message=_("A signed report keeps the fingerprint of what was signed."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.prefecture.department_code} {self.starts_on:%d/%m/%Y}"

    def clean(self):
        super().clean()
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("An audit ends on or after its first day.")})

    def get_signed_report_url(self):
        return reverse("admin:audits_audit_signed_report", args=[self.pk])


class AuditTransition(TransitionLog):
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("from"), max_length=20, choices=AuditStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=AuditStatus.choices)

    prefecture_lookup = "audit__prefecture"


class FindingQuerySet(PrefectureScopedQuerySet):
    def non_conformities(self):
        return self.filter(kind__in=NON_CONFORMITIES)

    def open(self):
        return self.filter(status__in=OPEN_FINDING_STATUSES)


class Finding(models.Model):
    """What the auditor found during an audit, against one engagement of the referential."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="findings", verbose_name=_("audit"))
    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.CASCADE, related_name="+", verbose_name=_("prefecture"), editable=False
    )
    number = models.PositiveSmallIntegerField(_("number"), editable=False)
    reference = models.CharField(_("reference"), max_length=40, editable=False)
    kind = models.CharField(_("type"), max_length=20, choices=FindingKind.choices)
    engagement = models.ForeignKey(
        Engagement, on_delete=models.PROTECT, related_name="audit_findings", verbose_name=_("engagement")
    )
    statement = models.TextField(_("finding"))
    site = models.ForeignKey(
        Site, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_findings", verbose_name=_("site")
    )
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_findings", verbose_name=_("case")
    )
    evidence = models.ForeignKey(
        ManualMeasure,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_findings",
        verbose_name=_("evidence (monthly measure)"),
    )
    document = models.ForeignKey(
        "evidence.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_findings",
        verbose_name=_("evidence document"),
    )
    status = models.CharField(_("status"), max_length=20, choices=FindingStatus.choices, editable=False)
    action_due_on = models.DateField(
        _("corrective action due on"), null=True, blank=True, help_text=_("Required for a non-conformity.")
    )
    corrective_action = models.ForeignKey(
        ImprovementAction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_findings",
        verbose_name=_("corrective action"),
        editable=False,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
        editable=False,
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closure accepted by"),
        editable=False,
    )
    closed_at = models.DateTimeField(_("closure accepted at"), null=True, blank=True, editable=False)

    history = HistoricalRecords()

    objects = FindingQuerySet.as_manager()

    prefecture_lookup = "prefecture"

    class Meta:
        verbose_name = _("audit finding")
        verbose_name_plural = _("audit findings")
        ordering = ["audit", "number"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "number"], name="audits_finding_number_per_audit"),
            models.CheckConstraint(
                condition=~Q(kind__in=["major", "minor"]) | Q(action_due_on__isnull=False),
                name="audits_nonconformity_has_due_date",
                violation_error_message=_("A non-conformity needs the date its corrective action is due."),
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_by__isnull=False),
                name="audits_closed_finding_accepted",
                violation_error_message=_("Only the auditor's acceptance closes a finding."),
            ),
        ]

    def __str__(self):
        return f"{self.reference} – {self.get_kind_display()}"

    @property
    def is_non_conformity(self):
        return self.kind in NON_CONFORMITIES


class FindingTransition(TransitionLog):
    finding = models.ForeignKey(
        Finding, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("finding")
    )
    from_status = models.CharField(_("from"), max_length=20, choices=FindingStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=FindingStatus.choices)

    prefecture_lookup = "finding__prefecture"


class SelfAssessmentQuerySet(PrefectureScopedQuerySet):
    def submitted(self):
        return self.filter(submitted_at__isnull=False)

    def drafts(self):
        return self.filter(submitted_at__isnull=True)

    def readable_by(self, user):
        """The campaigns ``user`` may read: their prefectures' (``for_user``), drafts only where they are a quality
        officer (``without_others_drafts``)."""
        return self.for_user(user).without_others_drafts(user)

    def without_others_drafts(self, user):
        """Leave out the drafts of the prefectures where ``user`` is no quality officer: an auditor reads what the
        prefecture submitted, never its work in progress."""
        from .perms import officer_prefecture_ids

        if user.is_authenticated and user.sees_all_prefectures:
            return self
        return self.filter(Q(submitted_at__isnull=False) | Q(prefecture__in=officer_prefecture_ids(user)))

    def previous_of(self, campaign):
        """The campaigns of ``campaign``'s prefecture submitted and dated before it, latest first."""
        return (
            self.submitted()
            .filter(prefecture_id=campaign.prefecture_id)
            .filter(Q(on__lt=campaign.on) | Q(on=campaign.on, pk__lt=campaign.pk or 0))
            .order_by("-on", "-pk")
        )


class SelfAssessment(models.Model):
    """A self-assessment campaign: the prefecture rates itself against every engagement in force on ``on``."""

    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.CASCADE, related_name="self_assessments", verbose_name=_("prefecture")
    )
    sites = models.ManyToManyField(
        Site,
        blank=True,
        related_name="self_assessments",
        verbose_name=_("sites assessed"),
        help_text=_("Empty: the whole prefecture."),
    )
    on = models.DateField(_("date of the campaign"), help_text=_("The engagements in force on this day are assessed."))
    period_start = models.DateField(_("figures from (month)"), help_text=_("First day of a month."))
    period_end = models.DateField(_("figures until (month)"), help_text=_("First day of a month."))
    note = models.TextField(_("scope and method"), blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("started by"),
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)

    history = HistoricalRecords(m2m_fields=[sites])

    objects = SelfAssessmentQuerySet.as_manager()

    prefecture_lookup = "prefecture"

    class Meta:
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        ordering = ["prefecture", "-on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture"],
                condition=Q(submitted_at__isnull=True),
                name="audits_one_draft_self_assessment",
                violation_error_message=_("This prefecture already has a self-assessment in progress."),
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="audits_self_assessment_period_ordered",
                violation_error_message=_("The figures' period ends on or after its first month."),
            ),
        ]

    def __str__(self):
        return _("Self-assessment %(code)s of %(date)s") % {
            "code": self.prefecture.department_code,
            "date": self.on.strftime("%d/%m/%Y") if self.on else "",
        }

    @property
    def is_submitted(self):
        return self.submitted_at is not None


class SelfAssessmentLine(models.Model):
    """One engagement of a self-assessment: how the prefecture meets it, its own rating, a comment, and who last
    edited it. ``revision`` counts the saves: a save naming an older revision than the stored one is refused (two
    officers editing the same line never overwrite each other unknowingly)."""

    campaign = models.ForeignKey(
        SelfAssessment, on_delete=models.CASCADE, related_name="lines", verbose_name=_("self-assessment")
    )
    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.CASCADE, related_name="+", verbose_name=_("prefecture"), editable=False
    )
    engagement = models.ForeignKey(
        Engagement, on_delete=models.PROTECT, related_name="self_assessment_lines", verbose_name=_("engagement")
    )
    # The version in force on the campaign's date: the wording and target the prefecture assessed itself against.
    version = models.ForeignKey(
        EngagementVersion,
        on_delete=models.PROTECT,
        related_name="self_assessment_lines",
        verbose_name=_("engagement version"),
        editable=False,
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0, editable=False)
    how_met = models.TextField(_("how it is met"), blank=True)
    rating = models.CharField(_("self-rating"), max_length=20, choices=SelfRating.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    documents = models.ManyToManyField(
        "evidence.Document", blank=True, related_name="self_assessment_lines", verbose_name=_("evidence documents")
    )
    revision = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("last edited by"),
    )
    edited_at = models.DateTimeField(_("last edited at"), null=True, blank=True, editable=False)

    history = HistoricalRecords()

    objects = PrefectureScopedQuerySet.as_manager()

    prefecture_lookup = "prefecture"

    class Meta:
        verbose_name = _("self-assessment line")
        verbose_name_plural = _("self-assessment lines")
        ordering = ["campaign", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "engagement"], name="audits_one_line_per_engagement"),
        ]

    def __str__(self):
        return f"{self.engagement.code} – {self.get_rating_display() or '—'}"
