"""The users' committee: members, meetings, working groups, opinions on suggestions, improvement actions.

Every model is owned by a prefecture (``prefecture_lookup``, for staff scoping) and by a committee
(``committee_lookup``, for the members' space): ``Model.objects.for_member(user)`` is all that a
committee member may read, ``Model.objects.for_user(user)`` all that an officer may.
"""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from complaints.enums import Kind
from complaints.models import Case
from qualipref.calendar import before_local_today
from qualipref.models import Prefecture, Service
from qualipref.scoping import PrefectureScopedQuerySet

from .enums import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    Attendance,
    DocumentKind,
    MeetingStatus,
    MemberCategory,
    Verdict,
)


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
        """Active members whose term covers ``on`` (today by default)."""
        on = on or timezone.localdate()
        return self.filter(is_active=True, term_start__lte=on).filter(Q(term_end__isnull=True) | Q(term_end__gte=on))


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


class MeetingQuerySet(CommitteeScopedQuerySet):
    def upcoming(self, today=None):
        return self.filter(status=MeetingStatus.PLANNED, date__gte=today or timezone.localdate())

    def past(self, today=None):
        return self.filter(date__lt=today or timezone.localdate()).exclude(status=MeetingStatus.CANCELLED)

    def with_published_summary(self):
        return self.filter(status=MeetingStatus.HELD, summary_published=True).exclude(public_summary="")

    def plenary(self):
        return self.filter(working_group__isnull=True)


