"""E-mail intake: the messages of a prefecture's mailbox become cases, or messages in a case's thread.

Each message is imported in one transaction (``email_import``): the case (through ``case_submit``, the web form's own
service: reference, deadline, acknowledgement e-mail), its files through the upload checks, the refused ones listed,
and the message's Message-ID (``ImportedEmail``, unique per prefecture). Only after that commit is the message filed
in the "processed" or "refused" folder (``mailbox_fetch``): if the worker dies in between, the next run finds the
Message-ID already imported and only files it away. Nothing is lost, nothing is imported twice.
"""

import datetime
import logging
import re
from collections import Counter

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from qualipref.uploads import validate_upload

from ..enums import IMPORTED_OUTCOMES, Channel, DefaultTopic, EmailOutcome, Kind
from ..models import Case, ImportedEmail, Mailbox, RefusedAttachment
from ..services import can_reply, case_citizen_reply, case_submit
from .imap import MailboxError, folders_create, imap_session, message_fetch, message_move, message_uids
from .parsing import email_parse, portal_addresses

logger = logging.getLogger(__name__)

# A case's reference, as the acknowledgement and the tracking page write it: 974-2026-000123, 2A-2026-000001.
REFERENCE = re.compile(r"\b([0-9][0-9AB]{1,2}-[0-9]{4}-[0-9]{6})\b", re.IGNORECASE)
# Where the quoted earlier message starts in a reply: "Le 3 déc. 2026 à 10:02, X a écrit :", "On …, X wrote:",
# Outlook's separator.
QUOTE_START = re.compile(
    r"^\s*(?:(?:le|on)\b.{0,200}(?:a écrit|wrote)\s*:|-{2,}\s*(?:original message|message d.origine)\s*-{2,})\s*$",
    re.IGNORECASE | re.MULTILINE,
)
DESCRIPTION_MAX = 5000
SUBJECT_MAX = 200


def email_import(*, mailbox, raw, arrived_at=None, oversized=0):
    """Import one message of ``mailbox`` (``raw``: its bytes; ``arrived_at``: when the server received it), in one
    transaction, and return its ``ImportedEmail`` (the existing one if that Message-ID was imported already).

    ``oversized``: the size of a message too large to be read whole, of which ``raw`` holds the headers only.
    """
    prefecture = mailbox.prefecture
    incoming = email_parse(raw, own_addresses={mailbox.address, *portal_addresses()})
    existing = ImportedEmail.objects.filter(prefecture=prefecture, message_id=incoming.message_id).first()
    if existing is not None:
        return existing
    with translation.override(settings.LANGUAGE_CODE):  # the reasons and placeholders stored, in the portal's language
        accepted, refused = (
            ([], []) if incoming.ignored_because else _checked_files([] if oversized else incoming.files, oversized)
        )
        try:
            with transaction.atomic():
                return _record(prefecture, incoming, arrived_at, accepted, refused)
        except IntegrityError:
            # Imported meanwhile by another run (the unique Message-ID): its transaction won, ours left nothing.
            return ImportedEmail.objects.get(prefecture=prefecture, message_id=incoming.message_id)


def _record(prefecture, incoming, arrived_at, accepted, refused):
    outcome = incoming.ignored_because
    case = None if outcome else _case_replied_to(prefecture, incoming)
    outcome = outcome or (EmailOutcome.REPLY if case else EmailOutcome.CASE)
    # First, so that a concurrent import of the same message waits here, then fails on the unique constraint.
    record = ImportedEmail.objects.create(prefecture=prefecture, message_id=incoming.message_id, outcome=outcome)
    if outcome not in IMPORTED_OUTCOMES:
        logger.info("mailbox: message of prefecture %s ignored (%s)", prefecture.department_code, outcome)
        return record
    message = None
    if case is not None:
        message = case_citizen_reply(case=case, text=_reply_text(incoming.text) or _("(no text)"), files=accepted)
    else:
        case, _token = case_submit(
            prefecture=prefecture,
            data={
                "kind": Kind.COMPLAINT,
                "channel": Channel.EMAIL,
                "topic": DefaultTopic.OTHER,
                "subject": _cut(incoming.subject, SUBJECT_MAX) or _("(no subject)"),
                "description": _cut(incoming.text, DESCRIPTION_MAX) or _("(no text)"),
                "name": incoming.sender_name,
                "email": incoming.sender_address,
                "language": settings.LANGUAGE_CODE,
            },
            files=accepted,
            received_on=_received_on(incoming.sent_at, arrived_at, prefecture),
            acknowledge=_may_acknowledge(incoming.sender_address),
        )
    RefusedAttachment.objects.bulk_create(
        RefusedAttachment(case=case, message=message, name=name, size=size, reason=reason[:300])
        for name, size, reason in refused
    )
    record.case = case
    record.save(update_fields=["case"])
    logger.info("mailbox: message of prefecture %s imported (%s, case %s)", prefecture.department_code, outcome, case)
    return record


def _case_replied_to(prefecture, incoming):
    """The case a reply is about: its reference in the subject or the text, sent from the case's own address, and
    the case still open to the citizen's messages (else the message is a new case)."""
    if not incoming.sender_address:
        return None
    references = {match.upper() for match in REFERENCE.findall(f"{incoming.subject}\n{incoming.text}")}
    if not references:
        return None
    cases = Case.objects.filter(
        prefecture=prefecture, reference__in=references, email=incoming.sender_address, anonymised_at__isnull=True
    ).select_related("prefecture")
    return next((case for case in cases.order_by("-created_at") if can_reply(case)), None)


