"""Phone, counter and mystery-shopper measures: what the portal could not observe and officers typed each month.

* ``MeasureImport``: one file exported by a telephony system (calls) or a queue-management system (counter
  tickets), streamed and checked line by line (``measures.importer``), its bad lines kept (``BadLine``);
* ``Call`` and ``Ticket``: one row of those files each, no personal data (no caller number, no name), written
  only by the import, in the month of the prefecture's local time they happened;
* ``MysteryCriterion`` (the national grid of the barometer), ``MysteryVisit`` and its ``MysteryVisitLine`` (one
  result per criterion).

The monthly figures per site (answer rate within five rings, lost calls, waiting time at the counter, the
mystery-shopper score) are computed in SQL from these rows (``measures.selectors``); ``engagements`` reads them
for its indicators, and falls back to the officers' manual figure for a month without any imported row.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qualipref.csvfiles import refuse_formula_start
from qualipref.csvimport import ImportedFile, RefusedLine
from qualipref.models import Prefecture, Site
from qualipref.scoping import PrefectureScopedQuerySet

from .enums import (
    HASH_HOLDING_STATUSES,
    BadLineReason,
    CallOutcome,
    Channel,
    CriterionResult,
    ImportKind,
    ImportStatus,
)


def import_upload_to(instance, filename):
    return f"measures/imports/{instance.prefecture.department_code}/{uuid.uuid4().hex}.csv"


class MeasureImport(ImportedFile):
    """One exported file of calls or tickets, from its upload to its rows counted (or its failure)."""

    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="measure_imports", verbose_name=_("prefecture")
    )
    kind = models.CharField(_("kind of file"), max_length=20, choices=ImportKind.choices)
    file = models.FileField(_("file"), upload_to=import_upload_to, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED)

    history = HistoricalRecords()

    objects = PrefectureScopedQuerySet.as_manager()

    prefecture_lookup = "prefecture"

    class Meta:
        verbose_name = _("measures import")
        verbose_name_plural = _("measures imports")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "kind", "sha256"],
                condition=Q(status__in=HASH_HOLDING_STATUSES),
                name="measures_import_same_file_once",
                violation_error_message=_("This file has already been imported for this prefecture."),
            )
        ]


class BadLine(RefusedLine):
    """One refused line of an import, with its reason and the value at fault."""

    measure_import = models.ForeignKey(
        MeasureImport, on_delete=models.CASCADE, related_name="bad_line_set", verbose_name=_("import")
    )
    reason = models.CharField(_("reason"), max_length=30, choices=BadLineReason.choices)

    prefecture_lookup = "measure_import__prefecture"

    class Meta:
        verbose_name = _("bad line")
        verbose_name_plural = _("bad lines")
        ordering = ["measure_import", "line"]
        indexes = [models.Index(fields=["measure_import", "line"], name="measures_badline_import_line")]


class Call(models.Model):
    """One call received, as the telephony system exported it: when, where, how long it rang, how it ended."""

    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="+", db_index=False)
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("site")
    )
    source_import = models.ForeignKey(MeasureImport, on_delete=models.CASCADE, related_name="calls")
    called_at = models.DateTimeField(_("called at"))
    month = models.DateField(_("month"))
    ring_seconds = models.PositiveIntegerField(_("ring time (seconds)"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=CallOutcome.choices)
    # The row's identity (site, time, ring time, outcome, line): the same call in two exports counts once.
    fingerprint = models.CharField(_("fingerprint"), max_length=32, editable=False)

    objects = PrefectureScopedQuerySet.as_manager()

    prefecture_lookup = "prefecture"

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["called_at"]
        constraints = [
            models.UniqueConstraint(fields=["prefecture", "fingerprint"], name="measures_call_once"),
        ]
        indexes = [models.Index(fields=["prefecture", "month"], name="measures_call_pref_month")]

    def __str__(self):
        return f"{self.called_at:%Y-%m-%d %H:%M} {self.get_outcome_display()}"


class Ticket(models.Model):
    """One counter ticket, as the queue-management system exported it: arrival, call (none: left without being
    called) and end of service."""

    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="+", db_index=False)
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("site")
    )
    source_import = models.ForeignKey(MeasureImport, on_delete=models.CASCADE, related_name="tickets")
    arrived_at = models.DateTimeField(_("arrived at"))
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    month = models.DateField(_("month"))
    wait_seconds = models.PositiveIntegerField(_("wait (seconds)"), null=True, blank=True)
    fingerprint = models.CharField(_("fingerprint"), max_length=32, editable=False)

    objects = PrefectureScopedQuerySet.as_manager()

    prefecture_lookup = "prefecture"

    class Meta:
        verbose_name = _("counter ticket")
        verbose_name_plural = _("counter tickets")
        ordering = ["arrived_at"]
        constraints = [
            models.UniqueConstraint(fields=["prefecture", "fingerprint"], name="measures_ticket_once"),
        ]
        indexes = [models.Index(fields=["prefecture", "month"], name="measures_ticket_pref_month")]

    def __str__(self):
        return f"{self.arrived_at:%Y-%m-%d %H:%M}"


class MysteryCriterion(models.Model):
    """One criterion of the mystery-shopper barometer's grid (national): “the agent greets the caller”."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("criterion"), max_length=300, validators=[refuse_formula_start])
    channel = models.CharField(
        _("channel"), max_length=20, choices=Channel.choices, blank=True, help_text=_("Empty: every channel.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    national_referential = True

    class Meta:
        verbose_name = _("mystery-shopper criterion")
        verbose_name_plural = _("mystery-shopper grid")
        ordering = ["position", "code"]

    def __str__(self):
        return self.label


class MysteryVisitQuerySet(PrefectureScopedQuerySet):
    def with_score(self):
        """Each visit's criteria met and applicable, and its score out of 10 (None: no applicable criterion)."""
        met = models.Count("lines", filter=Q(lines__result=CriterionResult.MET))
        applicable = models.Count("lines", filter=~Q(lines__result=CriterionResult.NOT_APPLICABLE))
        return self.annotate(criteria_met=met, criteria_applicable=applicable).annotate(
            score=models.Case(
                models.When(criteria_applicable=0, then=None),
                default=models.ExpressionWrapper(
                    10.0 * models.F("criteria_met") / models.F("criteria_applicable"),
                    output_field=models.FloatField(),
                ),
                output_field=models.FloatField(),
            )
        )


class MysteryVisit(models.Model):
    """A mystery shopper's visit, call, e-mail or web test of one site, scored on the barometer's grid."""

    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.CASCADE, related_name="mystery_visits", verbose_name=_("prefecture")
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("site")
    )
    visited_on = models.DateField(_("date of the visit"))
    month = models.DateField(_("month"), editable=False)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    provider = models.CharField(_("carried out by"), max_length=150, blank=True, validators=[refuse_formula_start])
    note = models.TextField(_("note"), blank=True)
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

    history = HistoricalRecords()

    objects = MysteryVisitQuerySet.as_manager()

    prefecture_lookup = "prefecture"

    class Meta:
        verbose_name = _("mystery-shopper visit")
        verbose_name_plural = _("mystery-shopper visits")
        ordering = ["-visited_on"]
        indexes = [models.Index(fields=["prefecture", "month"], name="measures_visit_pref_month")]

    def __str__(self):
        return f"{self.get_channel_display()} {self.visited_on:%d/%m/%Y}"

    def save(self, *args, **kwargs):
        if self.visited_on:
            self.month = self.visited_on.replace(day=1)
        super().save(*args, **kwargs)


class MysteryVisitLine(models.Model):
    """One criterion of the grid and its result for one visit."""

    visit = models.ForeignKey(MysteryVisit, on_delete=models.CASCADE, related_name="lines", verbose_name=_("visit"))
    criterion = models.ForeignKey(
        MysteryCriterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("criterion")
    )
    result = models.CharField(_("result"), max_length=20, choices=CriterionResult.choices)
    comment = models.CharField(_("comment"), max_length=300, blank=True)

    objects = PrefectureScopedQuerySet.as_manager()

    prefecture_lookup = "visit__prefecture"

    class Meta:
        verbose_name = _("criterion result")
        verbose_name_plural = _("criteria results")
        ordering = ["visit", "criterion__position"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "criterion"], name="measures_visit_criterion_once"),
        ]

    def __str__(self):
        return f"{self.criterion_id}: {self.get_result_display()}"
