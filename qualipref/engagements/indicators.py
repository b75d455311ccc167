"""The indicator engine: each engagement's figure for a prefecture and a period, computed in SQL.

Every measure is a *population* (the records counted in the denominator, a queryset filter) and a
*hit* condition (those counted in the numerator). The figures are filtered aggregates over that
population — one query per engagement, grouped by month, whatever the number of periods asked at once
(the monthly materialisation asks 36 months in the same query, at the cost of one pass over the rows) —
and the drill-down is the same population, so that an auditor sees exactly the records behind a figure.

Definitions (each period is judged in the prefecture's time zone and calendar):

* cases are counted in the period of their *receipt*; rejected cases and suggestions are left out;
  a case transferred to another prefecture counts for the prefecture that owns it now;
* “answered by the due date”: among complaints that are *settled* — answered, or past their due date
  and not waiting for the citizen — the share answered on or before ``due_on`` (which already
  includes the clock stops);
* “answered within N working days” (letters, e-mails): the same with the answer time in working days
  (from receipt, excluded, to the answer's day, included, minus the days on hold) at most N;
* mean answer time: over the answered complaints, in working days (same definition);
* satisfaction with the answer: ratings given in the period, share of 4 and 5;
* survey satisfaction: answers to the published satisfaction questions sent in the period, share of
  4 and 5 (as ``surveys.results``);
* surveys run with results published, and committee meetings held: counted over the twelve months
  ending with the period;
* improvement actions: those due in the period (not abandoned), share done;
* delays published: title types with monthly figures in the period, share published;
* results published: engagements in force with a figure for the period, share;
* manual measures: the officers' monthly entries (sum of numerators over sum of denominators for a
  share, else the mean of the values).
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    When,
)
from django.db.models import Case as SqlCase
from django.db.models.functions import TruncDate, TruncMonth

from committee.enums import ActionStatus, MeetingStatus
from committee.models import ImprovementAction, Meeting
from complaints.enums import Kind, Status
from complaints.models import Case
from delays.enums import PublicationStatus
from delays.models import MonthlyDelay
from surveys.enums import SATISFIED_FROM, QuestionKind
from surveys.models import Answer, Survey

from .calendar_table import calendar_ensure, ordinal
from .enums import Source
from .models import Engagement, EngagementVersion, ManualMeasure
from .periods import Period, month_start

HUNDRED = Decimal(100)
SATISFIED_RATING = 4


def _decimal(value):
    if value is None:
        return None
    return Decimal(str(value))


def _round(value):
    return None if value is None else value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class Context:
    """What every measure of one prefecture needs: its calendar, time zone and today."""

    prefecture: object
    today: datetime.date

    @property
    def subdivision(self):
        return self.prefecture.holiday_subdivision

    @property
    def tz(self):
        return self.prefecture.tzinfo

    def local_bounds(self, start, end):
        """Aware datetimes: the period's first midnight and the midnight after its last day."""
        return (
            datetime.datetime.combine(start, datetime.time.min, tzinfo=self.tz),
            datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=self.tz),
        )


@dataclass
class Figure:
    engagement: Engagement
    version: EngagementVersion
    period: Period
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    value: Decimal | None = None

    @property
    def met(self):
        return self.version.is_met(self.value)

    @property
    def has_value(self):
        return self.value is not None


# --- measures ------------------------------------------------------------------------------------------


class Measure:
    """A population and a hit condition; ``kind`` says how they make a figure.

    A record belongs to the month of its ``date_field`` (``month_of``): the engine groups the records by
    that month in one query and adds up the months of each period (its ``window``), so that asking 36
    months costs one pass over the rows, not 36. The population is that window and a ``condition``
    that may depend on the version in force (a deadline), never on the period. A measure without
    ``date_field`` (a record spanning several months) is aggregated with one filter per period instead.
    """

    kind = "share"  # share | mean | count | manual
    model = None
    date_field = None
    rolling = False  # counted over the twelve months ending with the period

    def base(self, ctx, engagement):
        raise NotImplementedError

    def window(self, period):
        """The first and last day of the records counted for ``period``."""
        return (period.rolling_start if self.rolling else period.start), period.end

    def in_window(self, ctx, start, end):
        return Q(**{f"{self.date_field}__gte": start, f"{self.date_field}__lte": end})

    def month_of(self, ctx):
        return TruncMonth(self.date_field)

    def condition(self, ctx, engagement, version):
        return Q()

    def population(self, ctx, engagement, version, period):
        return self.in_window(ctx, *self.window(period)) & self.condition(ctx, engagement, version)

    def hit(self, ctx, engagement, version, period=None):
        raise NotImplementedError

    def aggregates(self, key, ctx, engagement, version, period):
        """The aggregates of ``period``'s figure, keyed ``<key>_…`` (for one filtered ``aggregate()``)."""
        return self.aggregates_over(key, ctx, engagement, version, self.population(ctx, engagement, version, period))

    def aggregates_over(self, key, ctx, engagement, version, population):
        """The aggregates of one figure over ``population`` (the condition alone when grouped by month)."""
        hit = self.hit(ctx, engagement, version)
        return {f"{key}_den": Count("pk", filter=population), f"{key}_num": Count("pk", filter=population & hit)}

    def figure(self, key, row):
        numerator, denominator = _decimal(row[f"{key}_num"]), _decimal(row[f"{key}_den"])
        if self.kind == "count":  # none in twelve months is a figure: zero
            return numerator, denominator, numerator
        if not denominator:
            return numerator, denominator, None
        return numerator, denominator, HUNDRED * numerator / denominator


