"""The officer's dashboard on the admin index: five queries whatever the number of prefectures and rows.

Every figure links to the admin list of exactly the rows it counts: the list's filters are the same querysets
(``Case.objects.overdue()``, ``ImprovementAction.objects.due_soon()``…) the figure is counted with.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils.http import urlencode

from committee.enums import MeetingStatus
from committee.models import ImprovementAction, Meeting
from complaints.models import Case
from qualipref.calendar import before_local_today
from qualipref.models import Prefecture

from .models import MonthlyIndicator

MAX_PREFECTURES = 120


def _changelist(name, **filters):
    return f"{reverse(f'admin:{name}_changelist')}?{urlencode(filters)}"


@dataclass
class PrefectureBoard:
    prefecture: Prefecture
    today: datetime.date
    overdue_cases: int = 0
    at_risk: list = field(default_factory=list)
    actions_due: int = 0
    actions_overdue: int = 0
    next_meeting: datetime.date | None = None
    next_meeting_committee: int | None = None

    @property
    def next_audit(self):
        return self.prefecture.next_audit_on or self.prefecture.scheduled_next_audit(self.today)

    # The lists behind the figures: the same filters as the counts, for this prefecture alone.

    @property
    def overdue_cases_url(self):
        return _changelist("complaints_case", prefecture__id__exact=self.prefecture.pk, overdue="yes")

    @property
    def at_risk_url(self):
        return _changelist(
            "engagements_monthlyindicator",
            prefecture__id__exact=self.prefecture.pk,
            met__exact=0,
            month=self.today.replace(day=1).isoformat(),
        )

    @property
    def actions_due_url(self):
        return _changelist("committee_improvementaction", prefecture__id__exact=self.prefecture.pk, overdue="soon")

    @property
    def actions_overdue_url(self):
        return _changelist("committee_improvementaction", prefecture__id__exact=self.prefecture.pk, overdue="yes")

    @property
    def next_meeting_url(self):
        if self.next_meeting is None:
            return None
        return _changelist(
            "committee_meeting",
            committee__id__exact=self.next_meeting_committee,
            status__exact=MeetingStatus.PLANNED,
            date=self.next_meeting.isoformat(),
        )

    @property
    def next_audit_url(self):
        return reverse("admin:qualipref_prefecture_change", args=[self.prefecture.pk])


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
        .overdue()
        .filter(prefecture__in=prefectures)
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
        ImprovementAction.objects.for_user(user)
        .due_soon()
        .filter(prefecture__in=prefectures)
        .values("prefecture")
        .annotate(due=Count("pk"), overdue=Count("pk", filter=before_local_today("due_on")))
        .order_by()
    )
    for row in actions:
        boards[row["prefecture"]].actions_due = row["due"]
        boards[row["prefecture"]].actions_overdue = row["overdue"]

    meetings = (
        Meeting.objects.upcoming(min(today for _p, today in days))
        .filter(_per_prefecture(days, lambda p, today: Q(committee__prefecture=p, date__gte=today)))
        .values("committee__prefecture", "committee")
        .annotate(next=Min("date"))
        .order_by()
    )
    for row in meetings:
        board = boards[row["committee__prefecture"]]
        board.next_meeting, board.next_meeting_committee = row["next"], row["committee"]

    return list(boards.values())
