"""Writes of the users' committee: keyword-only functions, one transaction each."""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import date as date_filter
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from complaints.enums import Kind, Status
from complaints.models import Case
from qualipref.enums import Role
from qualipref.mail import email_queue
from qualipref.models import User
from qualipref.services import membership_grant
from qualipref.uploads import validate_upload

from .enums import ActionStatus, MeetingStatus
from .ics import meeting_ics, meeting_url
from .models import (
    ActionTransition,
    AgendaItem,
    Comment,
    Committee,
    Document,
    ImprovementAction,
    Invitation,
    Meeting,
    Member,
    OpenedAccountLink,
    SuggestionOpinion,
)
from .tokens import link_lifetime, password_set_url
from .workflow import check_transition

MAX_DOCUMENT_BYTES = getattr(settings, "COMMITTEE_MAX_DOCUMENT_BYTES", 20 * 1024 * 1024)

# Changing any of these changes the event in the members' calendars: the invitation is sent again.
SCHEDULE_FIELDS = ("date", "start_time", "end_time", "place", "video_url", "status", "title")


# --- members and their accounts ---------------------------------------------------------------------


@transaction.atomic
def member_account_invite(*, member, by=None):
    """Give ``member`` an account for the members' space and e-mail them a link to set its password.

    The account is created without a usable password; the link works once, for a limited time.
    Sending it again (a lost e-mail) issues a new link. Raises ``ValidationError`` when the member
    cannot have one.
    """
    member = Member.objects.select_for_update(of=("self",)).select_related("committee__prefecture").get(pk=member.pk)
    if not member.email:
        raise ValidationError(_("%(name)s has no e-mail address: add one first.") % {"name": member.full_name})
    if not member.is_active:
        raise ValidationError(_("%(name)s is no longer an active member.") % {"name": member.full_name})
    user = member.user or User.objects.filter(email__iexact=member.email).first()
    if user is not None and (user.is_superuser or Role.NATIONAL_COORDINATOR in user.roles):
        # A committee seat must never bring a national account within a prefecture's reach.
        raise ValidationError(
            _("%(email)s is the address of a national account: give this member another address.")
            % {"email": member.email}
        )
    if user is None:
        user = User.objects.create_user(
            email=member.email, password=None, first_name=member.first_name, last_name=member.last_name
        )
    elif Member.objects.filter(committee=member.committee, user=user).exclude(pk=member.pk).exists():
        raise ValidationError(
            _("The account %(email)s is already used by another member of this committee.") % {"email": user.email}
        )
    membership_grant(user=user, role=Role.COMMITTEE_MEMBER, prefecture=member.committee.prefecture)
    member.user = user
    member.account_invited_at = timezone.now()
    member.save(update_fields=["user", "account_invited_at"])
    _queue_password_link(member, user, purpose="committee_account", forgotten=False)
    return member


def _queue_password_link(member, user, *, purpose, forgotten):
    prefecture = member.committee.prefecture
    email_queue(
        to=user.email,
        template="committee/emails/account",
        context={
            "member": member,
            "prefecture": prefecture,
            "committee": member.committee,
            "link": password_set_url(user),
            "days": link_lifetime().days,
            "forgotten": forgotten,
        },
        purpose=purpose,
        prefecture=prefecture,
    )


@transaction.atomic
def member_password_link_resend(*, email):
    """A member who lost their password gets a new link, if the address has an account. Says nothing either way."""
    member = (
        Member.objects.sitting()
        .select_related("user", "committee__prefecture")
        .filter(user__email__iexact=email.strip(), user__is_active=True)
        .first()
    )
    if member is not None:
        _queue_password_link(member, member.user, purpose="committee_password", forgotten=True)
    return member is not None


def account_link_opened(*, token):
    """Whether the password link ``token`` has been opened already (by whichever browser)."""
    return OpenedAccountLink.objects.filter(token_digest=hashlib.sha256(token.encode()).hexdigest()).exists()


def account_link_open(*, user, token):
    """Mark ``user``'s password link ``token`` opened: True the first time, False ever after (another browser).

    Only the token's digest is stored; marks older than a link's lifetime, whose links have expired anyway,
    are removed on the way.
    """
    digest = hashlib.sha256(token.encode()).hexdigest()
    OpenedAccountLink.objects.filter(opened_at__lt=timezone.now() - link_lifetime()).delete()
    _mark, created = OpenedAccountLink.objects.get_or_create(token_digest=digest, defaults={"user": user})
    return created


# --- meetings and invitations ----------------------------------------------------------------------


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
    from .tasks import send_invitation

    for invitation_id in invitation_ids:
        transaction.on_commit(lambda pk=invitation_id: send_invitation.delay(pk))


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


# --- agenda, documents, comments -------------------------------------------------------------------


