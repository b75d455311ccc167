"""Delivery delays: title types (national), delivery records and their imports, monthly statistics, publication.

The figures flow one way: an accepted import's records → a histogram (how many deliveries took
each number of days, per prefecture × title type × site × month) → monthly statistics (count,
mean, median, 90th percentile), all in SQL (``delays.stats``). A month's statistics are public
only once an officer has published that month (``MonthPublication``).
"""

import uuid
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qualipref.csvfiles import refuse_formula_start
from qualipref.csvimport import ImportedFile, RefusedLine
from qualipref.models import Prefecture, Site
from qualipref.scoping import PrefectureScopedQuerySet
from qualipref.workflow import TransitionLog

from .enums import (
    HASH_HOLDING_STATUSES,
    BadRowReason,
    ImportSource,
    ImportStatus,
    PublicationAction,
    PublicationStatus,
    TitleCategory,
)


class TitleTypeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class TitleType(models.Model):
    """A kind of title a prefecture delivers. National referential: only the national coordinator edits it."""

    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9][A-Z0-9-]*$", _("Capital letters, digits and hyphens only."))],
        help_text=_("As it appears in delivery files, for example TS-PREMIERE."),
    )
    label = models.CharField(_("French label"), max_length=150, validators=[refuse_formula_start])
    label_en = models.CharField(
        _("English label"), max_length=150, blank=True, help_text=_("Shown on the English pages; empty: the French.")
    )
    category = models.CharField(_("category"), max_length=20, choices=TitleCategory.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0, help_text=_("Order on public pages."))
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("An inactive title type is refused in new imports.")
    )

    history = HistoricalRecords()

    objects = TitleTypeQuerySet.as_manager()

    national_referential = True

    class Meta:
        verbose_name = _("title type")
        verbose_name_plural = _("title types")
        ordering = ["position", "code"]

    def __str__(self):
        return f"{self.code} – {self.label}"


def import_upload_to(instance, filename):
    return f"delays/imports/{instance.prefecture.department_code}/{uuid.uuid4().hex}.csv"


class DeliveryImportQuerySet(PrefectureScopedQuerySet):
    def holding_hash(self):
        return self.filter(status__in=HASH_HOLDING_STATUSES)


class DeliveryImport(ImportedFile):
    """One delivery file, from its upload to the officer's decision."""

    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="delivery_imports", verbose_name=_("prefecture")
    )
    file = models.FileField(_("file"), upload_to=import_upload_to, blank=True)
    delimiter = models.CharField(_("separator"), max_length=1, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=ImportSource.choices, default=ImportSource.ADMIN)
    status = models.CharField(_("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED)

    published_months = models.JSONField(_("published months it changes"), default=list, blank=True)
    first_delivered_on = models.DateField(_("first delivery"), null=True, blank=True, editable=False)
    last_delivered_on = models.DateField(_("last delivery"), null=True, blank=True, editable=False)

    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )

    history = HistoricalRecords()

    objects = DeliveryImportQuerySet.as_manager()

    prefecture_lookup = "prefecture"

    class Meta:
        verbose_name = _("delivery import")
        verbose_name_plural = _("delivery imports")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "sha256"],
                condition=Q(status__in=HASH_HOLDING_STATUSES),
                name="delays_import_same_file_once",
                violation_error_message=_("This file has already been imported for this prefecture."),
            )
        ]

    @property
    def month_list(self):
        return sorted(self.months)


class BadRow(RefusedLine):
    """One refused line of an import, with its reason; the officer sees them all before deciding."""

    delivery_import = models.ForeignKey(
        DeliveryImport, on_delete=models.CASCADE, related_name="bad_row_set", verbose_name=_("import")
    )
    reason = models.CharField(_("reason"), max_length=30, choices=BadRowReason.choices)

    prefecture_lookup = "delivery_import__prefecture"

    class Meta:
        verbose_name = _("bad row")
        verbose_name_plural = _("bad rows")
        ordering = ["delivery_import", "line"]
        indexes = [models.Index(fields=["delivery_import", "line"], name="delays_badrow_import_line")]