class _CaseMeasure(Measure):
    model = Case
    date_field = "received_on"

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
        from .models import WorkingDay

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


class DelaysPublished(Measure):
    model = MonthlyDelay
    date_field = "month"

    def base(self, ctx, engagement):
        return MonthlyDelay.objects.for_prefecture(ctx.prefecture).all_sites()

    def hit(self, ctx, engagement, version, period=None):
        return Q(publication__status=PublicationStatus.PUBLISHED)


class Manual(Measure):
    kind = "manual"
    model = ManualMeasure
    date_field = "month"

    def base(self, ctx, engagement):
        return ManualMeasure.objects.for_prefecture(ctx.prefecture).filter(engagement=engagement)

    def hit(self, ctx, engagement, version, period=None):
        return Q(numerator__isnull=False) | Q(value__isnull=False)

    def aggregates_over(self, key, ctx, engagement, version, population):
        # The mean of the values as a sum and a count, so that months add up into quarters and years.
        return {
            f"{key}_num": Sum("numerator", filter=population),
            f"{key}_den": Sum("denominator", filter=population),
            f"{key}_sum": Sum("value", filter=population),
            f"{key}_values": Count("value", filter=population),
            f"{key}_n": Count("pk", filter=population),
        }

    def figure(self, key, row):
        if not row[f"{key}_n"]:
            return None, None, None
        numerator, denominator = _decimal(row[f"{key}_num"]), _decimal(row[f"{key}_den"])
        if numerator is not None and denominator:
            return numerator, denominator, HUNDRED * numerator / denominator
        values = row[f"{key}_values"]
        return None, None, (_decimal(row[f"{key}_sum"]) / values if values else None)


MEASURES = {
    Source.CASES_ON_TIME: CasesOnTime(),
    Source.CASES_WITHIN_DAYS: CasesWithinDays(),
    Source.CASES_MEAN_DAYS: CasesMeanDays(),
    Source.ANSWER_SATISFACTION: AnswerSatisfaction(),
    Source.SURVEY_SATISFACTION: SurveySatisfaction(),
    Source.SURVEYS_PUBLISHED: SurveysPublished(),
    Source.COMMITTEE_MEETINGS: CommitteeMeetings(),
    Source.ACTIONS_DONE: ActionsDone(),
    Source.DELAYS_PUBLISHED: DelaysPublished(),
    Source.MANUAL: Manual(),
}


# --- the engine -----------------------------------------------------------------------------------------


def versions_in_force(periods, engagements=None):
    """``{(engagement_id, period): version}``: the version in force on each period's last month. One query."""
    versions = EngagementVersion.objects.filter(engagement__is_active=True).select_related("engagement")
    if engagements is not None:
        versions = versions.filter(engagement__in=engagements)
    by_engagement = {}
    for version in versions.order_by("engagement__position", "engagement__code", "valid_from"):
        by_engagement.setdefault(version.engagement, []).append(version)
    found = {}
    for engagement, candidates in by_engagement.items():
        for period in periods:
            started = [v for v in candidates if v.valid_from <= period.last_month]
            if started:
                found[(engagement, period)] = started[-1]
    return found


def _context(prefecture, periods, today):
    today = today or prefecture.today()
    first = min(p.rolling_start for p in periods)
    calendar_ensure(subdivision=prefecture.holiday_subdivision, years=range(first.year, max(today.year, 2000) + 1))
    return Context(prefecture=prefecture, today=today)


def _month(value, tz):
    """The first day of the month of a truncated value (a date, or a datetime for a timestamp field)."""
    if isinstance(value, datetime.datetime):
        value = value.astimezone(tz).date() if value.tzinfo else value.date()
    return month_start(value)


def _add_up(aggregate, values):
    """Months added up into a period: counts make 0 when empty, sums stay None without any value."""
    values = [value for value in values if value is not None]
    if isinstance(aggregate, Count):
        return sum(values, 0)
    return sum(values[1:], values[0]) if values else None


