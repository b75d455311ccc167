"""The evidence library: a prefecture's documents (procedures, posters, photos, training records, signage) that show
the auditor how an engagement is kept, each with its versions and the reminders sent before it lapses.

- ``Document``: what the document is (title, kind, the engagements and sites it proves something for, how long it is
  valid); its file is its latest ``DocumentVersion`` (``current_version``, kept by ``services.document_add_version``).
- ``DocumentVersion``: one file of a document, numbered 1, 2…; the earlier ones stay downloadable.
- ``DocumentReminder``: a reminder e-mailed to the quality officers before a version lapses or once it has, recorded
  once per version and kind so the daily job never sends it twice.

Higher apps (audits: the self-assessment, the findings) point at ``Document`` and read it through
``Document.objects.for_prefecture(…)`` / ``for_user(…)``.
"""

import datetime
import uuid
from collections import defaultdict
from functools import reduce
from operator import or_

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from engagements.models import Engagement
from qualipref.csvfiles import refuse_formula_start
from qualipref.models import Prefecture, Site
from qualipref.scoping import PrefectureScopedQuerySet

from .enums import DocumentKind, ReminderKind, Validity


def reminder_days():
    return settings.EVIDENCE_REMINDER_DAYS


def prefecture_todays(prefecture_ids=None):
    """``{today: [prefecture ids]}``: each prefecture's own today (La Réunion is ahead of Paris, the Antilles behind),
    the prefectures on the same day together, so that a condition built from it has a term per day, not per
    prefecture. ``prefecture_ids``: those prefectures only (all by default)."""
    prefectures = Prefecture.objects.only("pk", "time_zone").order_by("pk")
    if prefecture_ids is not None:
        prefectures = prefectures.filter(pk__in=prefecture_ids)
    todays = defaultdict(list)
    for prefecture in prefectures:
        todays[prefecture.today()].append(prefecture.pk)
    return dict(todays)


def validity_condition(validity, todays, days=None):
    """A ``Q`` for the documents of ``validity`` (``Validity``), each judged by its prefecture's today in ``todays``
    (``prefecture_todays``): the same rules as ``Document.validity``."""
    if validity == Validity.OPEN_ENDED:
        return Q(valid_until__isnull=True)
    window = datetime.timedelta(days=reminder_days() if days is None else days)
    terms = {
        Validity.LAPSED: lambda today: {"valid_until__lt": today},
        Validity.LAPSING: lambda today: {"valid_until__gte": today, "valid_until__lte": today + window},
        Validity.VALID: lambda today: {"valid_until__gt": today + window},
    }[validity]
    return reduce(or_, (Q(prefecture_id__in=ids, **terms(today)) for today, ids in todays.items()), Q(pk__in=[]))


class DocumentQuerySet(PrefectureScopedQuerySet):
    def lapsed(self, today):
        """Documents whose validity ended before ``today`` (valid until the 3rd: lapsed on the 4th)."""
        return self.filter(valid_until__lt=today)

    def lapsing(self, today, days=None):
        """Documents still valid ``today`` whose validity ends within ``days`` (``EVIDENCE_REMINDER_DAYS``)."""
        days = reminder_days() if days is None else days
        return self.filter(valid_until__gte=today, valid_until__lte=today + datetime.timedelta(days=days))

    def valid(self, today, days=None):
        """Documents valid beyond the reminder window (or with no end date)."""
        days = reminder_days() if days is None else days
        return self.filter(Q(valid_until__isnull=True) | Q(valid_until__gt=today + datetime.timedelta(days=days)))

    def for_engagement(self, engagement):
        return self.filter(engagements=engagement)

    def for_site(self, site):
        return self.filter(sites=site)


def version_path(instance, filename):
    # Never the uploader's file name on disk: a random name in a private folder (no MEDIA_URL is served).
    return f"evidence/{uuid.uuid4().hex}"


class Document(models.Model):
    """A piece of evidence of a prefecture, attached to engagements (national or its local ones) and to sites."""

    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.CASCADE, related_name="evidence_documents", verbose_name=_("prefecture")
    )
    title = models.CharField(_("title"), max_length=200, validators=[refuse_formula_start])
    kind = models.CharField(_("type of document"), max_length=20, choices=DocumentKind.choices)
    description = models.TextField(_("description"), blank=True, help_text=_("What it shows, for the auditor."))
    engagements = models.ManyToManyField(
        Engagement,
        blank=True,
        related_name="evidence_documents",
        verbose_name=_("engagements"),
        help_text=_("The engagements this document proves something for (national or local)."),
    )
    sites = models.ManyToManyField(
        Site,
        blank=True,
        related_name="evidence_documents",
        verbose_name=_("sites"),
        help_text=_("Empty: the whole prefecture."),
    )
    valid_until = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("Empty: no end date. The quality officers are reminded before it lapses."),
    )
    current_version = models.ForeignKey(
        "DocumentVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("current version"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    history = HistoricalRecords(m2m_fields=[engagements, sites])

    objects = DocumentQuerySet.as_manager()

    prefecture_lookup = "prefecture"

    class Meta:
        verbose_name = _("evidence document")
        verbose_name_plural = _("evidence documents")
        ordering = ["title", "pk"]
        indexes = [models.Index(fields=["prefecture", "valid_until"], name="evidence_doc_validity")]

    def __str__(self):
        return self.title

    def validity(self, today, days=None):
        """``Validity`` of the document on ``today``."""
        days = reminder_days() if days is None else days
        if self.valid_until is None:
            return Validity.OPEN_ENDED
        if self.valid_until < today:
            return Validity.LAPSED
        if self.valid_until <= today + datetime.timedelta(days=days):
            return Validity.LAPSING
        return Validity.VALID


class DocumentVersion(models.Model):
    """One file of a document. Written once by ``services.document_add_version``; never changed, never removed
    while its document lives."""

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="versions", verbose_name=_("document")
    )
    number = models.PositiveSmallIntegerField(_("version"), editable=False)
    file = models.FileField(_("file"), upload_to=version_path, max_length=200, editable=False)
    file_name = models.CharField(_("file name"), max_length=120, editable=False)
    content_type = models.CharField(_("file type"), max_length=50, editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), editable=False)
    sha256 = models.CharField(_("SHA-256 fingerprint"), max_length=64, editable=False)
    note = models.TextField(_("what changed"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now, editable=False)

    objects = PrefectureScopedQuerySet.as_manager()

    prefecture_lookup = "document__prefecture"

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="evidence_version_number_unique"),
        ]

    def __str__(self):
        return f"{self.document} – v{self.number}"

    @property
    def size_display(self):
        return filesizeformat(self.size)

    def get_download_url(self):
        # Ids only in the address: neither the title nor the file name (they may name a person).
        return reverse("admin:evidence_document_download", args=[self.document_id, self.number])


class DocumentReminder(models.Model):
    """A reminder sent about one version of a document: at most one of each kind per version."""

    version = models.ForeignKey(
        DocumentVersion, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("document version")
    )
    kind = models.CharField(_("reminder"), max_length=10, choices=ReminderKind.choices)
    valid_until = models.DateField(_("valid until"))
    recipients = models.PositiveSmallIntegerField(_("recipients"), default=0)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    objects = PrefectureScopedQuerySet.as_manager()

    prefecture_lookup = "version__document__prefecture"

    class Meta:
        verbose_name = _("evidence reminder")
        verbose_name_plural = _("evidence reminders")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["version", "kind"], name="evidence_reminder_once_per_version"),
        ]

    def __str__(self):
        return f"{self.version} – {self.get_kind_display()}"
