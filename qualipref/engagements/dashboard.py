"""The officer's dashboard on the admin index: five queries whatever the number of prefectures and rows."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Min, Q

from committee.models import ImprovementAction, Meeting
from complaints.enums import Status
from complaints.models import Case

from ..models import Prefecture
from .models import MonthlyIndicator

ACTIONS_HORIZON = datetime.timedelta(days=30)
MAX_PREFECTURES = 120


@dataclass
class PrefectureBoard:
    prefecture: Prefecture
    today: datetime.date
    overdue_cases: int = 0
    at_risk: list = field(default_factory=list)
    actions_due: int = 0
    actions_overdue: int = 0
    next_meeting: datetime.date | None = None

    @property
    def next_audit(self):
        return self.prefecture.next_audit_on or self.prefecture.scheduled_next_audit(self.today)


def _per_prefecture(prefectures, build):
    """``Q(prefecture A & its condition) | Q(prefecture B & …)``: each prefecture judged by its own today."""
    condition = Q(pk__in=[])
    for prefecture, today in prefectures:
        condition |= build(prefecture, today)
    return condition


def officer_dashboard(user):
    """Boards of the user's prefectures, or ``[]`` for someone who works for none."""
    prefectures = list(Prefecture.objects.for_user(user).order_by("department_code")[:MAX_PREFECTURES])
    if not prefectures:
        return []
    boards = {p.pk: PrefectureBoard(prefecture=p, today=p.today()) for p in prefectures}
    days = [(p, boards[p.pk].today) for p in prefectures]

    overdue = (
        Case.objects.for_user(user)
        .open()
        .exclude(status=Status.WAITING_CITIZEN)
        .filter(_per_prefecture(days, lambda p, today: Q(prefecture=p, due_on__lt=today)))
        .values("prefecture")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in overdue:
        boards[row["prefecture"]].overdue_cases = row["n"]

    at_risk = (
        MonthlyIndicator.objects.filter(met=False)
        .filter(_per_prefecture(days, lambda p, today: Q(prefecture=p, month=today.replace(day=1))))
        .select_related("engagement", "version")
        .order_by("engagement__position")
    )
    for figure in at_risk:
        boards[figure.prefecture_id].at_risk.append(figure)

    actions = (
        ImprovementAction.objects.open()
        .filter(_per_prefecture(days, lambda p, today: Q(prefecture=p, due_on__lte=today + ACTIONS_HORIZON)))
        .values("prefecture")
        .annotate(
            due=Count("pk"),
            overdue=Count("pk", filter=_per_prefecture(days, lambda p, today: Q(prefecture=p, due_on__lt=today))),
        )
        .order_by()
    )
    for row in actions:
        boards[row["prefecture"]].actions_due = row["due"]
        boards[row["prefecture"]].actions_overdue = row["overdue"]

    meetings = (
        Meeting.objects.upcoming(min(today for _p, today in days))
        .filter(_per_prefecture(days, lambda p, today: Q(committee__prefecture=p, date__gte=today)))
        .values("committee__prefecture")
        .annotate(next=Min("date"))
        .order_by()
    )
    for row in meetings:
        boards[row["committee__prefecture"]].next_meeting = row["next"]

    return list(boards.values())
