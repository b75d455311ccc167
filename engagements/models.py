"""The engagements referential (national, versioned), manual measures, the working-days calendar table
and the materialised monthly figures.

Versioning: an engagement's wording, measurement and target live in ``EngagementVersion`` rows, each in
force from the first day of a month until the next one. A figure is always judged against the version
in force for its month, and the materialised ``MonthlyIndicator`` keeps a copy of the target it was
judged against: changing a target (a new version) never changes a past result.

Tables: these models were born in the core app and kept its tables (``qualipref_<model>``, history
included) when they moved here; migration ``engagements/0001`` only moved them in Django's state.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qualipref.calendar import on_local_today
from qualipref.csvfiles import refuse_formula_start
from qualipref.enums import Label
from qualipref.scoping import PrefectureScopedQuerySet

from .enums import ENTERED_SOURCES, Comparator, Source, Unit
from .periods import results_complete_before


class EngagementQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def national(self):
        """The national referential: the engagements every prefecture keeps."""
        return self.filter(prefecture__isnull=True)

    def of_prefecture(self, prefecture):
        """The engagements a prefecture keeps: the national ones and its own local ones."""
        return self.filter(Q(prefecture__isnull=True) | Q(prefecture=prefecture))


class Engagement(models.Model):
    """One engagement of the label (“we answer your letters within 15 working days”)."""

    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        validators=[refuse_formula_start],
        help_text=_("For example COURRIERS-15J."),
    )
    label = models.CharField(
        _("label"), max_length=20, choices=[c for c in Label.choices if c[0] != Label.NONE], default=Label.QUALIPREF
    )
    source = models.CharField(_("how it is measured"), max_length=30, choices=Source.choices)
    channel = models.CharField(
        _("channel"),
        max_length=20,
        blank=True,
        help_text=_("For the measures of cases of one channel: letter, email…"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    is_headline = models.BooleanField(
        _("headline"), default=False, help_text=_("Shown in the network's comparison table.")
    )
    # A local engagement: one prefecture's own, on top of the national referential (empty: national).
    prefecture = models.ForeignKey(
        "qualipref.Prefecture",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="local_engagements",
        verbose_name=_("prefecture (local engagement)"),
        help_text=_("Empty: an engagement of the national referential."),
    )

    history = HistoricalRecords(table_name="qualipref_historicalengagement")

    objects = EngagementQuerySet.as_manager()

    national_referential = True

    class Meta:
        db_table = "qualipref_engagement"
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        ordering = ["position", "code"]

    def __str__(self):
        return self.code

    def clean(self):
        super().clean()
        if self.prefecture_id and self.is_headline:
            raise ValidationError(
                {"is_headline": _("A local engagement is not compared across the network: it cannot be a headline.")}
            )

    @property
    def is_manual(self):
        return self.source in ENTERED_SOURCES

    @property
    def is_local(self):
        return self.prefecture_id is not None


class LocalEngagementManager(models.Manager.from_queryset(PrefectureScopedQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(prefecture__isnull=False)


class LocalEngagement(Engagement):
    """A prefecture's own engagements (the admin of its officers): the same rows, scoped to their prefecture."""

    objects = LocalEngagementManager()

    national_referential = False
    prefecture_lookup = "prefecture"

    class Meta:
        proxy = True
        verbose_name = _("local engagement")
        verbose_name_plural = _("local engagements")


class EngagementVersionQuerySet(models.QuerySet):
    def in_force(self, month):
        """The versions in force for ``month`` (first day of a month): for each engagement the latest started."""
        return self.filter(valid_from__lte=month).order_by("engagement_id", "-valid_from")