class AppendOnlyIndex(models.Index):
    """An index on a column whose values only grow as rows are added (an import's id on its records).

    On PostgreSQL a BRIN index: a few pages whatever the table's size, next to nothing to maintain
    when a million rows come in, and it still finds one import's rows, which lie together at the
    table's end. A B-tree elsewhere.
    """

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        statement = super().create_sql(model, schema_editor, using=" USING brin", **kwargs)
        statement.parts["extra"] = " WITH (autosummarize = on)" + statement.parts["extra"]
        return statement


class DeliveryRecord(models.Model):
    """One title delivered: no personal data, only what the delay needs.

    Written only by the import (``delays.importer``), after every reference has been checked
    against the referential: the foreign keys carry no database constraint (a per-row check would
    halve the import's speed). On PostgreSQL the table has two BRIN indexes and no B-tree at all:
    one finds an import's records (the statistics and withdrawals use it), the other a record by
    its id, which the table's identity hands out without a primary-key constraint (its B-tree cost
    as much as the rows themselves; migration ``0004_records_without_btree_key``).
    """

    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.CASCADE, db_constraint=False, db_index=False, related_name="+"
    )
    title_type = models.ForeignKey(
        TitleType, on_delete=models.PROTECT, db_constraint=False, db_index=False, related_name="+"
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, db_constraint=False, db_index=False, related_name="+"
    )
    filed_on = models.DateField(_("filed on"))
    delivered_on = models.DateField(_("delivered on"))
    delay_days = models.PositiveIntegerField(_("delay (days)"))
    source_import = models.ForeignKey(
        DeliveryImport, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )

    objects = PrefectureScopedQuerySet.as_manager()

    prefecture_lookup = "prefecture"

    class Meta:
        verbose_name = _("delivery record")
        verbose_name_plural = _("delivery records")
        indexes = [AppendOnlyIndex(fields=["source_import"], name="delays_record_import")]

    def __str__(self):
        return f"{self.title_type_id} {self.filed_on} → {self.delivered_on}"


class DelayHistogram(models.Model):
    """How many deliveries took ``delay_days`` days, per prefecture × title type × site × month of delivery."""

    # Written only by ``stats.count_import`` from records already checked: no database constraint on the
    # keys, whose checks, deferred to the commit, took a third of an acceptance (100,000 bins a year).
    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.CASCADE, db_constraint=False, db_index=False, related_name="+"
    )
    title_type = models.ForeignKey(
        TitleType, on_delete=models.PROTECT, db_constraint=False, db_index=False, related_name="+"
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, db_constraint=False, db_index=False, related_name="+"
    )
    month = models.DateField(_("month"))
    delay_days = models.PositiveIntegerField(_("delay (days)"))
    count = models.PositiveIntegerField(_("deliveries"))

    objects = PrefectureScopedQuerySet.as_manager()

    prefecture_lookup = "prefecture"

    class Meta:
        verbose_name = _("delay histogram bin")
        verbose_name_plural = _("delay histogram")
        indexes = [models.Index(fields=["prefecture", "month"], name="delays_hist_pref_month")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.delay_days} d × {self.count}"


class MonthPublicationQuerySet(PrefectureScopedQuerySet):
    def published(self):
        return self.filter(status=PublicationStatus.PUBLISHED)