def _rows(measure, ctx, engagement, wanted):
    """The aggregates of ``measure`` for each ``(period, version)`` of ``wanted``, keyed ``p<index>``. One query.

    Grouped by month: the records are read once and each aggregate is filtered only by the condition of
    a version (usually one version for all the periods), then the months of each period's window are
    added up in Python.
    """
    queryset = measure.base(ctx, engagement).order_by()
    if measure.date_field is None:
        aggregates = {}
        for index, (period, version) in enumerate(wanted):
            aggregates.update(measure.aggregates(f"p{index}", ctx, engagement, version, period))
        row = queryset.aggregate(**aggregates)
        return [row] * len(wanted)
    versions = list(dict.fromkeys(version for _period, version in wanted))
    aggregates = {}
    for number, version in enumerate(versions):
        condition = measure.condition(ctx, engagement, version)
        aggregates.update(measure.aggregates_over(f"v{number}", ctx, engagement, version, condition))
    windows = [measure.window(period) for period, _version in wanted]
    first, last = min(start for start, _end in windows), max(end for _start, end in windows)
    monthly = {
        _month(row.pop("_month"), ctx.tz): row
        for row in queryset.filter(measure.in_window(ctx, first, last))
        .annotate(_month=measure.month_of(ctx))
        .values("_month")
        .annotate(**aggregates)
    }
    rows = []
    for index, ((_period, version), (start, end)) in enumerate(zip(wanted, windows, strict=True)):
        prefix = f"v{versions.index(version)}_"
        months = [row for month, row in monthly.items() if start <= month <= end]
        rows.append(
            {
                f"p{index}_{name.removeprefix(prefix)}": _add_up(aggregate, [row[name] for row in months])
                for name, aggregate in aggregates.items()
                if name.startswith(prefix)
            }
        )
    return rows


def compute(prefecture, periods, *, today=None, engagements=None):
    """The figure of every engagement in force for each of ``periods``: ``{period: [Figure, …]}``.

    One query per engagement whatever the number of periods (plus one for the referential and one for
    the calendar), grouped by month so that its cost grows with the rows read, not with the periods
    asked; figures of an engagement without version for a period are left out.
    """
    periods = list(periods)
    if not periods:
        return {}
    ctx = _context(prefecture, periods, today)
    in_force = versions_in_force(periods, engagements)
    engagements_in_force = list(dict.fromkeys(engagement for engagement, _period in in_force))
    results = {period: [] for period in periods}
    derived = []
    for engagement in engagements_in_force:
        if engagement.source == Source.RESULTS_PUBLISHED:
            derived.append(engagement)
            continue
        measure = MEASURES[engagement.source]
        wanted = [(period, in_force[(engagement, period)]) for period in periods if (engagement, period) in in_force]
        rows = _rows(measure, ctx, engagement, wanted)
        for index, (period, version) in enumerate(wanted):
            numerator, denominator, value = measure.figure(f"p{index}", rows[index])
            results[period].append(Figure(engagement, version, period, numerator, denominator, _round(value)))
    for engagement in derived:
        for period in periods:
            version = in_force.get((engagement, period))
            if version is None:
                continue
            others = results[period]
            numerator, denominator = Decimal(sum(1 for f in others if f.has_value)), Decimal(len(others))
            value = _round(HUNDRED * numerator / denominator) if denominator else None
            results[period].append(Figure(engagement, version, period, numerator, denominator, value))
    order = {engagement.pk: i for i, engagement in enumerate(engagements_in_force)}
    for figures in results.values():
        figures.sort(key=lambda figure: order[figure.engagement.pk])
    return results


def compute_period(prefecture, period, *, today=None):
    """Every engagement's figure for one period (a month, a quarter, a year)."""
    return compute(prefecture, [period], today=today)[period]


@dataclass
class Drilldown:
    figure: Figure | None
    model: type
    records: object  # a queryset, annotated with ``counted`` (in the numerator)


def drilldown(prefecture, engagement, period, *, today=None):
    """The records behind ``engagement``'s figure for ``period``: exactly the population counted.

    ``records`` is a queryset of the measured model (cases, answers, meetings…) annotated with
    ``counted``: True for those in the numerator. For “results published”, the month's other figures.
    """
    ctx = _context(prefecture, [period], today)
    version = versions_in_force([period], [engagement]).get((engagement, period))
    if version is None:
        return None
    if engagement.source == Source.RESULTS_PUBLISHED:
        from .models import MonthlyIndicator

        records = (
            MonthlyIndicator.objects.for_prefecture(prefecture)
            .filter(month__gte=period.start, month__lte=period.end)
            .exclude(engagement=engagement)
            .annotate(counted=ExpressionWrapper(Q(value__isnull=False), output_field=BooleanField()))
            .select_related("engagement")
        )
        return Drilldown(None, MonthlyIndicator, records)
    measure = MEASURES[engagement.source]
    population = measure.population(ctx, engagement, version, period)
    hit = measure.hit(ctx, engagement, version)
    records = (
        measure.base(ctx, engagement)
        .filter(population)
        .annotate(counted=SqlCase(When(hit, then=True), default=False, output_field=BooleanField()))
    )
    figure = compute(prefecture, [period], today=ctx.today, engagements=[engagement])[period]
    return Drilldown(figure[0] if figure else None, measure.model, records)