def suggestion_candidates(*, committee):
    """Suggestions forwarded to the committee that await its opinion and are on no agenda yet."""
    on_agenda = AgendaItem.objects.filter(meeting__committee=committee).exclude(
        meeting__status=MeetingStatus.CANCELLED
    )
    return (
        Case.objects.for_prefecture(committee.prefecture)
        .filter(kind=Kind.SUGGESTION, status=Status.FORWARDED_TO_COMMITTEE, committee_opinion__isnull=True)
        .exclude(pk__in=on_agenda.filter(case__isnull=False).values("case_id"))
        .order_by("received_on", "pk")
    )


@transaction.atomic
def agenda_add_suggestions(*, meeting):
    """Put every candidate suggestion on ``meeting``'s agenda. Returns the items added."""
    meeting = (
        Meeting.objects.select_for_update(of=("self",)).select_related("committee__prefecture").get(pk=meeting.pk)
    )
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError(_("Suggestions can only be put on the agenda of a planned meeting."))
    position = max(meeting.agenda_items.values_list("position", flat=True), default=0)
    added = []
    for case in suggestion_candidates(committee=meeting.committee):
        position += 1
        added.append(
            AgendaItem.objects.create(
                meeting=meeting,
                position=position,
                title=_("Suggestion %(reference)s: %(subject)s")
                % {"reference": case.reference, "subject": case.subject},
                case=case,
            )
        )
    return added


def document_prepare(*, document, upload, by=None):
    """Check ``upload`` (a PDF judged by its content, within the size limit), fill ``document``'s file fields
    and return the file to store: the sanitised copy (``qualipref.uploads.validate_upload``), not ``upload``."""
    stored = validate_upload(upload, allowed=("application/pdf",), max_bytes=MAX_DOCUMENT_BYTES)
    document.original_name = stored.safe_name
    document.size = stored.size
    document.sha256 = stored.sha256
    document.uploaded_by = by
    document.uploaded_at = timezone.now()
    return stored


@transaction.atomic
def document_add(*, meeting, upload, title, kind, agenda_item=None, by=None):
    document = Document(meeting=meeting, agenda_item=agenda_item, title=title, kind=kind)
    stored = document_prepare(document=document, upload=upload, by=by)
    document.file.save(stored.safe_name, stored, save=False)
    return document_save(document=document, by=by)


@transaction.atomic
def document_save(*, document, by=None):
    """Save ``document`` (new or edited); a new document is only stored once ``document_prepare`` checked its file.

    The admin's form checks the upload as it is cleaned (its refusal shows on the field) and saves here.
    """
    if document._state.adding and not (document.sha256 and document.size):
        raise ValidationError(_("The file was not checked: upload it again."), code="unchecked")
    if document.uploaded_by_id is None and by is not None:
        document.uploaded_by = by
    document.full_clean()
    document.save()
    return document


@transaction.atomic
def comment_post(*, agenda_item, user, body):
    """A member's comment on an item of their committee's agenda, before the meeting."""
    body = body.strip()
    if not body:
        raise ValidationError(_("The comment is empty."))
    meeting = agenda_item.meeting
    member = Member.objects.sitting().filter(committee_id=meeting.committee_id, user=user).first()
    if member is None:
        raise ValidationError(_("Only the members of this committee may comment on its agenda."))
    if not meeting.comments_open:
        raise ValidationError(_("Comments are closed: the meeting has started or was cancelled."))
    return Comment.objects.create(agenda_item=agenda_item, member=member, body=body)


# --- the committee's opinion on suggestions ----------------------------------------------------------------


def suggestion_opinion_committee(*, case):
    """The committee giving its opinion on ``case`` (its prefecture's); ``ValidationError`` when there is none."""
    committee = Committee.objects.filter(prefecture_id=case.prefecture_id).first()
    if committee is None:
        raise ValidationError(_("This prefecture has no users' committee yet."), code="no_committee")
    return committee


@transaction.atomic
def suggestion_opinion_record(*, case, verdict, text, meeting=None, by=None, opinion=None):
    """Record (or correct) the committee's opinion on a suggestion; the citizen reads it on their tracking page.

    The opinion's own checks (``SuggestionOpinion.clean``: a suggestion, of the committee's prefecture, at one
    of its meetings) run here whoever calls.

    ``opinion`` is the row being edited (the admin's); otherwise the suggestion's opinion, if any, is corrected.
    """
    committee = suggestion_opinion_committee(case=case)
    if opinion is None:
        opinion = SuggestionOpinion.objects.filter(case=case).first() or SuggestionOpinion()
    opinion.case = case
    opinion.committee, opinion.meeting, opinion.verdict, opinion.text = committee, meeting, verdict, text
    opinion.recorded_by, opinion.recorded_at = by, timezone.now()
    opinion.full_clean()
    opinion.save()
    return opinion


# --- improvement actions ------------------------------------------------------------------------------------


def _log(action, from_status, to_status, by=None, note=""):
    ActionTransition.objects.create(action=action, from_status=from_status, to_status=to_status, by=by, note=note)


