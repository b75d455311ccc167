"""Writes on cases: keyword-only functions, one transaction each, every status change through the workflow."""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, router, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from qualipref.calendar import add_working_days, working_days_between
from qualipref.content_language import portal_language
from qualipref.enums import Role
from qualipref.mail import email_queue, email_render
from qualipref.models import User

from .answers import unfilled_placeholders_message
from .arrivals import case_arrived_dispatch
from .enums import Channel, Kind, MessageKind, Status
from .models import CASE_HISTORY, Attachment, Case, CaseSequence, Message, Transition
from .routing import routed_service
from .topics import topic_for
from .tracking_links import tracking_link_send, tracking_token_issue, tracking_url
from .workflow import FINAL_STATUSES, INITIAL_STATUS, check_transition

RATING_WINDOW = datetime.timedelta(days=30)
ACKNOWLEDGEMENT = "complaints/emails/acknowledgement"


# --- references and deadlines -------------------------------------------------------------------


def next_reference(*, prefecture, year):
    """``974-2026-000123``: the next number of the prefecture's year, with no gap and no duplicate.

    Must run inside the transaction that creates the case: the sequence row stays locked until
    it commits, so concurrent submissions queue here, and a rolled-back case gives its number back.
    """
    number = _sequence_increment(prefecture_id=prefecture.pk, year=year)
    if number is None:  # the year's first case: create its row, then count as any other
        try:
            with transaction.atomic():
                CaseSequence.objects.get_or_create(prefecture=prefecture, year=year)
        except IntegrityError:
            pass  # created concurrently by another submission: it exists now
        number = _sequence_increment(prefecture_id=prefecture.pk, year=year)
    return f"{prefecture.department_code}-{year}-{number:06d}"


def _sequence_increment(*, prefecture_id, year):
    """The row's next number in one statement (one round trip while the lock is held, instead of a lock, an
    update and a read); its UPDATE takes the row's lock until the commit. None if the row does not exist yet."""
    connection = connections[router.db_for_write(CaseSequence)]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(CaseSequence._meta.db_table)} SET {quote('last_number')} = {quote('last_number')} + 1 "
            f"WHERE {quote('prefecture_id')} = %s AND {quote('year')} = %s RETURNING {quote('last_number')}",
            [prefecture_id, year],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def due_date(*, prefecture, received_on, paused_working_days=0):
    return add_working_days(received_on, prefecture.answer_deadline_working_days + paused_working_days, prefecture)


# --- submission -------------------------------------------------------------------------------------


def _log(case, from_status, to_status, by=None, note=""):
    Transition.objects.create(case=case, from_status=from_status, to_status=to_status, by=by, note=note)


def attachment_add(*, case, upload, message=None, by_citizen=True):
    """Store privately the file ``qualipref.uploads.validate_upload`` returned (sanitised, with its fingerprint)."""
    attachment = Attachment(
        case=case,
        message=message,
        original_name=upload.safe_name,
        content_type=upload.detected_type,
        size=upload.size,
        sha256=upload.sha256,
        uploaded_by_citizen=by_citizen,
    )
    attachment.file.save(upload.safe_name, upload, save=False)
    attachment.save()
    return attachment


