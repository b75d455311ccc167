"""Reminders before a document of the evidence library lapses: its prefecture's quality officers are e-mailed
``EVIDENCE_REMINDER_DAYS`` days before its "valid until" date, then once more the day after it, when it has lapsed.

Each reminder is recorded (``DocumentReminder``) once per version of the document and kind: the daily job may run
twice, or be late, and never sends one twice; a new version (a renewed poster, this year's training record) starts
afresh. "Today" is each prefecture's own (La Réunion is ahead of Paris, the Antilles behind).
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse

from qualipref.enums import Role
from qualipref.links import absolute_url
from qualipref.mail import email_queue
from qualipref.models import User

from .enums import ReminderKind, Validity
from .models import Document, DocumentReminder, prefecture_todays, validity_condition


def _days(days):
    return settings.EVIDENCE_REMINDER_DAYS if days is None else days


def reminder_kind(valid_until, today, days=None):
    """The reminder a document valid until ``valid_until`` is due on ``today``: lapsed, lapsing soon, or none."""
    if valid_until is None:
        return None
    if valid_until < today:
        return ReminderKind.LAPSED
    if valid_until <= today + datetime.timedelta(days=_days(days)):
        return ReminderKind.LAPSING
    return None


def reminders_due(*, days=None):
    """``[(document id, kind)]``: the reminders due today and not yet sent for the documents' current versions.

    Prefectures on the same day share one condition, so the query has a term or two per time zone, not one per
    prefecture.
    """
    todays = prefecture_todays()
    lapsed = validity_condition(Validity.LAPSED, todays, days)
    lapsing = validity_condition(Validity.LAPSING, todays, days)

    def sent(kind):
        return Exists(DocumentReminder.objects.filter(version_id=OuterRef("current_version_id"), kind=kind))

    documents = Document.objects.filter(current_version__isnull=False).order_by("pk")
    due = [
        (pk, ReminderKind.LAPSED)
        for pk in documents.filter(lapsed).exclude(sent(ReminderKind.LAPSED)).values_list("pk", flat=True)
    ]
    due += [
        (pk, ReminderKind.LAPSING)
        for pk in documents.filter(lapsing).exclude(sent(ReminderKind.LAPSING)).values_list("pk", flat=True)
    ]
    return due


def officers_emails(prefecture):
    """The addresses of ``prefecture``'s active quality officers."""
    return list(
        User.objects.filter(is_active=True, memberships__prefecture=prefecture, memberships__role=Role.QUALITY_OFFICER)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )


@transaction.atomic
def reminder_send(*, document_id, kind, today=None, days=None):
    """E-mail ``document_id``'s reminder of ``kind`` to its prefecture's quality officers, if it is due and was not
    sent for the document's current version. Returns whether it was sent.

    Safe to run twice and concurrently: the document's row is locked and the reminder recorded with the e-mails
    (a constraint allows one per version and kind).
    """
    locked = Document.objects.select_for_update().filter(pk=document_id).values_list("pk", flat=True).first()
    if locked is None:
        return False
    document = Document.objects.select_related("prefecture", "current_version").get(pk=document_id)
    version = document.current_version
    if version is None:
        return False
    today = today or document.prefecture.today()
    if reminder_kind(document.valid_until, today, days) != kind:
        return False
    if DocumentReminder.objects.filter(version=version, kind=kind).exists():
        return False
    recipients = officers_emails(document.prefecture)
    if not recipients:
        return False  # nobody to tell: tried again tomorrow, once the prefecture has an officer
    DocumentReminder.objects.create(
        version=version, kind=kind, valid_until=document.valid_until, recipients=len(recipients)
    )
    context = {
        "document": document,
        "version": version,
        "prefecture": document.prefecture,
        "lapsed": kind == ReminderKind.LAPSED,
        "days_left": (document.valid_until - today).days,
        "url": absolute_url(reverse("admin:evidence_document_change", args=[document.pk])),
    }
    for to in recipients:
        email_queue(
            to=to,
            template="evidence/emails/reminder",
            context=context,
            purpose="evidence_reminder",
            prefecture=document.prefecture,
        )
    return True