def _may_acknowledge(address):
    """Whether the case a message from ``address`` opens gets its acknowledgement e-mail: not when that address
    opened ``QUALIPREF_MAILBOX_ACKNOWLEDGEMENTS`` cases by e-mail or more in the last
    ``QUALIPREF_MAILBOX_ACKNOWLEDGEMENT_HOURS`` (acknowledged or not, so at most that many acknowledgements leave in
    any such window). The case is recorded all the same; only the e-mail is withheld."""
    if not address:
        return False
    since = timezone.now() - datetime.timedelta(hours=settings.QUALIPREF_MAILBOX_ACKNOWLEDGEMENT_HOURS)
    recent = Case.objects.filter(email=address.lower(), channel=Channel.EMAIL, created_at__gte=since)
    if recent[: settings.QUALIPREF_MAILBOX_ACKNOWLEDGEMENTS].count() < settings.QUALIPREF_MAILBOX_ACKNOWLEDGEMENTS:
        return True
    logger.info("mailbox: acknowledgement withheld, too many cases from one sender")
    return False


def _reply_text(text):
    """A reply's own words: what precedes the quoted earlier message, without quoted lines ("> …")."""
    start = QUOTE_START.search(text)
    own = text[: start.start()] if start else text
    own = "\n".join(line for line in own.split("\n") if not line.lstrip().startswith(">")).strip()
    return _cut(own or text, DESCRIPTION_MAX)


def _cut(text, limit):
    return text if len(text) <= limit else text[: limit - 4].rstrip() + " […]"


def _received_on(sent_at, arrived_at, prefecture):
    """The day the message was sent (its Date), in the prefecture's calendar; the day the server received it when
    the Date is missing or in the future."""
    now = timezone.now()
    moment = sent_at if sent_at is not None and sent_at <= now + datetime.timedelta(hours=1) else arrived_at
    return timezone.localdate(min(moment or now, now), timezone=prefecture.tzinfo)


def _checked_files(files, oversized):
    """``(accepted, refused)``: the files that pass the web form's checks (``validate_upload``, at most
    ``COMPLAINTS_MAX_ATTACHMENTS``), sanitised, and ``(name, size, reason)`` for the others."""
    accepted, refused = [], []
    if oversized:
        refused.append(
            (
                _("The whole message"),
                oversized,
                _("The message is larger than %(limit)s: its text and files were not read (see the mailbox).")
                % {"limit": filesizeformat(settings.QUALIPREF_MAILBOX_MAX_MESSAGE_BYTES)},
            )
        )
    for incoming in files:
        upload = SimpleUploadedFile(incoming.name, incoming.content, content_type=incoming.content_type)
        if len(accepted) >= settings.COMPLAINTS_MAX_ATTACHMENTS:
            reason = _("At most %(max)s files are kept with a case.") % {"max": settings.COMPLAINTS_MAX_ATTACHMENTS}
            refused.append((incoming.name, len(incoming.content), reason))
            continue
        try:
            accepted.append(validate_upload(upload))
        except ValidationError as error:
            refused.append((incoming.name, len(incoming.content), " ".join(error.messages)))
    return accepted, refused


# --- reading a mailbox -------------------------------------------------------------------------------------


def mailbox_fetch(*, mailbox, limit=None):
    """Import the messages waiting in ``mailbox``'s folder (at most ``limit``, ``QUALIPREF_MAILBOX_BATCH`` by
    default), each filed away once its import committed. Returns how many of each outcome (``Counter``), or None if
    another run is reading this mailbox. Raises ``MailboxError`` (or ``ImproperlyConfigured`` without its password)
    when the mailbox cannot be read, after noting it on the mailbox."""
    lock = f"complaints:mailbox-fetch:{mailbox.pk}"
    if not cache.add(lock, 1, timeout=settings.CELERY_TASK_TIME_LIMIT):
        return None
    try:
        counts = _fetch(mailbox, limit or settings.QUALIPREF_MAILBOX_BATCH)
    except (MailboxError, ImproperlyConfigured) as error:
        Mailbox.objects.filter(pk=mailbox.pk).update(last_fetched_at=timezone.now(), last_error=str(error)[:300])
        raise
    finally:
        cache.delete(lock)
    Mailbox.objects.filter(pk=mailbox.pk).update(last_fetched_at=timezone.now(), last_error="")
    return counts


def _fetch(mailbox, limit):
    counts = Counter()
    with imap_session(mailbox) as imap:
        folders_create(imap, mailbox.processed_folder, mailbox.refused_folder)
        for uid in message_uids(imap)[:limit]:
            size, arrived_at, raw = message_fetch(
                imap, uid, max_bytes=settings.QUALIPREF_MAILBOX_MAX_MESSAGE_BYTES, headers_if_larger=True
            )
            if raw is None:  # gone meanwhile (read by someone else)
                continue
            oversized = size if size > settings.QUALIPREF_MAILBOX_MAX_MESSAGE_BYTES else 0
            try:
                record = email_import(mailbox=mailbox, raw=raw, arrived_at=arrived_at, oversized=oversized)
            except Exception:
                # Left in the folder, tried again at the next run; the others go on.
                logger.exception("mailbox: a message of prefecture %s could not be imported", mailbox.prefecture_id)
                counts["left"] += 1
                continue
            folder = mailbox.processed_folder if record.outcome in IMPORTED_OUTCOMES else mailbox.refused_folder
            message_move(imap, uid, folder)
            counts[record.outcome] += 1
    return counts
