"""Cases (complaints and suggestions), their thread, attachments, tracking links and answer templates."""

import hashlib
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qualipref.calendar import before_local_today
from qualipref.content_language import page_is_french
from qualipref.csvfiles import refuse_formula_start
from qualipref.models import Prefecture, Service, Site
from qualipref.scoping import PrefectureScopedQuerySet
from qualipref.workflow import TransitionLog

from .enums import CITIZEN_STATUS_LABELS, OPEN_STATUSES, Channel, EmailOutcome, Kind, MessageKind, Status
from .media_links import MAX_LENGTH as MEDIA_URL_MAX_LENGTH
from .media_links import validate_media_url


class TopicQuerySet(PrefectureScopedQuerySet):
    def current(self):
        """The topics offered for a new case (an archived one stays on the cases that have it)."""
        return self.filter(is_archived=False)


class Topic(models.Model):
    """What a case is about, from a prefecture's own list, which its officers edit (``complaints.topics``). Every
    prefecture starts with the eight default topics (``enums.DefaultTopic``). A topic cases use is archived, not
    deleted: it leaves the form and the Open311 services, and its cases keep it."""

    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.CASCADE, related_name="topics", verbose_name=_("prefecture")
    )
    code = models.SlugField(
        _("code"),
        max_length=40,
        help_text=_(
            "Its code for other apps (the Open311 API's service_code): lower-case letters, digits, hyphens and "
            "underscores. Change it only if no app uses it."
        ),
    )
    name = models.CharField(_("French wording"), max_length=120, validators=[refuse_formula_start])
    name_en = models.CharField(
        _("English wording"),
        max_length=120,
        blank=True,
        validators=[refuse_formula_start],
        help_text=_("Shown on the English pages; empty: the French."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0, help_text=_("Order in the form's list."))
    is_archived = models.BooleanField(
        _("archived"),
        default=False,
        help_text=_("No longer offered for new cases nor to other apps; the cases about it keep it."),
    )

    history = HistoricalRecords()

    objects = TopicQuerySet.as_manager()

    prefecture_lookup = "prefecture"

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["prefecture", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["prefecture", "code"], name="topic_code_unique_in_prefecture")]

    def __str__(self):
        return self.name if page_is_french() else (self.name_en or self.name)


class CaseQuerySet(PrefectureScopedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today=None):
        """Open cases past their due date (clock stopped excepted): by ``today``, or each in its prefecture's day."""
        late = Q(due_on__lt=today) if today else before_local_today("due_on")
        return self.open().filter(late).exclude(status=Status.WAITING_CITIZEN)

    def assigned_to(self, user):
        return self.filter(assignee=user)

    def of_citizen(self, citizen):
        """The cases a citizen logged in with FranceConnect sees in their space: those they filed while logged in,
        and those filed without an account with the very e-mail address FranceConnect gave for them (its
        acknowledgement and tracking links went to that address already), unless another account filed them.
        Anonymised cases are gone for everyone."""
        mine = Q(citizen=citizen)
        if citizen.email:
            mine |= Q(citizen__isnull=True, email=citizen.email.lower())
        return self.filter(mine, anonymised_at__isnull=True)


# Case's history, named so that ``case_submit`` can write its one "created" row itself, once the reference is known.
CASE_HISTORY = HistoricalRecords(excluded_fields=["description"])


