"""The label's core: prefectures, their sites and services, users and their roles."""

import unicodedata
import zoneinfo
from collections import defaultdict
from functools import cached_property

import holidays
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from . import departments
from .csvfiles import refuse_formula_start
from .dates import add_months
from .enums import STAFF_ROLES, Label, Role, SiteKind
from .scoping import PrefectureScopedQuerySet

# First path segments the portal uses itself: a prefecture's slug can never be one of them.
RESERVED_SLUGS = frozenset(
    {
        "admin",
        "en",
        "pieces-jointes",
        "e",
        "fr",
        "static",
        "media",
        "healthz",
        "suivi",
        "mon-espace",
        "franceconnect",
        "delais",
        "comite",
        "reseau",
        "resultats",
        "enquetes",
        "api",
        "i18n",
        "mentions-legales",
        "donnees-personnelles",
        "accessibilite",
        "plan-du-site",
        "compte",
        "rapports",
        "reclamations",
        "borne",
    }
)

FRENCH_TIME_ZONES = [
    ("Europe/Paris", _("Metropolitan France (Europe/Paris)")),
    ("Indian/Reunion", _("La Réunion (Indian/Reunion)")),
    ("Indian/Mayotte", _("Mayotte (Indian/Mayotte)")),
    ("America/Guadeloupe", _("Guadeloupe (America/Guadeloupe)")),
    ("America/Martinique", _("Martinique (America/Martinique)")),
    ("America/Cayenne", _("French Guiana (America/Cayenne)")),
    ("America/Miquelon", _("Saint-Pierre-et-Miquelon (America/Miquelon)")),
    ("Pacific/Noumea", _("New Caledonia (Pacific/Noumea)")),
    ("Pacific/Tahiti", _("French Polynesia (Pacific/Tahiti)")),
    ("Pacific/Wallis", _("Wallis and Futuna (Pacific/Wallis)")),
]

HOLIDAY_SUBDIVISIONS = [("", _("Metropolitan France"))] + [
    (code, code) for code in holidays.France.subdivisions if not code.startswith("Zone")
]


def validate_slug_not_reserved(value):
    if value in RESERVED_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is used by the portal itself; choose another slug."), params={"slug": value}
        )


class PrefectureQuerySet(PrefectureScopedQuerySet):
    def labelled(self):
        return self.exclude(label=Label.NONE)


