"""The report's committee section: meetings, attendance, opinions, and the improvement actions."""

from django.db.models import Count, F, Q

from committee.enums import OPEN_ACTION_STATUSES, ActionStatus, Attendance, MeetingStatus, Verdict
from committee.models import ImprovementAction, Invitation, Meeting, SuggestionOpinion

from .common import TOP, _choice_label, _share


def _committee(prefecture, period, ctx):
    in_period = Q(date__gte=period.start, date__lte=period.end)
    meetings = Meeting.objects.for_prefecture(prefecture)
    by_status = dict(
        meetings.filter(in_period).values("status").annotate(n=Count("pk")).values_list("status", "n").order_by()
    )
    held = list(
        meetings.filter(in_period, status=MeetingStatus.HELD)
        .annotate(
            invited=Count("invitations"),
            present=Count("invitations", filter=Q(invitations__attendance=Attendance.PRESENT)),
        )
        .order_by("date")
        .values("title", "date", "invited", "present", working_group_theme=F("working_group__theme"))[: TOP + 2]
    )
    attendance = Invitation.objects.filter(
        meeting__in=meetings.filter(in_period, status=MeetingStatus.HELD)
    ).aggregate(
        invited=Count("pk"),
        present=Count("pk", filter=Q(attendance=Attendance.PRESENT)),
        excused=Count("pk", filter=Q(attendance=Attendance.EXCUSED)),
        recorded=Count("pk", filter=~Q(attendance=Attendance.UNKNOWN)),
    )
    start, end = ctx.local_bounds(period.start, period.end)
    opinions = SuggestionOpinion.objects.for_prefecture(prefecture).filter(recorded_at__gte=start, recorded_at__lt=end)
    verdicts = dict(opinions.values("verdict").annotate(n=Count("pk")).values_list("verdict", "n").order_by())
    latest = list(
        opinions.order_by("-recorded_at").values(
            "verdict", "recorded_at", reference=F("case__reference"), subject=F("case__subject")
        )[:TOP]
    )
    for opinion in latest:
        opinion["verdict_display"] = _choice_label(Verdict)(opinion["verdict"])
    return {
        "held": by_status.get(MeetingStatus.HELD, 0),
        "planned": by_status.get(MeetingStatus.PLANNED, 0),
        "cancelled": by_status.get(MeetingStatus.CANCELLED, 0),
        "meetings": held,
        "attendance": {**attendance, "share": _share(attendance["present"], attendance["recorded"])},
        "opinions": [{"label": label, "count": verdicts.get(value, 0)} for value, label in Verdict.choices],
        "opinions_total": sum(verdicts.values()),
        "latest_opinions": latest,
    }


def _actions(prefecture, period, today):
    actions = ImprovementAction.objects.for_prefecture(prefecture)
    done_in_period = Q(status=ActionStatus.DONE, done_on__gte=period.start, done_on__lte=period.end)
    # Still open today although due by the period's end (and before today).
    overdue = Q(status__in=OPEN_ACTION_STATUSES, due_on__lte=period.end, due_on__lt=today)
    due_in_period = Q(due_on__gte=period.start, due_on__lte=period.end) & ~Q(status=ActionStatus.ABANDONED)
    counts = actions.aggregate(
        done=Count("pk", filter=done_in_period),
        overdue=Count("pk", filter=overdue),
        open=Count("pk", filter=Q(status__in=OPEN_ACTION_STATUSES)),
        due=Count("pk", filter=due_in_period),
        due_done=Count("pk", filter=due_in_period & Q(status=ActionStatus.DONE)),
    )
    columns = ("title", "due_on", "done_on", "status", "indicator")
    done = list(actions.filter(done_in_period).order_by("-done_on", "title").values(*columns)[:TOP])
    late = list(
        actions.filter(overdue).order_by("due_on", "title").values(*columns, service_name=F("service__name"))[:TOP]
    )
    for row in late:
        row["days_late"] = (today - row["due_on"]).days
        row["status_display"] = _choice_label(ActionStatus)(row["status"])
    return {
        **counts,
        "due_done_share": _share(counts["due_done"], counts["due"]),
        "done_list": done,
        "late_list": late,
    }