class Case(models.Model):
    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="cases", verbose_name=_("prefecture")
    )
    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COMPLAINT)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.ONLINE)
    # Null only for a case filed by a channel that did not say (and whose prefecture has no "other" topic left).
    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, null=True, related_name="cases", verbose_name=_("what it is about")
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="cases", verbose_name=_("service")
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="cases", verbose_name=_("site")
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), max_length=5000)
    # A link another app gave with the case (Open311's media_url), never fetched by the portal (media_links).
    media_url = models.URLField(
        _("link to a photo or document"),
        max_length=MEDIA_URL_MAX_LENGTH,
        blank=True,
        default="",
        db_default="",
        validators=[validate_media_url],
    )

    name = models.CharField(_("name"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)

    status = models.CharField(_("status"), max_length=30, choices=Status.choices, default=Status.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("assigned to"),
    )
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("answer due on"))
    # Working days during which the clock stopped while the case waited for the citizen.
    paused_working_days = models.PositiveIntegerField(_("working days on hold"), default=0)
    waiting_since = models.DateField(_("waiting for the citizen since"), null=True, blank=True)

    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    public_reply = models.TextField(_("public reply"), blank=True)

    rating = models.PositiveSmallIntegerField(_("satisfaction with the answer"), null=True, blank=True)
    rating_comment = models.TextField(_("comment on the answer"), blank=True, max_length=2000)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    # The language the citizen filed in: their e-mails and links follow it (French for a case an officer enters).
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="fr", db_default="fr")
    # The app that filed it through the Open311 API (``complaints/open311.py``), which alone may read its status.
    api_client = models.ForeignKey(
        "qualipref.ApiClient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="cases",
        verbose_name=_("filed by the app"),
    )
    # The citizen logged in with FranceConnect who filed it (``complaints/franceconnect.py``): their space lists it.
    citizen = models.ForeignKey(
        "complaints.Citizen",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="cases",
        verbose_name=_("filed by the citizen account"),
    )

    history = CASE_HISTORY

    objects = CaseQuerySet.as_manager()

    prefecture_lookup = "prefecture"
    service_lookup = "service"  # a service agent sees their service's cases only (qualipref.scoping)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["prefecture", "status", "due_on"], name="case_pref_status_due"),
            models.Index(fields=["prefecture", "-created_at"], name="case_pref_created"),
            models.Index(fields=["email"], name="case_email"),
            # "Assigned to me" and the daily digest read cases by assignee within a prefecture.
            models.Index(fields=["prefecture", "assignee", "status"], name="case_pref_assignee"),
            # Indicators and reports read a prefecture's cases by month of receipt.
            models.Index(fields=["prefecture", "received_on"], name="case_pref_received"),
            # The officer's case list sorted by reference: without it, PostgreSQL walks the network's unique index
            # of references past every other prefecture's (bench/national.py: 182 ms vs 36 ms at 100 prefectures).
            models.Index(fields=["prefecture", "reference"], name="case_pref_reference"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="case_rating_1_to_5"
            ),
            models.CheckConstraint(
                condition=Q(kind="suggestion") | ~Q(email="") | Q(anonymised_at__isnull=False) | ~Q(channel="online"),
                name="case_online_complaint_has_email",
            ),
        ]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("admin:complaints_case_change", args=[self.pk])

    @property
    def citizen_status(self):
        return CITIZEN_STATUS_LABELS[Status(self.status)]

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    def is_overdue(self, today=None):
        today = today or self.prefecture.today()
        return self.is_open and self.status != Status.WAITING_CITIZEN and self.due_on < today


class CaseSequence(models.Model):
    """The last number given to a case of a prefecture in a year: references have no gap and no duplicate."""

    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefecture", "year"], name="case_sequence_unique")]

    def __str__(self):
        return f"{self.prefecture_id}-{self.year}: {self.last_number}"


