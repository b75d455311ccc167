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


def arrival_recipients(case):
    """The addresses of the active staff accounts that asked to be told of ``case``: its prefecture's quality
    officers, and its service's agents. One query."""
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
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )


def arrival_announce(*, case):
    """Queue the arrival e-mails of ``case`` (once it has committed); returns how many. Nobody asked: one query."""
    recipients = list(arrival_recipients(case))
    if not recipients:
        return 0
    url = absolute_url(reverse("admin:complaints_case_change", args=[case.pk]))
    with transaction.atomic():
        for email in recipients:
            email_queue(
                to=email,
                template="complaints/emails/arrival",
                context={"case": case, "prefecture": case.prefecture, "url": url},
                purpose="case_arrival",
                prefecture=case.prefecture,
            )
    return len(recipients)
