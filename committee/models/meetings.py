"""Meetings: agenda, documents, invitations, members' comments, and opinions on suggestions."""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from complaints.enums import Kind
from complaints.models import Case

from ..enums import Attendance, DocumentKind, MeetingStatus, Verdict
from .committees import Committee, CommitteeScopedQuerySet, Member, WorkingGroup


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
    minutes = models.TextField(
        pgettext_lazy("meeting", "minutes"), blank=True, help_text=_("Members only. A PDF may be attached instead.")
    )
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
    sha256 = models.CharField(_("SHA-256 fingerprint"), max_length=64, editable=False)
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
    sent_sequence = models.IntegerField(_("revision last sent"), default=-1, editable=False)
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
        zone = self.agenda_item.meeting.tzinfo  # a list may mix prefectures: the comment's own
        return f"{self.member} – {timezone.localtime(self.created_at, zone):%d/%m/%Y %H:%M}"


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
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("recorded by"),
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