class EngagementVersion(models.Model):
    """What an engagement says and targets from ``valid_from`` on. Never edited once figures use it: add one."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="versions", verbose_name=_("engagement")
    )
    valid_from = models.DateField(_("in force from"), help_text=_("First day of a month."))
    wording = models.CharField(_("French wording"), max_length=300, validators=[refuse_formula_start])
    measurement = models.TextField(_("how it is measured"), blank=True)
    # Shown on the English pages (the French, marked lang="fr", when empty): a translation, not a new engagement,
    # so it may be corrected on a version figures already use.
    wording_en = models.CharField(_("English wording"), max_length=300, blank=True)
    measurement_en = models.TextField(_("how it is measured, in English"), blank=True)
    target_value = models.DecimalField(_("target"), max_digits=7, decimal_places=2)
    comparator = models.CharField(
        _("comparator"), max_length=3, choices=Comparator.choices, default=Comparator.AT_LEAST
    )
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices, default=Unit.PERCENT)
    deadline_working_days = models.PositiveSmallIntegerField(
        _("deadline (working days)"),
        null=True,
        blank=True,
        help_text=_("For “answered within N working days”; empty: the case's own due date."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = EngagementVersionQuerySet.as_manager()

    national_referential = True

    class Meta:
        db_table = "qualipref_engagementversion"
        verbose_name = _("engagement version")
        verbose_name_plural = _("engagement versions")
        ordering = ["engagement", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "valid_from"],
                name="engagement_version_unique_start",
                violation_error_message=_("This engagement already has a version starting that month."),
            )
        ]

    def __str__(self):
        return f"{self.engagement_id} {self.valid_from:%Y-%m}: {self.wording}"

    def clean(self):
        super().clean()
        if self.valid_from and self.valid_from.day != 1:
            raise ValidationError({"valid_from": _("A version starts on the first day of a month.")})

    def is_met(self, value):
        return judge(self.comparator, self.target_value, value)


def judge(comparator, target, value):
    """Whether ``value`` meets ``target`` (None: not measured)."""
    if value is None:
        return None
    if comparator == Comparator.AT_LEAST:
        return value >= target
    return value <= target


def stricter(comparator, target, than):
    """Whether ``target`` asks more than ``than``: higher for “at least”, lower for “at most”."""
    return target > than if comparator == Comparator.AT_LEAST else target < than


# The admin's history pages of a local engagement read the engagement's history (the proxy shares its rows).
LocalEngagement._meta.simple_history_manager_attribute = "history"


class LocalEngagementVersion(EngagementVersion):
    """The versions of the local engagements, which their prefecture's officers add."""

    national_referential = False

    class Meta:
        proxy = True
        verbose_name = _("local engagement version")
        verbose_name_plural = _("local engagement versions")


class LocalTargetQuerySet(PrefectureScopedQuerySet):
    def in_force(self, month):
        """The local targets in force for ``month``: for each prefecture and engagement the latest started first."""
        return self.filter(valid_from__lte=month).order_by("prefecture_id", "engagement_id", "-valid_from")


class LocalTarget(models.Model):
    """A prefecture's stricter target for a national engagement, from ``valid_from`` on (versioned like the
    referential: never edited once figures use it, a new one is added). The national target still applies
    when it becomes the stricter one."""

    prefecture = models.ForeignKey(
        "qualipref.Prefecture", on_delete=models.CASCADE, related_name="local_targets", verbose_name=_("prefecture")
    )
    engagement = models.ForeignKey(
        Engagement,
        on_delete=models.CASCADE,
        related_name="local_targets",
        limit_choices_to={"prefecture__isnull": True},
        verbose_name=_("national engagement"),
    )
    valid_from = models.DateField(_("in force from"), help_text=_("First day of a month."))
    target_value = models.DecimalField(_("local target"), max_digits=7, decimal_places=2)
    reason = models.CharField(
        _("why"), max_length=300, blank=True, validators=[refuse_formula_start], help_text=_("Shown to the auditor.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    history = HistoricalRecords()

    objects = LocalTargetQuerySet.as_manager()

    prefecture_lookup = "prefecture"

    class Meta:
        verbose_name = _("local target")
        verbose_name_plural = _("local targets")
        ordering = ["prefecture", "engagement", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "engagement", "valid_from"],
                name="local_target_unique_start",
                violation_error_message=_("This engagement already has a local target starting that month."),
            )
        ]

    def __str__(self):
        return f"{self.engagement_id} {self.valid_from:%Y-%m}: {Decimal(str(self.target_value)).normalize():f}"

    def national_version(self):
        """The national version in force on ``valid_from``, which this target must be stricter than."""
        return EngagementVersion.objects.in_force(self.valid_from).filter(engagement_id=self.engagement_id).first()

    def clean(self):
        super().clean()
        if self.valid_from and self.valid_from.day != 1:
            raise ValidationError({"valid_from": _("A version starts on the first day of a month.")})
        if not (self.valid_from and self.engagement_id and self.target_value is not None):
            return
        if self.engagement.prefecture_id is not None:
            raise ValidationError(
                {"engagement": _("A local engagement has its own target: add a version of it instead.")}
            )
        national = self.national_version()
        if national is None:
            raise ValidationError({"valid_from": _("This engagement has no national target in force that month yet.")})
        if not stricter(national.comparator, self.target_value, national.target_value):
            target = f"{national.target_value.normalize():f} {national.get_unit_display()}"
            if national.comparator == Comparator.AT_LEAST:
                message = _(
                    "A local target can only be stricter than the national one: the national target is at least "
                    "%(target)s, enter a higher figure."
                )
            else:
                message = _(
                    "A local target can only be stricter than the national one: the national target is at most "
                    "%(target)s, enter a lower figure."
                )
            raise ValidationError({"target_value": message % {"target": target}})
        if national.unit == Unit.PERCENT and self.target_value > 100:
            raise ValidationError({"target_value": _("A share cannot exceed 100 %.")})


