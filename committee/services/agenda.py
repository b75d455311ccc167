"""A meeting's agenda, its documents and the members' comments on it."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.enums import Kind, Status
from complaints.models import Case
from qualipref.scoping import check_works_for
from qualipref.uploads import validate_upload

from ..enums import MeetingStatus
from ..models import AgendaItem, Comment, Document, Meeting, Member

MAX_DOCUMENT_BYTES = getattr(settings, "COMMITTEE_MAX_DOCUMENT_BYTES", 20 * 1024 * 1024)


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


@transaction.atomic
def agenda_item_save(*, item, by=None):
    """Save ``item`` (new or edited) on its meeting's agenda; returns it.

    Whoever calls: ``by`` works for the meeting's prefecture (``PermissionDenied``), an item stays on its meeting,
    and the suggestion it examines is one of the committee's own prefecture, forwarded to the committee when it
    is put on the agenda (``ValidationError``, by field).
    """
    meeting = Meeting.objects.select_related("committee").get(pk=item.meeting_id)
    prefecture_id = meeting.committee.prefecture_id
    check_works_for(by, prefecture_id)
    stored = AgendaItem.objects.select_for_update().filter(pk=item.pk).values("meeting_id", "case_id").first()
    if stored is not None and stored["meeting_id"] != item.meeting_id:
        raise ValidationError({"meeting": _("An agenda item stays on its meeting: add it to the other one.")})
    if item.case_id is not None and (stored is None or stored["case_id"] != item.case_id):
        case = Case.objects.get(pk=item.case_id)
        if case.prefecture_id != prefecture_id:
            raise ValidationError({"case": _("This suggestion was sent to another prefecture than this committee's.")})
        if case.kind != Kind.SUGGESTION or case.status != Status.FORWARDED_TO_COMMITTEE:
            raise ValidationError(
                {"case": _("Only a suggestion forwarded to the committee can be put on its agenda.")}
            )
    item.full_clean()
    item.save()
    return item


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