def has_origin(*, cases=(), meeting=None, working_group=None, survey_question=""):
    return bool(cases) or meeting is not None or working_group is not None or bool(survey_question.strip())


def _no_origin_error():
    return ValidationError(
        _(
            "Say what raised this action: complaints or suggestions, a survey question, "
            "a committee meeting or a working group."
        ),
        code="no_origin",
    )


def _transition_rule_errors(to, *, outcome="", note=""):
    """What the move to ``to`` needs besides the workflow's leave, by form field (empty when all is there)."""
    errors = {}
    if to == ActionStatus.DONE and not (outcome or "").strip():
        errors["outcome"] = _("Describe the outcome (the measured effect) before marking the action done.")
    if to == ActionStatus.ABANDONED and not (note or "").strip():
        errors["transition_note"] = _("Say why the action is abandoned: the reason is kept.")
    return errors


def action_check(
    *,
    prefecture,
    origin_cases=(),
    origin_meeting=None,
    origin_working_group=None,
    origin_survey_question="",
    current=ActionStatus.PROPOSED,
    new_status="",
    outcome="",
    note="",
):
    """Raise ``ValidationError`` (by field) when an action so described may not be saved or moved to ``new_status``,
    ``qualipref.workflow.TransitionRefused`` when the workflow does not allow that move.

    ``action_save`` calls it; the admin's form calls it too, to show the refusal on the fields concerned.
    """
    if not has_origin(
        cases=origin_cases,
        meeting=origin_meeting,
        working_group=origin_working_group,
        survey_question=origin_survey_question or "",
    ):
        raise _no_origin_error()
    errors = {}
    foreign = [case.reference for case in origin_cases if prefecture and case.prefecture_id != prefecture.pk]
    if foreign:
        refs = ", ".join(foreign)
        errors["origin_cases"] = _("These cases belong to another prefecture: %(refs)s.") % {"refs": refs}
    if new_status:
        check_transition(current, new_status)
        errors |= _transition_rule_errors(new_status, outcome=outcome, note=note)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def action_create(
    *, prefecture, title, by=None, origin_cases=(), origin_meeting=None, origin_working_group=None, **fields
):
    """Record an improvement action with what raised it (at least one origin); it starts as proposed."""
    action = ImprovementAction(
        prefecture=prefecture,
        title=title,
        origin_meeting=origin_meeting,
        origin_working_group=origin_working_group,
        **fields,
    )
    return action_save(action=action, origin_cases=origin_cases, by=by)


@transaction.atomic
def action_save(*, action, origin_cases, by=None, new_status="", note=""):
    """Save ``action`` (new or edited) with its origins, then move it to ``new_status`` if given.

    A new action starts as proposed, and its creation is logged with ``by`` as author.
    """
    adding = action._state.adding
    current = ActionStatus.PROPOSED
    if not adding:
        current = (
            ImprovementAction.objects.select_for_update(of=("self",))
            .values_list("status", flat=True)
            .get(pk=action.pk)
        )
    origin_cases = list(origin_cases)
    action_check(
        prefecture=action.prefecture,
        origin_cases=origin_cases,
        origin_meeting=action.origin_meeting,
        origin_working_group=action.origin_working_group,
        origin_survey_question=action.origin_survey_question,
        current=current,
        new_status=new_status,
        outcome=action.outcome,
        note=note,
    )
    if adding:
        action.status = ActionStatus.PROPOSED
    action.full_clean()
    action.save()
    action.origin_cases.set(origin_cases)
    if adding:
        _log(action, "", action.status, by=by)
    if new_status:
        moved = action_transition(action=action, to=new_status, by=by, note=note)
        action.status, action.done_on = moved.status, moved.done_on
    return action


@transaction.atomic
def action_transition(*, action, to, by=None, note="", outcome=None):
    """Move ``action`` to status ``to`` if the workflow allows it, and log it.

    Raises ``qualipref.workflow.TransitionRefused`` when the workflow refuses the move; ``ValidationError`` when
    marking it done comes without its outcome (given here or already written) or abandoning it without a reason.
    The date it was done is kept.
    """
    action = ImprovementAction.objects.select_for_update(of=("self",)).select_related("prefecture").get(pk=action.pk)
    if outcome is not None:
        action.outcome = outcome
    to = check_transition(action.status, to)
    if errors := _transition_rule_errors(to, outcome=action.outcome, note=note):
        raise ValidationError(errors)
    fields = {"status"}
    if outcome is not None:
        fields.add("outcome")
    if to == ActionStatus.DONE:
        action.done_on = action.prefecture.today()
        fields.add("done_on")
    elif action.done_on:
        action.done_on = None
        fields.add("done_on")
    previous = action.status
    action.status = to
    action.save(update_fields=sorted(fields))
    _log(action, previous, to, by=by, note=note)
    return action
