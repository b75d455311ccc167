"""An officer told when a case arrives: each staff account that asked for it (``User.notify_new_cases``) gets one
e-mail per new case of its service — of its prefecture, for a quality officer — with the case's link in the
administration. Queued after the case commits (outside its reference's lock), through the outbox like every e-mail
(``qualipref.mail``): with the broker down, the sweep sends them later. A prefecture where nobody asked for it costs
one query per case."""

from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from qualipref.enums import Role
from qualipref.links import absolute_url
from qualipref.mail import email_queue
from qualipref.models import User

from .models import Case


def arrival_recipients(case):
    """The active staff accounts that asked to be told of ``case``: its prefecture's quality officers, and its
    service's agents."""
    officers = Q(memberships__prefecture_id=case.prefecture_id, memberships__role=Role.QUALITY_OFFICER)
    agents = Q(
        memberships__prefecture_id=case.prefecture_id,
        memberships__role=Role.SERVICE_AGENT,
        memberships__service_id=case.service_id,
    )
    return (
        User.objects.filter(is_active=True, is_staff=True, notify_new_cases=True)
        .exclude(email="")
        .filter(officers | agents if case.service_id else officers)
        .distinct()
        .order_by("pk")
    )


@transaction.atomic
def arrival_announce(*, case_id):
    """Queue the arrival e-mails of the case ``case_id`` (once it has committed); returns how many."""
    case = Case.objects.select_related("prefecture", "service").filter(pk=case_id).first()
    recipients = list(arrival_recipients(case)) if case is not None else []
    if not recipients:
        return 0
    url = absolute_url(reverse("admin:complaints_case_change", args=[case.pk]))
    for user in recipients:
        email_queue(
            to=user.email,
            template="complaints/emails/arrival",
            context={"case": case, "prefecture": case.prefecture, "url": url},
            purpose="case_arrival",
            prefecture=case.prefecture,
        )
    return len(recipients)