class Prefecture(models.Model):
    department_code = models.CharField(
        _("department code"),
        max_length=3,
        unique=True,
        validators=[refuse_formula_start],
        help_text=_("For example 974 for La Réunion, 2A for Corse-du-Sud."),
    )
    name = models.CharField(_("name"), max_length=120, validators=[refuse_formula_start])
    of_name_fr = models.CharField(
        _("name after “préfecture”"),
        max_length=130,
        blank=True,
        help_text=_(
            "How the name reads after “préfecture” in French: « du Val-de-Marne », « de la Gironde », « de l’Ain ». "
            "Empty: the usual form for the department."
        ),
    )
    slug = models.SlugField(
        _("slug"),
        max_length=60,
        unique=True,
        validators=[validate_slug_not_reserved],
        help_text=_("Used in public addresses, for example la-reunion."),
    )
    time_zone = models.CharField(_("time zone"), max_length=40, choices=FRENCH_TIME_ZONES, default="Europe/Paris")
    holiday_subdivision = models.CharField(
        _("public holidays"),
        max_length=8,
        choices=HOLIDAY_SUBDIVISIONS,
        blank=True,
        help_text=_("Subdivision whose public holidays apply: 974 for La Réunion, 57 for Moselle…"),
    )
    address = models.TextField(_("postal address"), blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)

    label = models.CharField(_("label"), max_length=20, choices=Label.choices, default=Label.NONE)
    label_awarded_on = models.DateField(_("label awarded on"), null=True, blank=True)
    certifying_body = models.CharField(_("certifying body"), max_length=120, blank=True)
    next_audit_on = models.DateField(_("next audit"), null=True, blank=True)

    answer_deadline_working_days = models.PositiveSmallIntegerField(
        _("answer deadline (working days)"),
        default=15,
        help_text=_("A complaint is answered within this many working days of its receipt."),
    )
    reopen_days = models.PositiveSmallIntegerField(
        _("reopening period (days)"),
        default=30,
        db_default=30,
        help_text=_(
            "For this many days after a case is closed or rejected, the citizen may reopen it from the tracking "
            "page by writing again. 0: never."
        ),
    )
    mediator = models.TextField(
        _("mediator"),
        blank=True,
        default="",
        db_default="",
        max_length=1000,
        help_text=_(
            "How to reach the prefecture's mediator (name, address, e-mail or web page), shown to citizens on a "
            "closed case with the Défenseur des droits. Empty: the Défenseur des droits only."
        ),
    )

    history = HistoricalRecords()

    objects = PrefectureQuerySet.as_manager()

    prefecture_lookup = "pk"

    class Meta:
        verbose_name = _("prefecture")
        verbose_name_plural = _("prefectures")
        ordering = ["department_code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(label="none") | Q(label_awarded_on__isnull=False),
                name="prefecture_labelled_has_award_date",
                violation_error_message=_("A labelled prefecture needs the date its label was awarded."),
            )
        ]

    def __str__(self):
        return f"{self.department_code} – {self.name}"

    def get_absolute_url(self):
        return reverse("prefecture_home", kwargs={"slug": self.slug})

    @property
    def of_name(self):
        """The name as it follows “prefecture” in the active language: « du Val-de-Marne », "of Val-de-Marne"."""
        return departments.of_name(self)

    @property
    def tzinfo(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    def today(self):
        """Today's date where the prefecture is (La Réunion is three hours ahead of Paris in winter)."""
        return timezone.localdate(timezone=self.tzinfo)

    def scheduled_next_audit(self, today):
        """The next audit date that follows from the label.

        Qualipref is checked every year on the award's anniversary; the Marianne label is valid
        three years with a follow-up audit at 18 months. Past the label's end, the renewal audit
        is due at that end (overdue, shown as such).
        """
        if self.label == Label.NONE or not self.label_awarded_on:
            return None
        awarded = self.label_awarded_on
        if self.label == Label.QUALIPREF:
            years = max(1, today.year - awarded.year)
            candidate = add_months(awarded, 12 * years)
            return candidate if candidate >= today else add_months(awarded, 12 * (years + 1))
        follow_up, renewal = add_months(awarded, 18), add_months(awarded, 36)
        return follow_up if follow_up >= today else renewal


class Site(models.Model):
    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.CASCADE, related_name="sites", verbose_name=_("prefecture")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=SiteKind.choices, default=SiteKind.PREFECTURE)
    name = models.CharField(_("name"), max_length=120, validators=[refuse_formula_start])
    address = models.TextField(_("address"), blank=True)
    opening_hours = models.TextField(_("opening hours"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    objects = PrefectureScopedQuerySet.as_manager()

    prefecture_lookup = "prefecture"

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["prefecture", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["prefecture", "name"], name="site_unique_name_per_prefecture")]

    def __str__(self):
        return self.name


class Service(models.Model):
    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.CASCADE, related_name="services", verbose_name=_("prefecture")
    )
    name = models.CharField(_("name"), max_length=120, validators=[refuse_formula_start])
    email = models.EmailField(_("contact e-mail"), blank=True)
    phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    objects = PrefectureScopedQuerySet.as_manager()

    prefecture_lookup = "prefecture"

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["prefecture", "name"]
        constraints = [
            models.UniqueConstraint(fields=["prefecture", "name"], name="service_unique_name_per_prefecture")
        ]

    def __str__(self):
        return self.name


def login_identity(email):
    """The one spelling of an e-mail address that names an account: how it is stored, looked up at login and
    counted by the lockout (``qualipref.auth``).

    Compatibility forms folded (NFKC: full-width « ｑ », « ℚ », « ³ », no-break spaces), then case (casefold),
    and the blanks around it dropped (spaces, tabs, no-break and ideographic spaces). Every way of typing an
    address that can log into an account is therefore one identity, which shares one count of failed logins.
    Idempotent, so a stored address is its own identity.
    """
    if not isinstance(email, str):
        return email
    email = unicodedata.normalize("NFKC", email)
    return unicodedata.normalize("NFKC", email.casefold()).strip()


