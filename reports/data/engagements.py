"""The report's engagements section: each engagement's figures, from the nightly figures or the engine."""

from decimal import Decimal

from engagements.enums import Source
from engagements.indicators import MEASURES, Figure, compute_with_sites, versions_in_force
from engagements.models import MonthlyIndicator, SiteMonthlyIndicator
from qualipref.dates import add_months, months_from
from qualipref.enums import SiteKind
from qualipref.models import Site

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
    in_force = versions_in_force(periods, prefecture=prefecture)
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
        results[period].append(
            Figure(
                engagement,
                version,
                period,
                numerator,
                denominator,
                _round(value, "0.01"),
                local_target=rows[-1].target_value if rows[-1].local_target else None,
            )
        )
    # “Results published” is judged on the period's other figures, as the engine does.
    for engagement, period, version in derived:
        others = results[period]
        numerator, denominator = Decimal(sum(1 for f in others if f.has_value)), Decimal(len(others))
        value = _round(Decimal(100) * numerator / denominator, "0.01") if denominator else None
        last = stored.get((engagement.pk, period.last_month))
        local_target = last.target_value if last and last.local_target else None
        results[period].append(
            Figure(engagement, version, period, numerator, denominator, value, local_target=local_target)
        )
    order = {engagement.pk: i for i, (engagement, _period) in enumerate(in_force)}
    for figures in results.values():
        figures.sort(key=lambda figure: order[figure.engagement.pk])
    return results


def _engagements(prefecture, period, previous, today):
    """Each engagement in force: the period's figure, the previous one, a 12-month trend.

    The figures come from the nightly monthly figures when every month has them (a quick read), otherwise
    they are computed from the records (the indicator engine: one query per engagement).
    """
    figures = materialised(prefecture, [previous, period])
    if figures is None:
        figures, by_site = compute_with_sites(prefecture, [previous, period], today=today)
        site_figures = {site: by_period[period] for site, by_period in by_site.items()}
    else:
        site_figures = materialised_sites(prefecture, period)
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
                "local": engagement.is_local,
                "local_target": figure.local_target is not None,
                "wording": version.wording,
                "measurement": version.measurement,
                "source": engagement.get_source_display(),
                "unit": version.unit,
                "unit_display": version.get_unit_display(),
                "comparator_display": version.get_comparator_display(),
                "target": figure.target_value,
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
        "sites": _sites(prefecture, figures[period], site_figures),
    }


def materialised_sites(prefecture, period):
    """``{site id: [Figure]}``: each site's figures of ``period`` from its nightly monthly figures (one query), the
    months added up as the prefecture's are (``_combine``); a month without a figure at a site had no record."""
    by_site = {}
    for row in (
        SiteMonthlyIndicator.objects.for_prefecture(prefecture)
        .filter(month__gte=period.start, month__lte=period.end)
        .select_related("engagement", "version")
        .order_by("month")
    ):
        by_site.setdefault(row.site_id, {}).setdefault(row.engagement, []).append(row)
    figures = {}
    for site, by_engagement in by_site.items():
        for engagement, rows in by_engagement.items():
            numerator, denominator, value = _combine(MEASURES[engagement.source].kind, rows)
            last = rows[-1]
            figures.setdefault(site, []).append(
                Figure(
                    engagement,
                    last.version,
                    period,
                    numerator,
                    denominator,
                    _round(value, "0.01"),
                    local_target=last.target_value if last.local_target else None,
                )
            )
    return figures


def _sites(prefecture, figures, site_figures):
    """The report's table of the period's figures by site (one query for the sites): ``None`` with fewer than two
    sites or no figure by site."""
    sites = list(Site.objects.for_prefecture(prefecture).filter(is_active=True).order_by("kind", "name"))
    if len(sites) < 2 or not site_figures:
        return None
    by_site = {site: {figure.engagement.pk: figure for figure in found} for site, found in site_figures.items()}
    measured = {engagement for found in by_site.values() for engagement in found}
    rows = []
    for figure in figures:
        if figure.engagement.pk not in measured:
            continue
        cells = []
        for site in sites:
            found = by_site.get(site.pk, {}).get(figure.engagement.pk)
            cells.append(
                {
                    "value": found.value,
                    "met": found.met,
                    "numerator": found.numerator,
                    "denominator": found.denominator,
                }
                if found
                else None
            )
        rows.append(
            {
                "wording": figure.version.wording,
                "local": figure.engagement.is_local,
                "unit": figure.version.unit,
                "value": figure.value,
                "met": figure.met,
                "sites": cells,
            }
        )
    return {
        "sites": [{"name": site.name, "sub_prefecture": site.kind == SiteKind.SUB_PREFECTURE} for site in sites],
        "rows": rows,
    }
