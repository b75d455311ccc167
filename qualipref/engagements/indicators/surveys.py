"""The surveys' measures: satisfaction of the published answers, surveys run with results published."""

from django.db.models import Q

from surveys.enums import SATISFIED_FROM, QuestionKind
from surveys.models import Answer, Survey

from .base import Measure


class SurveySatisfaction(Measure):
    model = Answer
    date_field = "submitted_on"

    def base(self, ctx, engagement):
        return (
            Answer.objects.published().for_prefecture(ctx.prefecture).filter(question__kind=QuestionKind.SATISFACTION)
        )

    def hit(self, ctx, engagement, version, period=None):
        return Q(value__gte=SATISFIED_FROM)


class SurveysPublished(Measure):
    """Surveys open at some point of the twelve months: a survey spans months, so one filter per period."""

    kind = "count"
    model = Survey
    rolling = True

    def base(self, ctx, engagement):
        return Survey.objects.for_prefecture(ctx.prefecture).visible()

    def in_window(self, ctx, start, end):
        return Q(opens_on__lte=end, closes_on__gte=start)

    def hit(self, ctx, engagement, version, period=None):
        return Q(results_public=True)