@transaction.atomic
def case_submit(*, prefecture, data, files=(), by=None, received_on=None, case=None, acknowledge=True):
    """Record a case filed online by a citizen (``by`` is None) or entered by an officer.

    ``data`` holds the cleaned form fields; its ``topic`` may be a ``Topic`` of the prefecture, a topic's code
    (``"counter"``), or missing (the prefecture's "other" topic: ``topics.topic_for``). Officers entering a letter,
    e-mail, phone call or counter visit give its real ``received_on``: the deadline counts from there. ``case`` is
    an unsaved ``Case`` to fill and save (the admin's own object) instead of a new one. Returns ``(case, token)``;
    the acknowledgement e-mail leaves after the commit, unless ``acknowledge`` is false (the mailbox intake's limit
    per sender, ``complaints.mailbox.intake``).
    """
    now = timezone.now()
    received_on = received_on or timezone.localdate(now, timezone=prefecture.tzinfo)
    kind = Kind(data["kind"])
    status = INITIAL_STATUS[kind]
    case = case if case is not None else Case()
    topic = topic_for(prefecture=prefecture, topic=data.get("topic"))
    fields = {
        "prefecture": prefecture,
        # The real reference is taken last (below): its row lock then lasts only until the commit,
        # not through the attachments' disk writes.
        "reference": f"tmp-{uuid.uuid4().hex[:16]}",
        "kind": kind,
        "channel": data.get("channel") or Channel.ONLINE,
        "topic": topic,
        # Not known to the citizen: the prefecture's routing rules choose it, if one matches.
        "service": data.get("service") or routed_service(prefecture=prefecture, topic=topic, site=data.get("site")),
        "site": data.get("site"),
        "subject": data["subject"],
        "description": data["description"],
        "media_url": data.get("media_url") or "",
        "name": data.get("name", ""),
        "email": (data.get("email") or "").lower(),
        "phone": data.get("phone", ""),
        "consent_at": now if data.get("consent") else None,
        "status": status,
        "received_on": received_on,
        "due_on": due_date(prefecture=prefecture, received_on=received_on),
        "created_at": now,
        "language": data.get("language") or (portal_language() if by is None else settings.LANGUAGE_CODE),
        # The citizen logged in with FranceConnect who filed it online, if any: their space lists it.
        "citizen": data.get("citizen") if by is None else None,
    }
    for name, value in fields.items():
        setattr(case, name, value)
    if by is not None:
        case._history_user = by  # the officer who entered it, whoever calls (admin, import, shell)
    # Its history's "created" row is written once the real reference is known (below): one row, not two.
    case.skip_history_when_saving = True
    try:
        case.save(force_insert=True)
    finally:
        del case.skip_history_when_saving
    _log(case, "", status, by=by)
    for upload in files:
        attachment_add(case=case, upload=upload, by_citizen=by is None)
    token = tracking_token_issue(case=case, new_case=True)
    acknowledgement = {"case": case, "tracking_url": tracking_url(token, case.language), "prefecture": prefecture}
    placeholder = case.reference
    # Rendered before the reference is taken, so that the other submissions do not wait for its three templates
    # on the sequence's lock (which lasts from next_reference to the commit).
    early = (
        email_render(template=ACKNOWLEDGEMENT, context=acknowledgement, prefecture=prefecture, language=case.language)
        if case.email and acknowledge
        else None
    )
    case.reference = next_reference(prefecture=prefecture, year=received_on.year)
    Case.objects.filter(pk=case.pk).update(reference=case.reference)
    CASE_HISTORY.create_historical_record(case, "+")
    email_ids = []
    if case.email and acknowledge:
        acknowledgement_email = email_queue(
            to=case.email,
            template=ACKNOWLEDGEMENT,
            context=acknowledgement,
            rendered=_with_reference(early, placeholder, case.reference),
            purpose="acknowledgement",
            prefecture=prefecture,
            dispatch=False,
        )
        email_ids.append(acknowledgement_email.pk)
    # One task once the case commits: the acknowledgement leaves, and the officers who asked for it are told,
    # outside the reference's lock and the citizen's request.
    transaction.on_commit(lambda: case_arrived_dispatch(case=case, email_ids=email_ids))
    return case, token


def _with_reference(rendered, placeholder, reference):
    """``rendered`` (an e-mail's subject, text and HTML) as if rendered with ``reference``: the placeholder (the
    case's temporary reference, random and unique) is written as is in text and HTML (letters, digits, hyphens),
    and so is the real one. None (render again, with the real reference) if a part does not show it as is."""
    if not placeholder.startswith("tmp-") or not all(placeholder in part for part in rendered):
        return None
    return tuple(part.replace(placeholder, reference) for part in rendered)


def case_enter(*, data, by, case=None):
    """Record a case an officer received by letter, e-mail, phone or at the counter (``data``: ``ENTRY_FIELDS``).

    The same path as an online submission (reference, history, acknowledgement e-mail), with the
    real date of receipt. Returns ``(case, token)``.
    """
    return case_submit(prefecture=data["prefecture"], data=data, by=by, received_on=data["received_on"], case=case)


# --- the officer's side -----------------------------------------------------------------------------

# What an officer may change on a case directly: how it is sorted. Everything the citizen wrote stays
# as written; status, assignment and (once set) the service change through the workflow.
SORTING_FIELDS = ("topic", "site", "service")


@transaction.atomic
def case_sort(*, case, by, fields):
    """Save the sorting ``fields`` (names among ``SORTING_FIELDS``) already set on ``case``, in its history."""
    fields = [name for name in SORTING_FIELDS if name in fields]  # keeps the order, drops duplicates
    if not fields:
        return case
    stored = Case.objects.select_for_update().values("service_id", "prefecture_id").get(pk=case.pk)
    if "service" in fields and stored["service_id"] is not None and case.service_id != stored["service_id"]:
        raise ValidationError(_("A case changes service by a transfer, which is kept in its history."))
    for name in ("service", "site", "topic"):
        related = getattr(case, name) if name in fields else None
        if related is not None and related.prefecture_id != stored["prefecture_id"]:
            raise ValidationError(_("Choose one of the prefecture's own."))
    case._history_user = by
    case.save(update_fields=fields)
    return case