class UserManager(BaseUserManager.from_queryset(PrefectureScopedQuerySet)):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email):
        return login_identity(email or "")

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        # People type addresses as they like; stored, and looked up, is their identity (the backend's lookup).
        return self.get(email=login_identity(username))

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    is_staff = models.BooleanField(
        _("staff status"), default=False, help_text=_("Can log into the administration interface.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    notify_new_cases = models.BooleanField(
        _("e-mail me each new case"),
        default=False,
        db_default=False,
        help_text=_(
            "An e-mail for each case that arrives in my service (in my prefecture, for a quality officer), with "
            "its link in the administration."
        ),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    # A user belongs to the prefectures of their memberships (see ``scoping``).
    prefecture_lookup = "memberships__prefecture"

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self):
        return self.get_full_name() or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email)

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email

    @cached_property
    def _membership_rows(self):
        return list(self.memberships.values_list("role", "prefecture_id", "service_id"))

    @cached_property
    def _staff_rows(self):
        """The memberships that work in the admin. A seat on a users' committee gives no staff scope: it opens
        the members' space only (``for_member``), whatever other role the same account holds."""
        return [row for row in self._membership_rows if row[0] in STAFF_ROLES]

    @cached_property
    def roles(self):
        """The roles this user holds anywhere, e.g. ``{Role.QUALITY_OFFICER}``."""
        return frozenset(Role(role) for role, _prefecture, _service in self._membership_rows)

    @cached_property
    def staff_roles(self):
        """The roles this user holds in the admin, anywhere (a committee seat left out)."""
        return frozenset(Role(role) for role, _prefecture, _service in self._staff_rows)

    @property
    def sees_all_prefectures(self):
        return self.is_active and (self.is_superuser or Role.NATIONAL_COORDINATOR in self.roles)

    @cached_property
    def prefecture_ids(self):
        """Ids of the prefectures this user works for (all of them for the national coordinator)."""
        if self.sees_all_prefectures:
            return frozenset(Prefecture.objects.values_list("pk", flat=True))
        return frozenset(prefecture for _role, prefecture, _service in self._staff_rows if prefecture)

    @cached_property
    def staff_role_sets(self):
        """The staff roles held in each prefecture, as a set of role sets (all roles at once for national staff)."""
        if self.sees_all_prefectures:
            return frozenset({self.roles})
        by_prefecture = defaultdict(set)
        for role, prefecture, _service in self._staff_rows:
            by_prefecture[prefecture].add(Role(role))
        return frozenset(frozenset(roles) for roles in by_prefecture.values())

    @cached_property
    def agent_scope(self):
        """Where this user sees only their services' rows: ``{prefecture id: frozenset of service ids}`` for each
        prefecture where they are a service agent and hold no other staff role. Every other prefecture of
        ``prefecture_ids`` is seen whole (empty for national staff). Read by ``scoping.scope_queryset``."""
        if self.sees_all_prefectures:
            return {}
        services, whole = defaultdict(set), set()
        for role, prefecture, service in self._staff_rows:
            if role == Role.SERVICE_AGENT:
                services[prefecture].add(service)
            else:
                whole.add(prefecture)
        return {prefecture: frozenset(ids) for prefecture, ids in services.items() if prefecture not in whole}

    def service_ids_in(self, prefecture):
        """The services this user is limited to in ``prefecture``, or ``None`` when they see it whole."""
        return self.agent_scope.get(prefecture.pk)

    def roles_in(self, prefecture):
        return frozenset(Role(role) for role, pref, _service in self._membership_rows if pref == prefecture.pk)

    def staff_roles_in(self, prefecture):
        return frozenset(Role(role) for role, pref, _service in self._staff_rows if pref == prefecture.pk)


def mixed_staff_roles_error(pairs, *, here):
    """The message refusing an account's ``(prefecture, role)`` pairs when its staff roles differ between two
    prefectures, or ``None``. Django's permissions hold for every object the admin shows, so such an account would
    keep only the rights its roles share (``qualipref.auth``). ``here``: the prefecture being edited, left out of the
    roles listed as held elsewhere (``None`` when all of them are being edited at once)."""
    by_prefecture = defaultdict(set)
    for prefecture, role in pairs:
        if prefecture is not None and role in STAFF_ROLES:
            by_prefecture[prefecture].add(role)
    if len({frozenset(roles) for roles in by_prefecture.values()}) <= 1:
        return None
    elsewhere = sorted(
        f"{Role(role).label} ({prefecture.name})"
        for prefecture, roles in by_prefecture.items()
        if prefecture != here
        for role in roles
    )
    if here is None:
        return _(
            "These roles differ from one prefecture to another: %(roles)s. An account holds the same roles in every "
            "prefecture it works for, or it would keep only the rights they share: give it the same roles "
            "everywhere, or use one account per role."
        ) % {"roles": ", ".join(elsewhere)}
    return _(
        "In its other prefectures this account is: %(elsewhere)s. An account holds the same roles in every "
        "prefecture it works for, or it would keep only the rights they share: give it the same roles here, or use "
        "another account."
    ) % {"elsewhere": ", ".join(elsewhere)}


