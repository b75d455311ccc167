"""The right of access (GDPR art. 15): everything the officer's prefectures hold about one e-mail address.

What is exported, for each case filed with that address: the case as the person gave it and as the
prefecture recorded it (contact, request, dates, status, decision, rating), every message of the
thread — internal notes included, since the right of access covers all data about the person, notes
too (CNIL) — the names, types and sizes of the attachments (the files themselves are sent apart on
request) and the status history. Officers' identities are not exported: they are not the person's data.

Scoped with ``Case.objects.for_user``: an officer exports only their prefectures' cases (a service
agent only their service's). The address is never written to the logs.
"""

import logging

from django.db.models import Prefetch
from django.utils import timezone

from .models import Attachment, Case, Message, Transition

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1


def _case_data(case):
    return {
        "reference": case.reference,
        "prefecture": case.prefecture.name,
        "kind": case.kind,
        "channel": case.channel,
        "topic": case.topic.name if case.topic else None,
        "service": case.service.name if case.service else None,
        "site": case.site.name if case.site else None,
        "subject": case.subject,
        "description": case.description,
        "media_url": case.media_url or None,
        "name": case.name,
        "email": case.email,
        "phone": case.phone,
        "consent_given_at": case.consent_at,
        "received_on": case.received_on,
        "answer_due_on": case.due_on,
        "status": case.status,
        "status_label": str(case.citizen_status),
        "acknowledged_at": case.acknowledged_at,
        "answered_at": case.answered_at,
        "closed_at": case.closed_at,
        "rejection_reason": case.rejection_reason,
        "public_reply": case.public_reply,
        "rating": case.rating,
        "rating_comment": case.rating_comment,
        "rated_at": case.rated_at,
        "messages": [
            {"kind": message.kind, "written_at": message.created_at, "text": message.body}
            for message in case.messages.all()
        ],
        "attachments": [
            {
                "name": attachment.original_name,
                "type": attachment.content_type,
                "size_bytes": attachment.size,
                "uploaded_at": attachment.uploaded_at,
                "sent_by_the_person": attachment.uploaded_by_citizen,
            }
            for attachment in case.attachments.all()
        ],
        "status_history": [
            {"from": transition.from_status or None, "to": transition.to_status, "at": transition.at}
            for transition in case.transitions.all()
        ],
    }


def access_export(*, user, email):
    """What the prefectures of ``user`` hold about ``email``, as a JSON-ready dict (dates left as dates).

    Returns ``{"email", "generated_at", "cases": [...]}``; an empty ``cases`` means nothing is held.
    """
    email = email.strip().lower()
    cases = (
        Case.objects.for_user(user)
        .filter(email=email)
        .select_related("prefecture", "service", "site", "topic")
        .prefetch_related(
            Prefetch("messages", queryset=Message.objects.order_by("created_at", "pk")),
            Prefetch("attachments", queryset=Attachment.objects.order_by("uploaded_at", "pk")),
            Prefetch("transitions", queryset=Transition.objects.order_by("at", "pk")),
        )
        .order_by("received_on", "reference")
    )
    data = [_case_data(case) for case in cases]
    logger.info("right of access: user %s exported %s case(s)", user.pk, len(data))
    return {
        "format_version": FORMAT_VERSION,
        "email": email,
        "generated_at": timezone.now(),
        "cases": data,
    }