class MonthPublication(models.Model):
    """A prefecture's month of figures: reviewed by an officer, then published (or not)."""

    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.CASCADE, related_name="delay_months", verbose_name=_("prefecture")
    )
    month = models.DateField(_("month"), help_text=_("First day of the month."))
    status = models.CharField(
        _("status"), max_length=20, choices=PublicationStatus.choices, default=PublicationStatus.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    figures_updated_at = models.DateTimeField(_("figures updated at"), null=True, blank=True)

    history = HistoricalRecords()

    objects = MonthPublicationQuerySet.as_manager()

    prefecture_lookup = "prefecture"

    class Meta:
        verbose_name = _("month of delays")
        verbose_name_plural = _("months of delays")
        ordering = ["-month", "prefecture"]
        constraints = [models.UniqueConstraint(fields=["prefecture", "month"], name="delays_publication_unique_month")]

    def __str__(self):
        return f"{self.prefecture.department_code} {self.month:%Y-%m}"

    @property
    def is_published(self):
        return self.status == PublicationStatus.PUBLISHED


class PublicationEvent(TransitionLog):
    """The month's log (``qualipref.workflow.TransitionLog``): published, unpublished (``note``: why), and its
    figures updated by an import after publication, which changes no status (both statuses empty)."""

    publication = models.ForeignKey(
        MonthPublication, on_delete=models.CASCADE, related_name="events", verbose_name=_("month")
    )
    action = models.CharField(_("action"), max_length=20, choices=PublicationAction.choices)
    from_status = models.CharField(_("from"), max_length=20, choices=PublicationStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=PublicationStatus.choices, blank=True)
    # The column keeps its first name: it held the reason of an unpublication, and still does.
    note = models.TextField(_("reason"), blank=True, db_column="reason")

    objects = PrefectureScopedQuerySet.as_manager()

    prefecture_lookup = "publication__prefecture"

    class Meta:
        verbose_name = _("publication event")
        verbose_name_plural = _("publication events")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} {timezone.localtime(self.at):%d/%m/%Y %H:%M}"


class MonthlyDelayQuerySet(PrefectureScopedQuerySet):
    def published(self):
        return self.filter(publication__status=PublicationStatus.PUBLISHED)

    def all_sites(self):
        """The prefecture's figures (every site together); per-site rows have a site."""
        return self.filter(site__isnull=True)


class MonthlyDelay(models.Model):
    """Exact monthly statistics of a prefecture × title type × site (no site: the whole prefecture).

    The mean is ``total_days / count``; the median is the middle delay (the mean of the two middle
    ones for an even count); the 90th percentile is by nearest rank: the delay at rank ⌈0.9 n⌉.
    """

    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="+", db_index=False)
    title_type = models.ForeignKey(TitleType, on_delete=models.PROTECT, related_name="+", verbose_name=_("title type"))
    site = models.ForeignKey(Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    month = models.DateField(_("month"))
    publication = models.ForeignKey(MonthPublication, on_delete=models.CASCADE, related_name="figures")
    count = models.PositiveIntegerField(_("deliveries"))
    total_days = models.BigIntegerField(_("total of the delays (days)"))
    median_days = models.DecimalField(_("median (days)"), max_digits=7, decimal_places=1)
    p90_days = models.PositiveIntegerField(_("90th percentile (days)"))
    computed_at = models.DateTimeField(_("computed at"))

    objects = MonthlyDelayQuerySet.as_manager()

    prefecture_lookup = "prefecture"

    class Meta:
        verbose_name = _("monthly delay")
        verbose_name_plural = _("monthly delays")
        ordering = ["prefecture", "title_type", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "title_type", "month"],
                condition=Q(site__isnull=True),
                name="delays_monthly_unique_all_sites",
            ),
            models.UniqueConstraint(
                fields=["prefecture", "title_type", "site", "month"],
                condition=Q(site__isnull=False),
                name="delays_monthly_unique_site",
            ),
        ]
        indexes = [models.Index(fields=["prefecture", "month"], name="delays_monthly_pref_month")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.title_type_id}: {self.mean_days} d"

    @property
    def mean_days(self):
        return mean_of(self.total_days, self.count)


def mean_of(total, count, places="0.1"):
    """The exact mean ``total / count``, rounded half up (``None`` without deliveries)."""
    if not count:
        return None
    return (Decimal(total) / Decimal(count)).quantize(Decimal(places), rounding=ROUND_HALF_UP)