def case_transition(*, case, to, by=None, note=""):
    """Move ``case`` to status ``to`` if the workflow allows it, and log it.

    Raises ``qualipref.workflow.TransitionRefused`` when the workflow refuses the change, ``ValidationError``
    when a rejection comes without its reason.

    "Answered" and "waiting for the citizen" are refused here: only ``case_answer`` reaches them,
    with the message, the e-mail and the answer date that they stand for.
    """
    return _transition(case=case, to=to, by=by, note=note)


@transaction.atomic
def _transition(*, case, to, by=None, note="", by_answer=False):
    case = Case.objects.select_for_update().get(pk=case.pk)
    check_transition(case, to, by_answer=by_answer)
    to = Status(to)
    if to == Status.REJECTED and not note.strip():
        raise ValidationError(_("Say why the case is rejected (spam, out of scope…): the reason is kept."))
    now = timezone.now()
    today = case.prefecture.today()
    previous = case.status
    fields = {"status"}
    if previous == Status.WAITING_CITIZEN:
        _resume_clock(case, today)
        fields |= {"paused_working_days", "waiting_since", "due_on"}
    if to == Status.WAITING_CITIZEN:
        case.waiting_since = today
        fields.add("waiting_since")
    if to == Status.ACKNOWLEDGED and not case.acknowledged_at:
        case.acknowledged_at = now
        fields.add("acknowledged_at")
    if to == Status.REJECTED:
        case.rejection_reason = note
        fields.add("rejection_reason")
    if to in FINAL_STATUSES:
        case.closed_at = now
        fields.add("closed_at")
    elif case.closed_at:
        case.closed_at = None
        fields.add("closed_at")
    case.status = to
    case.save(update_fields=sorted(fields))
    _log(case, previous, to, by=by, note=note)
    return case


def _resume_clock(case, today):
    """The clock stopped while the case waited for the citizen: push the due date by that time."""
    if case.waiting_since:
        case.paused_working_days += working_days_between(case.waiting_since, today, case.prefecture)
    case.waiting_since = None
    case.due_on = due_date(
        prefecture=case.prefecture, received_on=case.received_on, paused_working_days=case.paused_working_days
    )


@transaction.atomic
def case_answer(*, case, by, text, final=True):
    """Send the prefecture's answer: a public message, the case answered (or waiting for the citizen
    when ``final`` is False and the answer asks a question), and an e-mail with a link to read it."""
    if not text.strip():
        raise ValidationError(_("The answer is empty."))
    if refusal := unfilled_placeholders_message(text):
        raise ValidationError(refusal)
    target = Status.ANSWERED if final else Status.WAITING_CITIZEN
    if case.kind == Kind.SUGGESTION:
        raise ValidationError(_("A suggestion gets a public reply with its decision, not an answer."))
    case = _transition(case=case, to=target, by=by, by_answer=True)
    Message.objects.create(case=case, kind=MessageKind.ANSWER if final else MessageKind.REQUEST, author=by, body=text)
    if final:
        case.answered_at = timezone.now()
        case.save(update_fields=["answered_at"])
    tracking_link_send(case, "complaints/emails/answer", "answer" if final else "request")
    return case


@transaction.atomic
def suggestion_decide(*, case, by, to, public_reply=""):
    """Forward a suggestion to the committee, accept or decline it, with an optional public reply."""
    case = case_transition(case=case, to=to, by=by)
    if public_reply.strip():
        case.public_reply = public_reply
        case.save(update_fields=["public_reply"])
        Message.objects.create(case=case, kind=MessageKind.ANSWER, author=by, body=public_reply)
        tracking_link_send(case, "complaints/emails/answer", "suggestion_reply")
    return case


@transaction.atomic
def case_note(*, case, by, text):
    return Message.objects.create(case=case, kind=MessageKind.NOTE, author=by, body=text)


def assignable_users(case):
    """Who may handle ``case``: the prefecture's quality officers, and the agents of the case's service."""
    in_prefecture = Q(memberships__prefecture_id=case.prefecture_id)
    officers = Q(memberships__role=Role.QUALITY_OFFICER)
    agents = Q(memberships__role=Role.SERVICE_AGENT, memberships__service_id=case.service_id)
    people = User.objects.filter(is_active=True, is_staff=True)
    if case.service_id:
        people = people.filter(in_prefecture & (officers | agents))
    else:
        people = people.filter(in_prefecture & officers)
    return people.distinct().order_by("last_name", "first_name", "email")


