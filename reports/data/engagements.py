"""The report's engagements section: each engagement's figures, from the nightly figures or the engine."""

from decimal import Decimal

from engagements.enums import Source
from engagements.indicators import MEASURES, Figure, compute, versions_in_force
from engagements.models import MonthlyIndicator
from qualipref.dates import add_months, months_from

from .common import _round

# Engagement sources whose figures are the complaints' headline figures (same measure, every channel).
COMPLAINT_SOURCES = {
    Source.CASES_ON_TIME: "on_time",
    Source.CASES_MEAN_DAYS: "mean_days",
    Source.ANSWER_SATISFACTION: "satisfaction",
}
TREND_MONTHS = 12


def _add(values):
    values = [v for v in values if v is not None]
    return sum(values, Decimal(0)) if values else None


def _combine(kind, rows):
    """A period's figure from its months' figures, as the engine would compute it over the whole period."""
    if kind == "count":  # already over the twelve months ending with the month: the last month's
        last = rows[-1]
        return last.numerator, last.denominator, last.value
    numerator, denominator = _add(r.numerator for r in rows), _add(r.denominator for r in rows)
    if kind == "mean":
        return numerator, denominator, (numerator / denominator if numerator is not None and denominator else None)
    if kind == "manual" and not (numerator is not None and denominator):
        values = [r.value for r in rows if r.value is not None]
        return None, None, (sum(values) / len(values) if values else None)
    return numerator, denominator, (Decimal(100) * numerator / denominator if denominator else None)


def materialised(prefecture, periods):
    """``{period: [Figure]}`` from the monthly figures the portal stores every night (one query, plus one for
    the referential), or ``None`` when a month of a period lacks the figure of an engagement in force."""
    in_force = versions_in_force(periods)
    first, last = min(p.start for p in periods), max(p.end for p in periods)
    stored = {
        (row.engagement_id, row.month): row
        for row in MonthlyIndicator.objects.for_prefecture(prefecture).filter(month__gte=first, month__lte=last)
    }
    results = {period: [] for period in periods}
    derived = []
    for (engagement, period), version in in_force.items():
        rows = [stored.get((engagement.pk, month)) for month in period.months]
        if any(row is None for row in rows):
            return None
        if engagement.source == Source.RESULTS_PUBLISHED:
            derived.append((engagement, period, version))
            continue
        numerator, denominator, value = _combine(MEASURES[engagement.source].kind, rows)
        results[period].append(Figure(engagement, version, period, numerator, denominator, _round(value, "0.01")))
    # “Results published” is judged on the period's other figures, as the engine does.
    for engagement, period, version in derived:
        others = results[period]
        numerator, denominator = Decimal(sum(1 for f in others if f.has_value)), Decimal(len(others))
        value = _round(Decimal(100) * numerator / denominator, "0.01") if denominator else None
        results[period].append(Figure(engagement, version, period, numerator, denominator, value))
    order = {engagement.pk: i for i, (engagement, _period) in enumerate(in_force)}
    for figures in results.values():
        figures.sort(key=lambda figure: order[figure.engagement.pk])
    return results


def _engagements(prefecture, period, previous, today):
    """Each engagement in force: the period's figure, the previous one, a 12-month trend.

    The figures come from the nightly monthly figures when every month has them (a quick read), otherwise
    they are computed from the records (the indicator engine: one query per engagement).
    """
    figures = materialised(prefecture, [previous, period]) or compute(prefecture, [previous, period], today=today)
    before = {figure.engagement.pk: figure for figure in figures[previous]}
    first = add_months(period.last_month, -(TREND_MONTHS - 1))
    trend = {}
    for engagement_id, month, value in (
        MonthlyIndicator.objects.for_prefecture(prefecture)
        .filter(month__gte=first, month__lte=period.last_month)
        .values_list("engagement_id", "month", "value")
        .order_by()
    ):
        trend.setdefault(engagement_id, {})[month] = value
    months = months_from(first, TREND_MONTHS)
    rows = []
    for figure in figures[period]:
        engagement, version = figure.engagement, figure.version
        previous_figure = before.get(engagement.pk)
        rows.append(
            {
                "code": engagement.code,
                "wording": version.wording,
                "measurement": version.measurement,
                "source": engagement.get_source_display(),
                "unit": version.unit,
                "unit_display": version.get_unit_display(),
                "comparator_display": version.get_comparator_display(),
                "target": version.target_value,
                "value": figure.value,
                "numerator": figure.numerator,
                "denominator": figure.denominator,
                "previous": previous_figure.value if previous_figure else None,
                "met": figure.met,
                "trend": [(month, trend.get(engagement.pk, {}).get(month)) for month in months],
            }
        )
    judged = [row for row in rows if row["met"] is not None]
    # The complaints' headline figures are engagements' measures: reused when measured on every channel.
    by_source = {}
    for which, key in ((period, "cur"), (previous, "prev")):
        for figure in figures[which]:
            if figure.engagement.source in COMPLAINT_SOURCES and not figure.engagement.channel:
                by_source[(COMPLAINT_SOURCES[figure.engagement.source], key)] = {
                    "numerator": figure.numerator,
                    "denominator": figure.denominator,
                    "value": _round(figure.value),
                }
    return {
        "by_source": by_source,
        "rows": rows,
        "met": sum(1 for row in judged if row["met"]),
        "judged": len(judged),
        "trend_from": first,
    }
