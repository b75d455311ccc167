"""The committee's measures: meetings held, improvement actions done."""

from django.db.models import Q

from committee.enums import ActionStatus, MeetingStatus
from committee.models import ImprovementAction, Meeting

from .base import Measure


class CommitteeMeetings(Measure):
    kind = "count"
    model = Meeting
    date_field = "date"
    rolling = True

    def base(self, ctx, engagement):
        return Meeting.objects.filter(committee__prefecture=ctx.prefecture).exclude(status=MeetingStatus.CANCELLED)

    def hit(self, ctx, engagement, version, period=None):
        return Q(status=MeetingStatus.HELD)


class ActionsDone(Measure):
    model = ImprovementAction
    date_field = "due_on"

    def base(self, ctx, engagement):
        return ImprovementAction.objects.for_prefecture(ctx.prefecture).exclude(status=ActionStatus.ABANDONED)

    def hit(self, ctx, engagement, version, period=None):
        return Q(status=ActionStatus.DONE)