def evidence_path(instance, filename):
    # Never the uploader's file name on disk: a random name in a private folder.
    return f"engagements/{instance.prefecture.department_code}/{instance.month:%Y/%m}/{uuid.uuid4().hex}"


class ManualMeasure(models.Model):
    """What the portal cannot observe, entered monthly with its evidence; for calls, waiting time and the mystery
    shopper, the figure of a month without imported data (``measures``), which takes over when there is some."""

    prefecture = models.ForeignKey(
        "qualipref.Prefecture", on_delete=models.CASCADE, related_name="manual_measures", verbose_name=_("prefecture")
    )
    engagement = models.ForeignKey(
        Engagement,
        on_delete=models.PROTECT,
        related_name="manual_measures",
        limit_choices_to={"source__in": ENTERED_SOURCES},
        verbose_name=_("engagement"),
    )
    month = models.DateField(_("month"), help_text=_("Any day of the month measured; stored as its first day."))
    numerator = models.DecimalField(
        _("numerator"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("For a share: how many met the engagement (calls picked up within 5 rings…)."),
    )
    denominator = models.DecimalField(
        _("denominator"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("For a share: how many were measured (calls made…)."),
    )
    value = models.DecimalField(
        _("value"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("For a score or a time (mystery shopper out of 10, minutes); computed for a share."),
    )
    evidence = models.FileField(_("evidence (PDF or image)"), upload_to=evidence_path, max_length=200)
    evidence_name = models.CharField(_("file name"), max_length=120, editable=False)
    evidence_sha256 = models.CharField(_("evidence SHA-256 fingerprint"), max_length=64, editable=False)
    note = models.TextField(_("note"), blank=True, help_text=_("How it was measured: sample, dates, provider."))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now, editable=False)

    history = HistoricalRecords(table_name="qualipref_historicalmanualmeasure")

    objects = PrefectureScopedQuerySet.as_manager()

    prefecture_lookup = "prefecture"

    class Meta:
        db_table = "qualipref_manualmeasure"
        verbose_name = _("manual measure")
        verbose_name_plural = _("manual measures")
        ordering = ["-month", "engagement"]
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "engagement", "month"],
                name="manual_measure_one_per_month",
                violation_error_message=_("This engagement is already measured for this month."),
            ),
            models.CheckConstraint(
                condition=Q(numerator__isnull=True) | Q(denominator__gt=0),
                name="manual_measure_share_has_denominator",
                violation_error_message=_("A share needs how many were measured."),
            ),
        ]

    def __str__(self):
        return f"{self.prefecture.department_code} {self.engagement.code} {self.month:%Y-%m}"

    def save(self, *args, **kwargs):
        self.month = self.month.replace(day=1)
        if self.numerator is not None and self.denominator:
            self.value = (Decimal(100) * self.numerator / self.denominator).quantize(Decimal("0.01"))
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.month:
            self.month = self.month.replace(day=1)
        if self.numerator is None and self.value is None:
            raise ValidationError(_("Enter either a share (numerator and denominator) or a value."))
        if self.numerator is not None and self.denominator and self.numerator > self.denominator:
            raise ValidationError({"numerator": _("The numerator cannot exceed the denominator.")})

    def get_evidence_url(self):
        return reverse("admin:engagements_manualmeasure_evidence", args=[self.pk])

    def attach_evidence(self, upload):
        """Keep the safe name and fingerprint of ``upload``, the file ``uploads.validate_upload`` returned."""
        self.evidence_name = upload.safe_name
        self.evidence_sha256 = upload.sha256


class WorkingDay(models.Model):
    """The working-days calendar in SQL: ``ordinal`` counts the working days from 2000-01-01 to ``day``.

    The working days from ``a`` (excluded) to ``b`` (included) are ``ordinal(b) - ordinal(a)``: the
    indicator engine computes answer times in working days with two index lookups per case instead of
    a loop. Filled per holiday subdivision and year on first use (``calendar_ensure``).
    """

    subdivision = models.CharField(max_length=8)
    day = models.DateField(_("day"))
    ordinal = models.PositiveIntegerField(_("working day number"))

    class Meta:
        db_table = "qualipref_workingday"
        verbose_name = _("working-days calendar day")
        verbose_name_plural = _("working-days calendar")
        constraints = [models.UniqueConstraint(fields=["subdivision", "day"], name="working_day_unique")]

    def __str__(self):
        return f"{self.subdivision or 'FR'} {self.day}: {self.ordinal}"


