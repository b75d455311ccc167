"""A prefecture's users' committee, its members and its working groups."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qualipref.calendar import on_local_today
from qualipref.models import Prefecture
from qualipref.scoping import PrefectureScopedQuerySet

from ..enums import MemberCategory


class CommitteeScopedQuerySet(PrefectureScopedQuerySet):
    def for_member(self, user):
        """What ``user`` may read in the members' space: their own committees' objects, nothing else."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        committees = Member.objects.sitting().filter(user=user).values("committee_id")
        return self.filter(**{f"{self.model.committee_lookup}__in": committees})


class Committee(models.Model):
    prefecture = models.OneToOneField(
        Prefecture, on_delete=models.CASCADE, related_name="committee", verbose_name=_("prefecture")
    )
    name = models.CharField(_("name"), max_length=120, default="Comité des usagers")
    introduction = models.TextField(
        _("public introduction"), blank=True, help_text=_("Shown at the top of the committee's public page.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    history = HistoricalRecords()

    objects = CommitteeScopedQuerySet.as_manager()

    prefecture_lookup = "prefecture"
    committee_lookup = "pk"

    class Meta:
        verbose_name = _("users' committee")
        verbose_name_plural = _("users' committees")
        ordering = ["prefecture"]

    def __str__(self):
        return f"{self.name} – {self.prefecture.name}"


class MemberQuerySet(CommitteeScopedQuerySet):
    def sitting(self, on=None):
        """Active members whose term covers ``on`` (by default today, in each committee's prefecture)."""

        def covers(day):
            return Q(term_start__lte=day) & (Q(term_end__isnull=True) | Q(term_end__gte=day))

        if on is None:
            return self.filter(on_local_today(covers, prefecture_path="committee__prefecture"), is_active=True)
        return self.filter(covers(on), is_active=True)


class Member(models.Model):
    committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, related_name="members", verbose_name=_("committee")
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    category = models.CharField(_("category"), max_length=20, choices=MemberCategory.choices)
    organisation = models.CharField(
        _("organisation"), max_length=150, blank=True, help_text=_("Shown publicly; empty for a private person.")
    )
    email = models.EmailField(_("e-mail"), blank=True, help_text=_("For invitations and the members' space."))
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    term_start = models.DateField(_("term starts on"))
    term_end = models.DateField(_("term ends on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    name_is_public = models.BooleanField(
        _("name may be published"),
        default=False,
        help_text=_("Only with the member's consent: otherwise the public page shows the category alone."),
    )
    name_consent_at = models.DateTimeField(_("consent to publication given at"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="committee_seats",
        verbose_name=_("account"),
    )
    account_invited_at = models.DateTimeField(_("account invitation sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    history = HistoricalRecords()

    objects = MemberQuerySet.as_manager()

    prefecture_lookup = "committee__prefecture"
    committee_lookup = "committee"

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        ordering = ["committee", "last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "user"],
                condition=Q(user__isnull=False),
                name="committee_member_one_seat_per_account",
                violation_error_message=_("This account already sits on this committee."),
            ),
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gte=models.F("term_start")),
                name="committee_member_term_ends_after_start",
                violation_error_message=_("The term cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        # The consent's date is kept as proof, and cleared when it is withdrawn.
        if self.name_is_public and not self.name_consent_at:
            self.name_consent_at = timezone.now()
        elif not self.name_is_public:
            self.name_consent_at = None
        super().save(*args, **kwargs)

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def public_name(self):
        """The name the public may read, or an empty string without consent."""
        return self.full_name if self.name_is_public else ""


class WorkingGroup(models.Model):
    committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, related_name="working_groups", verbose_name=_("committee")
    )
    theme = models.CharField(_("theme"), max_length=150)
    mandate = models.TextField(_("mandate"), blank=True)
    members = models.ManyToManyField(Member, blank=True, related_name="working_groups", verbose_name=_("members"))
    conclusions = models.TextField(_("conclusions"), blank=True)
    conclusions_published = models.BooleanField(
        _("conclusions published"), default=False, help_text=_("Shown on the committee's public page.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_on = models.DateField(_("created on"), default=timezone.localdate)

    history = HistoricalRecords(m2m_fields=[members])

    objects = CommitteeScopedQuerySet.as_manager()

    prefecture_lookup = "committee__prefecture"
    committee_lookup = "committee"

    class Meta:
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")
        ordering = ["committee", "theme"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "theme"], name="committee_working_group_unique_theme")
        ]

    def __str__(self):
        return self.theme
