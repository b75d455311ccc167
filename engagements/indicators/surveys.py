"""The surveys' measures: satisfaction of the published answers, surveys run with results published.

Which answers count and who is satisfied is the surveys' rule (``surveys.results``); the engine adds up its
counts by month and makes the share. The counts come from the answers' tally (``surveys.tally``, one row per
survey, question, point, month and value), so a figure costs the same at a million answers as at a thousand; the
drill-down still lists the answers themselves, the same ones.
"""

from django.db.models import F, Q

from qualipref.dates import month_start
from surveys.models import Answer, Survey
from surveys.results import RATED, SATISFIED, published_answers, published_tally, satisfaction_counts, whole_months

from .base import Measure


class SurveySatisfaction(Measure):
    model = Answer
    date_field = "submitted_on"
    site_field = "point__site"  # the tally's rows, as the answers' (``drilldown``)

    def base(self, ctx, engagement):
        return published_answers(ctx.prefecture).filter(RATED)

    def hit(self, ctx, engagement, version, period=None):
        return SATISFIED

    def monthly(self, ctx, engagement, start, end):
        """The tally's rows of the published satisfaction answers, by month (the engine asks whole months)."""
        if not whole_months(start, end):
            raise ValueError(f"the answers' tally counts whole months, not {start}–{end}")
        return (
            published_tally(ctx.prefecture)
            .filter(RATED, month__gte=month_start(start), month__lte=end)
            .annotate(_month=F("month"))
            .order_by()
        )

    def aggregates_over(self, key, ctx, engagement, version, population):
        counts = satisfaction_counts(population, tallied=True)
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