class Transition(TransitionLog):
    """Every status change of a case: who, when, from what to what, and why (``qualipref.workflow.TransitionLog``)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("case"))
    from_status = models.CharField(_("from"), max_length=30, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=30, choices=Status.choices)

    prefecture_lookup = "case__prefecture"
    service_lookup = "case__service"

    def __str__(self):
        return f"{self.case} {self.from_status or '∅'} → {self.to_status}"

    @property
    def citizen_label(self):
        """The status in the plain words shown to citizens (the officer's note stays internal)."""
        return CITIZEN_STATUS_LABELS[Status(self.to_status)]


class Message(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages", verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("message"), max_length=5000)
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    prefecture_lookup = "case__prefecture"
    service_lookup = "case__service"

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} – {timezone.localtime(self.created_at):%d/%m/%Y %H:%M}"


def attachment_path(instance, filename):
    # Never the citizen's file name on disk: a random name in a private folder.
    return f"complaints/{instance.case.prefecture.department_code}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("case"))
    message = models.ForeignKey(
        Message,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("message"),
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(_("type"), max_length=50)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256 fingerprint"), max_length=64)
    uploaded_by_citizen = models.BooleanField(_("sent by the citizen"), default=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    prefecture_lookup = "case__prefecture"
    service_lookup = "case__service"

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name

    def get_download_url(self):
        return reverse("complaints:attachment_download", args=[self.pk])


class TrackingTokenQuerySet(models.QuerySet):
    def valid(self):
        return self.filter(expires_at__gt=timezone.now(), case__anonymised_at__isnull=True)


class TrackingToken(models.Model):
    """A private tracking link's secret, stored hashed: the link itself is only ever in an e-mail or on screen.

    One per case: a new link replaces the previous one (``complaints.tracking_links``).
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tracking_tokens", verbose_name=_("case"))
    token_hash = models.CharField(_("link fingerprint"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))

    objects = TrackingTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("tracking link")
        verbose_name_plural = _("tracking links")
        constraints = [models.UniqueConstraint(fields=["case"], name="one_tracking_link_per_case")]

    def __str__(self):
        return f"{self.case} – {self.created_at:%Y-%m-%d}"

    @staticmethod
    def hash(token):
        return hashlib.sha256(token.encode()).hexdigest()


class AnswerTemplate(models.Model):
    """A ready-made answer of a prefecture, with placeholders filled in when used."""

    PLACEHOLDERS = {
        "{nom}": _("the citizen's name"),
        "{reference}": _("the case's reference"),
        "{date_reception}": _("the date the case was received"),
        "{service}": _("the service handling the case"),
        "{signature}": _("the officer's name and the prefecture"),
    }

    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.CASCADE, related_name="answer_templates", verbose_name=_("prefecture")
    )
    title = models.CharField(_("title"), max_length=120)
    kind = models.CharField(_("for"), max_length=20, choices=Kind.choices, blank=True)
    body = models.TextField(_("text"))
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    objects = PrefectureScopedQuerySet.as_manager()

    prefecture_lookup = "prefecture"

    class Meta:
        verbose_name = _("answer template")
        verbose_name_plural = _("answer templates")
        ordering = ["prefecture", "title"]

    def __str__(self):
        return self.title


class DigestLog(models.Model):
    """The days an assignee got their reminder digest: a second run on the same day sends nothing."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    day = models.DateField(_("day"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder digest")
        verbose_name_plural = _("reminder digests")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_log_one_per_user_and_day")]

    def __str__(self):
        return f"{self.user_id} – {self.day}"


class RoutingRule(models.Model):
    """Where a case goes when the citizen did not know the service: a topic, a site, or both, to a service of the
    prefecture. The most precise rule that matches wins (topic and site, then the site, then the topic, then a rule
    for everything); a case no rule routes stays without a service, for the quality officers
    (``complaints.routing``)."""

    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.CASCADE, related_name="routing_rules", verbose_name=_("prefecture")
    )
    topic = models.ForeignKey(
        Topic,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="routing_rules",
        verbose_name=_("what it is about"),
        help_text=_("Empty: any topic."),
    )
    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="routing_rules",
        verbose_name=_("site"),
        help_text=_("Empty: any site."),
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="routing_rules", verbose_name=_("goes to the service")
    )

    history = HistoricalRecords()

    objects = PrefectureScopedQuerySet.as_manager()

    prefecture_lookup = "prefecture"

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["prefecture", "topic__position", "site"]

    def __str__(self):
        topic = str(self.topic) if self.topic_id else _("any topic")
        site = self.site.name if self.site_id else _("any site")
        return f"{topic} · {site} → {self.service.name}"

    def clean(self):
        errors = {}
        if self.service_id and self.prefecture_id and self.service.prefecture_id != self.prefecture_id:
            errors["service"] = _("Choose a service of this prefecture.")
        if self.site_id and self.prefecture_id and self.site.prefecture_id != self.prefecture_id:
            errors["site"] = _("Choose a site of this prefecture.")
        if self.topic_id and self.prefecture_id and self.topic.prefecture_id != self.prefecture_id:
            errors["topic"] = _("Choose a topic of this prefecture.")
        same = RoutingRule.objects.filter(
            prefecture_id=self.prefecture_id, topic_id=self.topic_id, site_id=self.site_id
        )
        if self.prefecture_id and same.exclude(pk=self.pk).exists():
            errors["__all__"] = _("This prefecture already has a rule for this topic and site.")
        if errors:
            raise ValidationError(errors)


# --- e-mail intake (complaints/mailbox) ---------------------------------------------------------------

# IMAP folder names we can write without modified UTF-7: ASCII letters, digits, space, dot, slash, hyphen, underscore.
imap_folder_name = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9 ._/-]{0,99}$",
    _("Letters without accents, digits, spaces, dots, slashes, hyphens and underscores only."),
)


