"""The complaints' measures: answered on time or within N working days, mean answer time, satisfaction."""

from django.db.models import Count, ExpressionWrapper, F, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncDate, TruncMonth

from complaints.enums import Kind, Status
from complaints.models import Case

from ..calendar_table import ordinal
from .base import Measure
from .common import _decimal

SATISFIED_RATING = 4


class _CaseMeasure(Measure):
    model = Case
    date_field = "received_on"
    site_field = "site"

    def base(self, ctx, engagement):
        queryset = (
            Case.objects.for_prefecture(ctx.prefecture).filter(kind=Kind.COMPLAINT).exclude(status=Status.REJECTED)
        )
        if engagement.channel:
            queryset = queryset.filter(channel=engagement.channel)
        return queryset.annotate(answered_day=TruncDate("answered_at", tzinfo=ctx.tz))

    def condition(self, ctx, engagement, version):
        return Q(answered_at__isnull=False) | (Q(due_on__lt=ctx.today) & ~Q(status=Status.WAITING_CITIZEN))

    def hit(self, ctx, engagement, version, period=None):
        return Q(answered_at__isnull=False, answered_day__lte=F("due_on"))


class _WorkingDaysMixin:
    """Annotates ``duration``: the answer time in working days, through the calendar table.

    ``duration`` is NULL for an unanswered case; ``elapsed`` (working days since receipt) serves the cases
    still waiting. The engine groups by month, so each case's dates are looked up a few times per figure
    (once per aggregate referring to them), not once per period asked.
    """

    def base(self, ctx, engagement):
        from ..models import WorkingDay

        days = WorkingDay.objects.filter(subdivision=ctx.subdivision)
        return (
            super()
            .base(ctx, engagement)
            .annotate(
                received_ordinal=Subquery(days.filter(day=OuterRef("received_on")).values("ordinal")[:1]),
                answered_ordinal=Subquery(days.filter(day=OuterRef("answered_day")).values("ordinal")[:1]),
            )
            .annotate(
                duration=ExpressionWrapper(
                    F("answered_ordinal") - F("received_ordinal") - F("paused_working_days"),
                    output_field=IntegerField(),
                ),
                elapsed=ExpressionWrapper(
                    ordinal(ctx.today, ctx.subdivision) - F("received_ordinal") - F("paused_working_days"),
                    output_field=IntegerField(),
                ),
            )
        )


class CasesOnTime(_CaseMeasure):
    pass


class CasesWithinDays(_WorkingDaysMixin, _CaseMeasure):
    def condition(self, ctx, engagement, version):
        late_unanswered = Q(answered_at__isnull=True, elapsed__gt=version.deadline_working_days) & ~Q(
            status=Status.WAITING_CITIZEN
        )
        return Q(answered_at__isnull=False) | late_unanswered

    def hit(self, ctx, engagement, version, period=None):
        return Q(answered_at__isnull=False, duration__lte=version.deadline_working_days)


class CasesMeanDays(_WorkingDaysMixin, _CaseMeasure):
    kind = "mean"

    def condition(self, ctx, engagement, version):
        return Q(answered_at__isnull=False)

    def hit(self, ctx, engagement, version, period=None):
        return Q(answered_at__isnull=False)

    def aggregates_over(self, key, ctx, engagement, version, population):
        return {f"{key}_den": Count("pk", filter=population), f"{key}_num": Sum("duration", filter=population)}

    def figure(self, key, row):
        numerator, denominator = _decimal(row[f"{key}_num"]), _decimal(row[f"{key}_den"])
        return numerator, denominator, (numerator / denominator if denominator else None)


class AnswerSatisfaction(_CaseMeasure):
    date_field = "rated_at"

    def in_window(self, ctx, start, end):
        start, end = ctx.local_bounds(start, end)
        return Q(rated_at__gte=start, rated_at__lt=end)

    def month_of(self, ctx):
        return TruncMonth("rated_at", tzinfo=ctx.tz)

    def condition(self, ctx, engagement, version):
        return Q(rating__isnull=False)

    def hit(self, ctx, engagement, version, period=None):
        return Q(rating__gte=SATISFIED_RATING)
