"""The engine: the measure of each source, the versions in force, the figures and their drill-down."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, When
from django.db.models import Case as SqlCase
from django.db.models.functions import Coalesce

from ..calendar_table import calendar_ensure
from ..enums import Source
from ..models import EngagementVersion, LocalTarget, stricter
from .committee import ActionsDone, CommitteeMeetings
from .common import HUNDRED, Context, Figure, _round, month_of_value
from .complaints import AnswerSatisfaction, CasesMeanDays, CasesOnTime, CasesWithinDays
from .delays import DelaysPublished
from .manual import Manual
from .measured import CallsAnswered, CallsLost, CounterWait, MysteryScore
from .surveys import SurveySatisfaction, SurveysPublished

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
    Source.CALLS_ANSWERED: CallsAnswered(),
    Source.CALLS_LOST: CallsLost(),
    Source.COUNTER_WAIT: CounterWait(),
    Source.MYSTERY_SCORE: MysteryScore(),
}


def versions_in_force(periods, engagements=None, *, prefecture=None):
    """``{(engagement, period): version}``: the version in force on each period's last month. One query.

    The national referential, and ``prefecture``'s local engagements when it is given."""
    versions = EngagementVersion.objects.filter(engagement__is_active=True).select_related("engagement")
    if prefecture is None:
        versions = versions.filter(engagement__prefecture__isnull=True)
    else:
        versions = versions.filter(Q(engagement__prefecture__isnull=True) | Q(engagement__prefecture=prefecture))
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


def local_targets_in_force(prefecture, in_force):
    """``{(engagement, period): target}``: ``prefecture``'s stricter local target (a Decimal) for each engagement and
    period of ``in_force`` (``versions_in_force``), when it has one in force on the period's last month and it is
    still stricter than the national version then in force (a national target may have caught up). One query."""
    if not in_force:
        return {}
    last = max(period.last_month for _engagement, period in in_force)
    by_engagement = {}
    for target in LocalTarget.objects.for_prefecture(prefecture).filter(valid_from__lte=last).order_by("valid_from"):
        by_engagement.setdefault(target.engagement_id, []).append(target)
    found = {}
    for (engagement, period), version in in_force.items():
        started = [t for t in by_engagement.get(engagement.pk, ()) if t.valid_from <= period.last_month]
        if started and stricter(version.comparator, started[-1].target_value, version.target_value):
            found[(engagement, period)] = started[-1].target_value
    return found


def _context(prefecture, periods, today):
    today = today or prefecture.today()
    first = min(p.rolling_start for p in periods)
    calendar_ensure(subdivision=prefecture.holiday_subdivision, years=range(first.year, max(today.year, 2000) + 1))
    return Context(prefecture=prefecture, today=today)


def _add_up(aggregate, values):
    """Months added up into a period: counts (and sums of counts that make 0, as a tally's) make 0 when empty,
    other sums stay None without any value."""
    values = [value for value in values if value is not None]
    if isinstance(aggregate, Count | Coalesce):
        return sum(values, 0)
    return sum(values[1:], values[0]) if values else None


def _add_up_windows(monthly, aggregates, wanted, windows, versions):
    """The figures' aggregates for each ``(period, version)`` of ``wanted``: the months of ``monthly`` ({month:
    row}, or [(month, row)]) in each period's window added up."""
    rows = []
    for index, ((_period, version), (start, end)) in enumerate(zip(wanted, windows, strict=True)):
        prefix = f"v{versions.index(version)}_"
        months = [row for month, row in monthly if start <= month <= end]
        rows.append(
            {
                f"p{index}_{name.removeprefix(prefix)}": _add_up(aggregate, [row[name] for row in months])
                for name, aggregate in aggregates.items()
                if name.startswith(prefix)
            }
        )
    return rows