class Membership(models.Model):
    """Ties a user to a prefecture with a role (and a service for service agents).

    The national coordinator's membership has no prefecture: it covers them all.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"))
    prefecture = models.ForeignKey(
        Prefecture,
        on_delete=models.CASCADE,
        related_name="memberships",
        null=True,
        blank=True,
        verbose_name=_("prefecture"),
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="memberships", null=True, blank=True, verbose_name=_("service")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    objects = PrefectureScopedQuerySet.as_manager()

    prefecture_lookup = "prefecture"

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["prefecture", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "prefecture", "role"],
                name="membership_unique_role_per_prefecture",
                violation_error_message=_("This user already has this role in this prefecture."),
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(prefecture__isnull=True),
                name="membership_unique_national_role",
                violation_error_message=_("This user is already national coordinator."),
            ),
            models.CheckConstraint(
                condition=Q(role=Role.NATIONAL_COORDINATOR, prefecture__isnull=True)
                | (~Q(role=Role.NATIONAL_COORDINATOR) & Q(prefecture__isnull=False)),
                name="membership_prefecture_unless_national",
                violation_error_message=_("The national coordinator has no prefecture; every other role needs one."),
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.SERVICE_AGENT) | Q(service__isnull=False),
                name="membership_agent_has_service",
                violation_error_message=_("A service agent must be attached to a service."),
            ),
        ]

    def __str__(self):
        where = self.prefecture.name if self.prefecture_id else _("all prefectures")
        return f"{self.user} – {self.get_role_display()} ({where})"

    def clean(self):
        super().clean()
        if self.service_id and self.prefecture_id and self.service.prefecture_id != self.prefecture_id:
            raise ValidationError({"service": _("This service belongs to another prefecture.")})
        self._check_same_staff_roles_everywhere()

    def _check_same_staff_roles_everywhere(self):
        """An account's admin rights are the same in each of its prefectures (see ``qualipref.auth``)."""
        if getattr(self, "staff_roles_checked_together", False):
            return
        if not (self.user_id and self.prefecture_id and self.role in STAFF_ROLES):
            return
        others = Membership.objects.filter(user_id=self.user_id).exclude(pk=self.pk).select_related("prefecture")
        pairs = [(m.prefecture, m.role) for m in others] + [(self.prefecture, self.role)]
        error = mixed_staff_roles_error(pairs, here=self.prefecture)
        if error:
            raise ValidationError({"role": error})

    @property
    def is_staff_role(self):
        return self.role in STAFF_ROLES


# The outbox (qualipref/mail.py: queue, send, sweep): how many times an e-mail is tried before officers must act.
MAX_ATTEMPTS = 8


class OutgoingEmailQuerySet(PrefectureScopedQuerySet):
    def sent(self):
        return self.filter(sent_at__isnull=False)

    def pending(self):
        """Still to send: never tried, or failed fewer than ``MAX_ATTEMPTS`` times (tried again)."""
        return self.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)

    def failed(self):
        """Given up after ``MAX_ATTEMPTS`` failures: officers must see them and may send them again."""
        return self.filter(sent_at__isnull=True, attempts__gte=MAX_ATTEMPTS)


class OutgoingEmail(models.Model):
    prefecture = models.ForeignKey(
        "qualipref.Prefecture",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("prefecture"),
    )
    purpose = models.CharField(_("purpose"), max_length=50)
    to = models.EmailField(_("recipient"))
    subject = models.CharField(_("subject"), max_length=200)
    body_text = models.TextField(_("text body"), blank=True)
    body_html = models.TextField(_("HTML body"), blank=True)
    # Small text attachments (a calendar invitation): [{"filename", "content", "mimetype"}], cleared once sent.
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    objects = OutgoingEmailQuerySet.as_manager()

    prefecture_lookup = "prefecture"

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.purpose} – {timezone.localtime(self.created_at):%d/%m/%Y %H:%M}"


class ApiClient(models.Model):
    """Another public app that files and follows cases for its users through the Open311 API
    (``complaints/open311.py``), with its own key. Declared by the national coordinator; the key is shown once,
    when given (``qualipref.apiclients``), and only its fingerprint is kept."""

    name = models.CharField(_("name"), max_length=120, unique=True, validators=[refuse_formula_start])
    contact_email = models.EmailField(_("contact e-mail"), help_text=_("Who to warn about the app's use of the API."))
    prefectures = models.ManyToManyField(
        Prefecture,
        related_name="api_clients",
        verbose_name=_("prefectures"),
        help_text=_("The prefectures this app may file cases with."),
    )
    key_fingerprint = models.CharField(_("key fingerprint"), max_length=64, unique=True, editable=False)
    key_hint = models.CharField(
        _("key begins with"), max_length=8, editable=False, help_text=_("To recognise the key the app holds.")
    )
    is_active = models.BooleanField(_("active"), default=True, help_text=_("Unticked: the key is refused."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["key_fingerprint", "last_used_at"])

    # National, like the referentials: only the national coordinator declares or changes one (``qualipref.roles``);
    # which prefectures it may file with is ``prefectures``, checked by the API.
    national_referential = True

    class Meta:
        verbose_name = _("API client app")
        verbose_name_plural = _("API client apps")
        ordering = ["name"]

    def __str__(self):
        return self.name
