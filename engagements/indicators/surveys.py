"""The surveys' measures: satisfaction of the published answers, surveys run with results published.

Which answers count and who is satisfied is the surveys' rule (``surveys.results``); the engine adds up its
counts by month and makes the share.
"""

from django.db.models import Q

from surveys.models import Answer, Survey
from surveys.results import RATED, SATISFIED, published_answers, satisfaction_counts

from .base import Measure


class SurveySatisfaction(Measure):
    model = Answer
    date_field = "submitted_on"

    def base(self, ctx, engagement):
        return published_answers(ctx.prefecture).filter(RATED)

    def hit(self, ctx, engagement, version, period=None):
        return SATISFIED

    def aggregates_over(self, key, ctx, engagement, version, population):
        counts = satisfaction_counts(population)
        return {f"{key}_den": counts["rated"], f"{key}_num": counts["satisfied"]}


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