class Meeting(models.Model):
    committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("committee")
    )
    working_group = models.ForeignKey(
        WorkingGroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("working group"),
        help_text=_("Empty for a plenary meeting of the committee."),
    )
    title = models.CharField(_("title"), max_length=150)
    # Date and times as the prefecture lives them (La Réunion's 9:30 is 9:30 in Saint-Denis).
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("starts at"), help_text=_("Local time of the prefecture."))
    end_time = models.TimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    video_url = models.URLField(_("video link"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    # Raised when the date, time or place changes: calendars replace the event they hold.
    sequence = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    minutes = models.TextField(_("minutes"), blank=True, help_text=_("Members only. A PDF may be attached instead."))
    public_summary = models.TextField(
        _("public summary"), blank=True, help_text=_("What the public may read: no private person's name.")
    )
    summary_published = models.BooleanField(_("summary published"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    history = HistoricalRecords()

    objects = MeetingQuerySet.as_manager()

    prefecture_lookup = "committee__prefecture"
    committee_lookup = "committee"

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-date", "-start_time"]
        indexes = [models.Index(fields=["committee", "date"], name="committee_meeting_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(summary_published=False) | Q(status="held"),
                name="committee_meeting_summary_only_when_held",
                violation_error_message=_("Only the summary of a meeting that was held can be published."),
            ),
        ]

    def __str__(self):
        return f"{self.title} – {self.date:%d/%m/%Y}"

    def clean(self):
        super().clean()
        if self.working_group_id and self.committee_id and self.working_group.committee_id != self.committee_id:
            raise ValidationError({"working_group": _("This working group belongs to another committee.")})
        if self.end_time and self.start_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": _("The meeting must end after it starts.")})
        if self.summary_published and not self.public_summary.strip():
            raise ValidationError({"public_summary": _("Write the public summary before publishing it.")})

    @property
    def tzinfo(self):
        return self.committee.prefecture.tzinfo

    @property
    def starts_at(self):
        """The start as an aware datetime in the prefecture's time zone."""
        return datetime.datetime.combine(self.date, self.start_time, tzinfo=self.tzinfo)

    @property
    def ends_at(self):
        if self.end_time:
            return datetime.datetime.combine(self.date, self.end_time, tzinfo=self.tzinfo)
        return self.starts_at + datetime.timedelta(hours=2)

    @property
    def comments_open(self):
        """Members comment on the agenda before the meeting, not after it started."""
        return self.status == MeetingStatus.PLANNED and timezone.now() < self.starts_at


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("meeting")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    title = models.CharField(_("title"), max_length=200)
    presenter = models.CharField(_("presented by"), max_length=150, blank=True)
    description = models.TextField(_("description"), blank=True)
    case = models.ForeignKey(
        Case,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="committee_agenda_items",
        verbose_name=_("suggestion examined"),
        limit_choices_to={"kind": Kind.SUGGESTION},
    )

    history = HistoricalRecords()

    objects = CommitteeScopedQuerySet.as_manager()

    prefecture_lookup = "meeting__committee__prefecture"
    committee_lookup = "meeting__committee"

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position", "pk"]

    def __str__(self):
        return self.title


def document_path(instance, filename):
    # Never the uploader's file name on disk: a random name in a private folder.
    department = instance.meeting.committee.prefecture.department_code
    return f"committee/{department}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Document(models.Model):
    """A PDF of a meeting (a document for the agenda, or the minutes), served only by a permission-checking view."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="documents", verbose_name=_("meeting"))
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("agenda item"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices, default=DocumentKind.AGENDA)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("PDF file"), upload_to=document_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=120, editable=False)
    size = models.PositiveIntegerField(_("size in bytes"), default=0, editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now, editable=False)

    history = HistoricalRecords()

    objects = CommitteeScopedQuerySet.as_manager()

    prefecture_lookup = "meeting__committee__prefecture"
    committee_lookup = "meeting__committee"

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["meeting", "kind", "title"]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.agenda_item_id and self.meeting_id and self.agenda_item.meeting_id != self.meeting_id:
            raise ValidationError({"agenda_item": _("This agenda item belongs to another meeting.")})


class Invitation(models.Model):
    """One member invited to one meeting: sent once per revision of the meeting, and their attendance."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("meeting")
    )
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("member"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, editable=False)
    # The meeting's revision last sent; -1 until the first e-mail leaves.
    sent_sequence = models.IntegerField(default=-1, editable=False)
    attendance = models.CharField(
        _("attendance"), max_length=20, choices=Attendance.choices, default=Attendance.UNKNOWN
    )

    history = HistoricalRecords()

    objects = CommitteeScopedQuerySet.as_manager()

    prefecture_lookup = "meeting__committee__prefecture"
    committee_lookup = "meeting__committee"

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["meeting", "member__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="committee_invitation_once_per_member")
        ]

    def __str__(self):
        return f"{self.member} – {self.meeting}"


class Comment(models.Model):
    """A member's comment on an agenda item, before the meeting; read by their committee only."""

    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="comments", verbose_name=_("agenda item")
    )
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="comments", verbose_name=_("member"))
    body = models.TextField(_("comment"), max_length=3000)
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    history = HistoricalRecords()

    objects = CommitteeScopedQuerySet.as_manager()

    prefecture_lookup = "agenda_item__meeting__committee__prefecture"
    committee_lookup = "agenda_item__meeting__committee"

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.member} – {self.created_at:%d/%m/%Y %H:%M}"