class MonthlyIndicatorQuerySet(PrefectureScopedQuerySet):
    def published(self, before):
        """Figures of the months before ``before`` (``periods.results_complete_before`` of a prefecture's day)."""
        return self.filter(month__lt=before)

    def complete(self, *, now=None):
        """Figures of months whose results can be complete, each in its prefecture's time zone
        (``periods.results_complete_before``): what the public pages and open data show."""
        return self.filter(on_local_today(lambda today: Q(month__lt=results_complete_before(today)), now=now))


class MonthlyIndicator(models.Model):
    """One engagement's figure for one prefecture and month, as judged against the version then in force."""

    prefecture = models.ForeignKey(
        "qualipref.Prefecture",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("prefecture"),
    )
    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="monthly_figures", verbose_name=_("engagement")
    )
    version = models.ForeignKey(
        EngagementVersion, on_delete=models.PROTECT, related_name="monthly_figures", verbose_name=_("version")
    )
    month = models.DateField(_("month"))
    numerator = models.DecimalField(_("numerator"), max_digits=14, decimal_places=2, null=True)
    denominator = models.DecimalField(_("denominator"), max_digits=14, decimal_places=2, null=True)
    value = models.DecimalField(_("value"), max_digits=10, decimal_places=2, null=True)
    # Copies of the version's target: the figure stays judged as it was, whatever happens to the referential.
    target_value = models.DecimalField(_("target"), max_digits=7, decimal_places=2)
    comparator = models.CharField(_("comparator"), max_length=3, choices=Comparator.choices)
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices)
    met = models.BooleanField(_("met"), null=True)
    # Judged against the prefecture's stricter local target (``LocalTarget``); ``national_met`` against the
    # national one, what the network compares.
    local_target = models.BooleanField(_("local target"), default=False, db_default=False)
    national_met = models.BooleanField(_("national target met"), null=True)
    computed_at = models.DateTimeField(_("computed at"))

    objects = MonthlyIndicatorQuerySet.as_manager()

    prefecture_lookup = "prefecture"

    class Meta:
        db_table = "qualipref_monthlyindicator"
        verbose_name = _("monthly figure")
        verbose_name_plural = _("monthly figures")
        ordering = ["-month", "prefecture", "engagement__position"]
        constraints = [
            models.UniqueConstraint(fields=["prefecture", "engagement", "month"], name="monthly_indicator_unique")
        ]
        indexes = [models.Index(fields=["prefecture", "month"], name="monthly_indicator_pref_month")]

    def __str__(self):
        return f"{self.engagement_id} {self.month:%Y-%m}: {self.value}"


class SiteMonthlyIndicator(models.Model):
    """One engagement's figure for one site (a prefecture's own, a sous-préfecture, another reception point) and
    month: the same measure as the prefecture's figure, computed in the same query and narrowed to the records of
    the site (``engagements.indicators.compute_with_sites``). Only for engagements whose records know their site
    (cases, survey answers); the prefecture's figure also counts the records of no site."""

    prefecture = models.ForeignKey(
        "qualipref.Prefecture",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("prefecture"),
    )
    site = models.ForeignKey(
        "qualipref.Site", on_delete=models.CASCADE, related_name="monthly_figures", verbose_name=_("site")
    )
    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="site_monthly_figures", verbose_name=_("engagement")
    )
    version = models.ForeignKey(
        EngagementVersion, on_delete=models.PROTECT, related_name="site_monthly_figures", verbose_name=_("version")
    )
    month = models.DateField(_("month"))
    numerator = models.DecimalField(_("numerator"), max_digits=14, decimal_places=2, null=True)
    denominator = models.DecimalField(_("denominator"), max_digits=14, decimal_places=2, null=True)
    value = models.DecimalField(_("value"), max_digits=10, decimal_places=2, null=True)
    target_value = models.DecimalField(_("target"), max_digits=7, decimal_places=2)
    comparator = models.CharField(_("comparator"), max_length=3, choices=Comparator.choices)
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices)
    met = models.BooleanField(_("met"), null=True)
    local_target = models.BooleanField(_("local target"), default=False)
    computed_at = models.DateTimeField(_("computed at"))

    objects = MonthlyIndicatorQuerySet.as_manager()

    prefecture_lookup = "prefecture"

    class Meta:
        verbose_name = _("monthly figure of a site")
        verbose_name_plural = _("monthly figures of the sites")
        ordering = ["-month", "site", "engagement__position"]
        constraints = [
            models.UniqueConstraint(fields=["site", "engagement", "month"], name="site_monthly_indicator_unique")
        ]
        indexes = [models.Index(fields=["prefecture", "month"], name="site_indicator_pref_month")]

    def __str__(self):
        return f"{self.site_id} {self.engagement_id} {self.month:%Y-%m}: {self.value}"