@transaction.atomic
def case_assign(*, case, to, by):
    """Give ``case`` to ``to`` (or to nobody): only someone who may handle it (``assignable_users``)."""
    if to is not None and not assignable_users(case).filter(pk=to.pk).exists():
        raise ValidationError(
            _(
                "%(person)s cannot handle this case: only the prefecture's quality officers "
                "and the agents of its service can."
            )
            % {"person": to}
        )
    case.assignee = to
    case.save(update_fields=["assignee"])
    return case


def transfer_destination_check(*, case, service=None, prefecture=None):
    """Refuse (``ValidationError``) a transfer going nowhere new: exactly one of another active service
    of the case's prefecture, or another prefecture."""
    if service is not None and prefecture is not None:
        raise ValidationError(_("Choose either a service of this prefecture or another prefecture."))
    if prefecture is not None:
        if prefecture.pk == case.prefecture_id:
            raise ValidationError(_("Choose where the case goes."))
    elif service is None or service.pk == case.service_id:
        raise ValidationError(_("Choose where the case goes."))
    elif service.prefecture_id != case.prefecture_id or not service.is_active:
        raise ValidationError(_("Choose one of the prefecture's active services."))


@transaction.atomic
def case_transfer(*, case, by, service=None, prefecture=None, note=""):
    """Hand the case to another service or prefecture, which then owns it (and its deadline stays).

    Raises ``ValidationError`` if the destination is not one (``transfer_destination_check``),
    ``qualipref.workflow.TransitionRefused`` if the case cannot be transferred in its status.
    """
    transfer_destination_check(case=case, service=service, prefecture=prefecture)
    case = case_transition(case=case, to=Status.TRANSFERRED, by=by, note=note)
    if prefecture is not None and prefecture != case.prefecture:
        case.prefecture = prefecture
        case.service = service if service and service.prefecture_id == prefecture.pk else None
        case.site = None
    elif service is not None:
        case.service = service
    case.assignee = None
    case.save(update_fields=["prefecture", "service", "site", "assignee"])
    return case


# --- the citizen's side, through the tracking link ---------------------------------------------------


# A complaint closed or rejected may be reopened by its citizen for a while; a suggestion's decision is final.
REOPENABLE = frozenset({Status.CLOSED, Status.REJECTED})


def reopen_until(case):
    """The last day (in the prefecture's calendar) on which the citizen may reopen a closed or rejected complaint
    by writing again, or None when it cannot be (still open, a suggestion, or ``reopen_days`` set to 0)."""
    days = case.prefecture.reopen_days
    if case.kind != Kind.COMPLAINT or case.status not in REOPENABLE or case.closed_at is None or not days:
        return None
    return timezone.localtime(case.closed_at, case.prefecture.tzinfo).date() + datetime.timedelta(days=days)


def can_reopen(case):
    until = reopen_until(case)
    return until is not None and case.prefecture.today() <= until


def can_reply(case):
    """Whether the citizen may write on the tracking page: an open case, an answered one, or a closed or
    rejected one within its reopening period (which reopens it)."""
    return case.is_open or case.status == Status.ANSWERED or can_reopen(case)


@transaction.atomic
def case_citizen_reply(*, case, text, files=()):
    """The citizen adds a message or a document; a case waiting for them starts again; an answered case, or a
    closed or rejected one within the prefecture's reopening period, is reopened."""
    case = Case.objects.select_for_update().select_related("prefecture").get(pk=case.pk)
    if not can_reply(case):
        raise ValidationError(_("This case is closed: to raise something new, please file a new request."))
    message = Message.objects.create(case=case, kind=MessageKind.CITIZEN, body=text)
    for upload in files:
        attachment_add(case=case, upload=upload, message=message)
    if case.status == Status.WAITING_CITIZEN:
        case_transition(case=case, to=Status.IN_PROGRESS, note=_("The citizen replied."))
    elif case.status == Status.ANSWERED:
        case_transition(case=case, to=Status.REOPENED, note=_("The citizen replied to the answer."))
    elif case.status in REOPENABLE:
        case_transition(case=case, to=Status.REOPENED, note=_("The citizen reopened the case by writing again."))
    return message


def can_rate(case, now=None):
    now = now or timezone.now()
    return (
        case.kind == Kind.COMPLAINT
        and case.answered_at is not None
        and case.rated_at is None
        and now - case.answered_at <= RATING_WINDOW
    )


@transaction.atomic
def case_rate(*, case, rating, comment=""):
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not can_rate(case):
        raise ValidationError(_("The answer can be rated once, within 30 days."))
    case.rating, case.rating_comment, case.rated_at = rating, comment, timezone.now()
    case.save(update_fields=["rating", "rating_comment", "rated_at"])
    return case
