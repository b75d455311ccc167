"""An officer told when a case arrives: each staff account that asked for it (``User.notify_new_cases``) gets one
e-mail per new case of its service — of its prefecture, for a quality officer — with the case's link in the
administration. Queued after the case commits (outside its reference's lock), through the outbox like every e-mail
(``qualipref.mail``): with the broker down, the sweep sends them later.

Once a new case commits, one task (``complaints.tasks.case_arrived``) sends its acknowledgement and looks for
the officers to tell, in the worker: the citizen's request pays one message to the broker, not a query and
a second message. A prefecture where nobody asked for it costs the worker one query per case."""

import logging

from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from qualipref.enums import Role
from qualipref.links import absolute_url
from qualipref.mail import email_dispatch, email_queue, email_send
from qualipref.models import User

from .models import Case

logger = logging.getLogger(__name__)


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


def case_arrived_dispatch(*, case, email_ids):
    """Call once ``case`` has committed: queue the task that sends its e-mails ``email_ids`` (its acknowledgement)
    and announces its arrival. With the broker down, the arrivals are queued here and the sweep sends every
    e-mail later: nothing is lost."""
    from .tasks import case_arrived

    try:
        case_arrived.delay(case.pk, list(email_ids))
    except Exception:  # the broker may be down
        logger.warning("arrivals: could not enqueue case %s, the sweep will send its e-mails", case.pk, exc_info=True)
        arrival_announce(case=case)


def case_arrived_run(*, case_id, email_ids):
    """The task's work: send the case's e-mails (a failed one is retried by its own task, with a back-off), then
    queue the arrival e-mails. Returns how many officers are told (0 if the case is gone)."""
    for email_id in email_ids:
        try:
            email_send(email_id=email_id)
        except Exception:  # recorded on its row; its own task tries again later
            email_dispatch(email_id)
    case = Case.objects.select_related("prefecture", "service").filter(pk=case_id).first()
    return arrival_announce(case=case) if case is not None else 0