class Mailbox(models.Model):
    """A prefecture's quality mailbox, read over IMAP with TLS by Celery beat: each new message becomes a case, or a
    message in a case's thread (``complaints.mailbox``). Its password is never stored: it is read from the
    environment variable ``password_variable`` names. Declared by the national coordinator (who sends the password
    to the host set here), seen by the prefecture's officers."""

    national_referential = True

    prefecture = models.OneToOneField(
        Prefecture, on_delete=models.CASCADE, related_name="mailbox", verbose_name=_("prefecture")
    )
    address = models.EmailField(
        _("mailbox address"),
        help_text=_("The address citizens write to. A message from this address is a mail loop, never a case."),
    )
    host = models.CharField(_("IMAP server"), max_length=255, help_text=_("Reached over TLS (IMAPS)."))
    port = models.PositiveIntegerField(_("port"), default=993)
    username = models.CharField(_("user name"), max_length=255)
    folder = models.CharField(_("folder read"), max_length=100, default="INBOX", validators=[imap_folder_name])
    processed_folder = models.CharField(
        _("folder of the imported messages"), max_length=100, default="traites", validators=[imap_folder_name]
    )
    refused_folder = models.CharField(
        _("folder of the ignored messages"),
        max_length=100,
        default="rejetes",
        validators=[imap_folder_name],
        help_text=_("Automatic replies, delivery failure notices and mail loops."),
    )
    is_active = models.BooleanField(_("read"), default=True, help_text=_("Unticked: the mailbox is not read."))
    last_fetched_at = models.DateTimeField(_("last read at"), null=True, blank=True, editable=False)
    last_error = models.CharField(_("last error"), max_length=300, blank=True, editable=False)

    # Who pointed the mailbox where, and when (its password goes to the host set here).
    history = HistoricalRecords(excluded_fields=["last_fetched_at", "last_error"])

    objects = PrefectureScopedQuerySet.as_manager()

    prefecture_lookup = "prefecture"

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["prefecture"]

    def __str__(self):
        return self.address

    @property
    def password_variable(self):
        """The environment variable holding the password: ``QUALIPREF_MAILBOX_PASSWORD_974`` for La Réunion."""
        return f"QUALIPREF_MAILBOX_PASSWORD_{self.prefecture.department_code.upper()}"


class ImportedEmail(models.Model):
    """Each message read from a prefecture's mailbox, by its Message-ID (or, without one, its fingerprint): a message
    read again (the worker died before filing it away, or it came twice) is never imported twice."""

    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.CASCADE, related_name="+", verbose_name=_("prefecture")
    )
    message_id = models.CharField(_("Message-ID"), max_length=255)
    outcome = models.CharField(_("outcome"), max_length=20, choices=EmailOutcome.choices)
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("case")
    )
    imported_at = models.DateTimeField(_("read at"), default=timezone.now)

    prefecture_lookup = "prefecture"

    class Meta:
        verbose_name = _("message read from the mailbox")
        verbose_name_plural = _("messages read from the mailbox")
        constraints = [
            models.UniqueConstraint(fields=["prefecture", "message_id"], name="imported_email_once_per_prefecture")
        ]
        # The daily purge of old Message-IDs reads them by age (complaints.retention.imported_emails_purge).
        indexes = [models.Index(fields=["imported_at"], name="imported_email_read_at")]

    def __str__(self):
        return f"{self.message_id} – {self.get_outcome_display()}"


class RefusedAttachment(models.Model):
    """A file received by e-mail that the upload checks (``qualipref.uploads``) refused: listed on its case with the
    reason, never stored."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="refused_attachments", verbose_name=_("case")
    )
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("message")
    )
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    reason = models.CharField(_("reason"), max_length=300)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    prefecture_lookup = "case__prefecture"
    service_lookup = "case__service"

    class Meta:
        verbose_name = _("refused attachment")
        verbose_name_plural = _("refused attachments")
        ordering = ["received_at", "pk"]

    def __str__(self):
        return self.name


class Citizen(models.Model):
    """A citizen who logged in with FranceConnect: not a user of the portal (no password, no role, no group, never
    staff; ``request.user`` stays anonymous), only the key of their space. ``sub`` is FranceConnect's identifier of
    the person for this portal; the rest is what FranceConnect said at the last login."""

    sub = models.CharField(_("FranceConnect identifier"), max_length=255, unique=True)
    given_name = models.CharField(_("given name"), max_length=150, blank=True)
    family_name = models.CharField(_("family name"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_login_at = models.DateTimeField(_("last login"), default=timezone.now)

    class Meta:
        verbose_name = _("citizen account")
        verbose_name_plural = _("citizen accounts")

    def __str__(self):
        return f"{self.given_name} {self.family_name}".strip() or self.sub

    @property
    def full_name(self):
        return f"{self.given_name} {self.family_name}".strip()
