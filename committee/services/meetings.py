"""Meetings and their invitations: who is invited, the e-mails with their ``.ics``, calendars kept up to date."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import date as date_filter
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from qualipref.mail import email_queue
from qualipref.scoping import check_works_for

from ..enums import MeetingStatus
from ..ics import meeting_ics, meeting_url
from ..models import Invitation, Meeting

# Changing any of these changes the event in the members' calendars: the invitation is sent again.
SCHEDULE_FIELDS = ("date", "start_time", "end_time", "place", "video_url", "status", "title")


def invitees(meeting):
    """Who is invited: the working group's members for its meetings, else the whole committee; sitting that day."""
    members = meeting.working_group.members.all() if meeting.working_group_id else meeting.committee.members.all()
    return members.sitting(on=meeting.date).exclude(email="")


@transaction.atomic
def meeting_invitations_send(*, meeting, by=None):
    """Invite every member concerned to ``meeting``: one e-mail each, with the ``.ics``, sent by Celery.

    Safe to call twice: a member already sent this revision of the meeting gets nothing new.
    Returns the number of e-mails that will leave.
    """
    meeting = (
        Meeting.objects.select_for_update(of=("self",)).select_related("committee__prefecture").get(pk=meeting.pk)
    )
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError(_("Only a planned meeting's invitations can be sent."))
    if meeting.starts_at <= timezone.now():
        raise ValidationError(_("This meeting has already started: its invitations can no longer be sent."))
    for member in invitees(meeting):
        Invitation.objects.get_or_create(meeting=meeting, member=member)
    pending = list(
        meeting.invitations.filter(sent_sequence__lt=meeting.sequence, member__email__gt="").values_list(
            "pk", flat=True
        )
    )
    _send_after_commit(pending)
    return len(pending)


@transaction.atomic
def meeting_attendance_prepare(*, meeting):
    """List the members concerned on ``meeting`` (for its attendance) without e-mailing anyone. Returns how many."""
    created = 0
    for member in invitees(meeting):
        created += Invitation.objects.get_or_create(meeting=meeting, member=member)[1]
    return created


def _send_after_commit(invitation_ids):
    from ..tasks import send_invitation

    for invitation_id in invitation_ids:
        transaction.on_commit(lambda pk=invitation_id: send_invitation.delay(pk))


@transaction.atomic
def invitation_attendance_save(*, invitation, by=None):
    """Record whether an invited member attended; nothing else of the invitation changes. Returns it.

    ``by`` works for the meeting's prefecture (``PermissionDenied``); invitations themselves are created by
    ``meeting_invitations_send`` or ``meeting_attendance_prepare``, never here (``ValidationError``).
    """
    invitations = Invitation.objects.select_for_update(of=("self",)).select_related("meeting__committee")
    stored = invitations.filter(pk=invitation.pk).first() if invitation.pk else None
    if stored is None:
        raise ValidationError(_("Members are invited by sending the invitations or listing them for the attendance."))
    check_works_for(by, stored.meeting.committee.prefecture_id)
    stored.attendance = invitation.attendance
    stored.full_clean(exclude=["meeting", "member"], validate_unique=False)
    stored.save(update_fields=["attendance"])
    invitation.attendance = stored.attendance
    return stored


@transaction.atomic
def meeting_save(*, meeting, by=None):
    """Save ``meeting``; when its date, time, place or status changes after invitations left, calendars are updated.

    The revision (``SEQUENCE`` in the ``.ics``) goes up and everyone already invited gets the new
    version, or the cancellation.
    """
    previous = Meeting.objects.select_for_update().filter(pk=meeting.pk).first() if meeting.pk else None
    if previous is not None and any(getattr(previous, f) != getattr(meeting, f) for f in SCHEDULE_FIELDS):
        meeting.sequence = previous.sequence + 1
    meeting.full_clean()
    meeting.save()
    if previous is not None and meeting.sequence != previous.sequence:
        still_ahead = meeting.status != MeetingStatus.HELD and meeting.starts_at > timezone.now()
        if still_ahead:
            _send_after_commit(list(meeting.invitations.filter(sent_sequence__gte=0).values_list("pk", flat=True)))
    return meeting


def _invitation_description(meeting):
    lines = [
        _("%(committee)s – prefecture %(prefecture)s")
        % {"committee": meeting.committee.name, "prefecture": meeting.committee.prefecture.of_name},
        _("%(date)s at %(time)s, local time of the prefecture")
        % {
            "date": date_filter(meeting.date, "l j F Y"),
            "time": date_filter(meeting.start_time, "TIME_FORMAT"),
        },
    ]
    items = list(meeting.agenda_items.values_list("title", flat=True))
    if items:
        lines += ["", _("Agenda:")] + [f"{i}. {title}" for i, title in enumerate(items, 1)]
    lines += ["", _("Documents and agenda in the members' space: %(url)s") % {"url": meeting_url(meeting)}]
    return "\n".join(lines)


def invitation_send(*, invitation_id, language="fr"):
    """Queue the e-mail (with its ``.ics``) of one invitation, if this revision of the meeting was not sent yet.

    Safe to run twice and concurrently: the invitation row is locked, and the revision sent is recorded
    in the same transaction as the e-mail. Returns True when an e-mail was queued.
    """
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("member", "meeting__committee__prefecture")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None:
            return False
        meeting, member = invitation.meeting, invitation.member
        if invitation.sent_sequence >= meeting.sequence or not member.email:
            return False
        if meeting.status == MeetingStatus.HELD:
            return False
        cancelled = meeting.status == MeetingStatus.CANCELLED
        if cancelled and invitation.sent_sequence < 0:
            # Never invited: nothing to cancel in their calendar.
            invitation.sent_sequence = meeting.sequence
            invitation.save(update_fields=["sent_sequence"])
            return False
        with translation.override(language):
            ics = meeting_ics(meeting=meeting, attendee=member, description=_invitation_description(meeting))
        kind = "cancellation" if cancelled else ("update" if invitation.sent_sequence >= 0 else "invitation")
        email_queue(
            to=member.email,
            template="committee/emails/invitation",
            context={
                "meeting": meeting,
                "member": member,
                "prefecture": meeting.committee.prefecture,
                "kind": kind,
                "url": meeting_url(meeting),
            },
            purpose=f"committee_{kind}",
            prefecture=meeting.committee.prefecture,
            language=language,
            attachments=[("invitation.ics" if not cancelled else "annulation.ics", ics, "text/calendar")],
        )
        invitation.sent_at = timezone.now()
        invitation.sent_sequence = meeting.sequence
        invitation.save(update_fields=["sent_at", "sent_sequence"])
    return True


@transaction.atomic
def meeting_rows_delete(*, meeting, rows, by=None):
    """Delete rows of ``meeting``'s page: agenda items, invitations, documents, opinions given at it.

    Whoever calls: ``by`` works for the meeting's prefecture (``PermissionDenied``) and every row is one of this
    meeting's (``ValidationError``), or nothing is deleted.
    """
    check_works_for(by, Meeting.objects.values_list("committee__prefecture_id", flat=True).get(pk=meeting.pk))
    rows = list(rows)
    for row in rows:
        if row.meeting_id != meeting.pk:
            raise ValidationError(
                _("“%(row)s” belongs to another meeting: delete it from that meeting's page.") % {"row": row}
            )
    for row in rows:
        row.delete()
    return len(rows)