def _rows(measure, ctx, engagement, wanted, *, by_site=False):
    """The aggregates of ``measure`` for each ``(period, version)`` of ``wanted``, keyed ``p<index>``, and with
    ``by_site`` the same for each site (``{site id: rows}``). One query either way.

    Grouped by month (and site): the records are read once and each aggregate is filtered only by the condition
    of a version (usually one version for all the periods), then the months of each period's window are added
    up in Python — over every row for the prefecture, over a site's rows for that site, so that the prefecture's
    counts are its sites' added up (plus the records of no site).
    """
    if measure.date_field is None:
        queryset = measure.base(ctx, engagement).order_by()
        aggregates = {}
        for index, (period, version) in enumerate(wanted):
            aggregates.update(measure.aggregates(f"p{index}", ctx, engagement, version, period))
        row = queryset.aggregate(**aggregates)
        return [row] * len(wanted), {}
    versions = list(dict.fromkeys(version for _period, version in wanted))
    aggregates = {}
    for number, version in enumerate(versions):
        condition = measure.condition(ctx, engagement, version)
        aggregates.update(measure.aggregates_over(f"v{number}", ctx, engagement, version, condition))
    windows = [measure.window(period) for period, _version in wanted]
    first, last = min(start for start, _end in windows), max(end for _start, end in windows)
    by_site = by_site and measure.site_field is not None
    grouped = []
    if by_site:
        queryset = measure.monthly(ctx, engagement, first, last).annotate(_site=F(measure.site_field))
        for row in queryset.values("_month", "_site").annotate(**aggregates):
            grouped.append((month_of_value(row.pop("_month"), ctx.tz), row.pop("_site"), row))
        # One month may come in several rows (one per site): added up as the months of a period are.
        whole = {}
        for month, _site, row in grouped:
            whole.setdefault(month, []).append(row)
        monthly = [
            (month, {name: _add_up(aggregate, [row[name] for row in rows]) for name, aggregate in aggregates.items()})
            for month, rows in whole.items()
        ]
    else:  # the measure's own months (a measured engagement merges its imported and typed figures there)
        monthly = list(measure.monthly_rows(ctx, engagement, first, last, aggregates).items())
    rows = _add_up_windows(monthly, aggregates, wanted, windows, versions)
    sites = {}
    if by_site:
        for month, site, row in grouped:
            if site is not None:
                sites.setdefault(site, []).append((month, row))
    return rows, {
        site: _add_up_windows(months, aggregates, wanted, windows, versions) for site, months in sites.items()
    }


def _figures(measure, wanted, rows, local_targets, engagement):
    figures = {}
    for index, (period, version) in enumerate(wanted):
        numerator, denominator, value = measure.figure(f"p{index}", rows[index])
        figures[period] = Figure(
            engagement,
            version,
            period,
            numerator,
            denominator,
            _round(value),
            local_target=local_targets.get((engagement, period)),
        )
    return figures


def compute_with_sites(prefecture, periods, *, today=None, engagements=None, by_site=True):
    """The figure of every engagement in force for each of ``periods`` (``{period: [Figure, …]}``) and, with
    ``by_site``, each site's figures of the engagements whose records know their site (``{site id: {period:
    [Figure, …]}}``), from the same queries: the one rule for a prefecture and its sites.

    One query per engagement whatever the number of periods and sites (plus one for the referential, one for
    the local targets and one for the calendar), grouped by month so that its cost grows with the rows read,
    not with the periods asked; figures of an engagement without version for a period are left out. The
    engagements are the national referential and the prefecture's local ones; each figure is judged against
    the prefecture's stricter local target when it has one (``Figure.local_target``).
    """
    periods = list(periods)
    if not periods:
        return {}, {}
    ctx = _context(prefecture, periods, today)
    in_force = versions_in_force(periods, engagements, prefecture=prefecture)
    local_targets = local_targets_in_force(prefecture, in_force)
    engagements_in_force = list(dict.fromkeys(engagement for engagement, _period in in_force))
    results = {period: [] for period in periods}
    sites = {}
    derived = []
    for engagement in engagements_in_force:
        if engagement.source == Source.RESULTS_PUBLISHED:
            derived.append(engagement)
            continue
        measure = MEASURES[engagement.source]
        wanted = [(period, in_force[(engagement, period)]) for period in periods if (engagement, period) in in_force]
        rows, site_rows = _rows(measure, ctx, engagement, wanted, by_site=by_site)
        for period, figure in _figures(measure, wanted, rows, local_targets, engagement).items():
            results[period].append(figure)
        for site, rows in site_rows.items():
            for period, figure in _figures(measure, wanted, rows, local_targets, engagement).items():
                sites.setdefault(site, {p: [] for p in periods})[period].append(figure)
    for engagement in derived:
        for period in periods:
            version = in_force.get((engagement, period))
            if version is None:
                continue
            others = results[period]
            numerator, denominator = Decimal(sum(1 for f in others if f.has_value)), Decimal(len(others))
            value = _round(HUNDRED * numerator / denominator) if denominator else None
            results[period].append(
                Figure(
                    engagement,
                    version,
                    period,
                    numerator,
                    denominator,
                    value,
                    local_target=local_targets.get((engagement, period)),
                )
            )
    order = {engagement.pk: i for i, engagement in enumerate(engagements_in_force)}
    for figures in [*results.values(), *(f for by_period in sites.values() for f in by_period.values())]:
        figures.sort(key=lambda figure: order[figure.engagement.pk])
    return results, sites


def compute(prefecture, periods, *, today=None, engagements=None):
    """The figure of every engagement in force for each of ``periods``: ``{period: [Figure, …]}`` (the prefecture's
    figures of ``compute_with_sites``)."""
    return compute_with_sites(prefecture, periods, today=today, engagements=engagements, by_site=False)[0]


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
    version = versions_in_force([period], [engagement], prefecture=prefecture).get((engagement, period))
    if version is None:
        return None
    if engagement.source == Source.RESULTS_PUBLISHED:
        from ..models import MonthlyIndicator

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