class SuggestionOpinion(models.Model):
    """The committee's opinion on a suggestion forwarded to it; the citizen reads it on their tracking page."""

    case = models.OneToOneField(
        Case,
        on_delete=models.CASCADE,
        related_name="committee_opinion",
        verbose_name=_("suggestion"),
        limit_choices_to={"kind": Kind.SUGGESTION},
    )
    committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, related_name="opinions", verbose_name=_("committee")
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opinions",
        verbose_name=_("meeting"),
    )
    verdict = models.CharField(_("opinion"), max_length=20, choices=Verdict.choices)
    text = models.TextField(
        _("opinion as the citizen reads it"),
        help_text=_("Plain words, no member's name: shown on the citizen's case."),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    history = HistoricalRecords()

    objects = CommitteeScopedQuerySet.as_manager()

    prefecture_lookup = "committee__prefecture"
    committee_lookup = "committee"

    class Meta:
        verbose_name = _("committee opinion on a suggestion")
        verbose_name_plural = _("committee opinions on suggestions")
        ordering = ["-recorded_at"]

    def __str__(self):
        return f"{self.case} – {self.get_verdict_display()}"

    def clean(self):
        super().clean()
        if self.case_id and self.case.kind != Kind.SUGGESTION:
            raise ValidationError({"case": _("The committee gives its opinion on suggestions only.")})
        if self.case_id and self.committee_id and self.case.prefecture_id != self.committee.prefecture_id:
            raise ValidationError({"case": _("This suggestion was sent to another prefecture.")})
        if self.meeting_id and self.committee_id and self.meeting.committee_id != self.committee_id:
            raise ValidationError({"meeting": _("This meeting belongs to another committee.")})


class ImprovementActionQuerySet(PrefectureScopedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_ACTION_STATUSES)

    def overdue(self, today=None):
        """Open actions past their due date: by ``today``, or each in its prefecture's day."""
        return self.open().filter(Q(due_on__lt=today) if today else before_local_today("due_on"))

    def published(self):
        """Done, public actions: “you told us, we did”."""
        return self.filter(status=ActionStatus.DONE, is_public=True)


class ImprovementAction(models.Model):
    """One step of the continuous-improvement loop: a signal → an action → a measured, published result."""

    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.CASCADE, related_name="improvement_actions", verbose_name=_("prefecture")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # What raised it: any of these, at least one.
    origin_cases = models.ManyToManyField(
        Case, blank=True, related_name="improvement_actions", verbose_name=_("complaints and suggestions")
    )
    origin_meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="improvement_actions",
        verbose_name=_("committee meeting"),
    )
    origin_working_group = models.ForeignKey(
        WorkingGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="improvement_actions",
        verbose_name=_("working group"),
    )
    # The surveys app is built separately: a reference (question's label or address) rather than a key.
    origin_survey_question = models.CharField(
        _("survey question"), max_length=300, blank=True, help_text=_("The question's wording or its address.")
    )
    public_origin = models.TextField(
        _("“you told us”"),
        blank=True,
        help_text=_("What users told us, in public words, for the page “You told us, we did”."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="improvement_actions",
        verbose_name=_("owner"),
    )
    service = models.ForeignKey(
        Service,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="improvement_actions",
        verbose_name=_("service"),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.PROPOSED, editable=False
    )
    indicator = models.CharField(
        _("indicator it should move"), max_length=200, blank=True, help_text=_("For example: average waiting time.")
    )
    outcome = models.TextField(_("outcome"), blank=True, help_text=_("The measured effect; required once done."))
    done_on = models.DateField(_("done on"), null=True, blank=True, editable=False)
    is_public = models.BooleanField(
        _("published once done"), default=True, help_text=_("Shown on the page “You told us, we did” when done.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    history = HistoricalRecords(m2m_fields=[origin_cases])

    objects = ImprovementActionQuerySet.as_manager()

    prefecture_lookup = "prefecture"

    class Meta:
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["prefecture", "status", "due_on"], name="committee_action_status_due")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | ~Q(outcome=""),
                name="committee_action_done_has_outcome",
                violation_error_message=_("A done action needs its outcome."),
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        errors = {}
        if self.origin_meeting_id and self.origin_meeting.committee.prefecture_id != self.prefecture_id:
            errors["origin_meeting"] = _("This meeting belongs to another prefecture.")
        if self.origin_working_group_id and self.origin_working_group.committee.prefecture_id != self.prefecture_id:
            errors["origin_working_group"] = _("This working group belongs to another prefecture.")
        if self.service_id and self.service.prefecture_id != self.prefecture_id:
            errors["service"] = _("This service belongs to another prefecture.")
        if errors:
            raise ValidationError(errors)

    def is_overdue(self, today=None):
        today = today or self.prefecture.today()
        return self.status in OPEN_ACTION_STATUSES and self.due_on is not None and self.due_on < today


class ActionTransition(models.Model):
    """Every status change of an action: who, when, from what to what, and why."""

    action = models.ForeignKey(ImprovementAction, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("from"), max_length=20, choices=ActionStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=ActionStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    prefecture_lookup = "action__prefecture"

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.action} {self.from_status or '∅'} → {self.to_status}"
