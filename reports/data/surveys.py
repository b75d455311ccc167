"""The report's surveys section: satisfaction and NPS of the published surveys, per site.

The figures are the surveys' own (``surveys.results.published_satisfaction``); the report rounds them.
"""

from django.db.models import F

from surveys.results import Satisfaction, published_satisfaction

from .common import _round, _top

TOP_SITES = 15


def _survey_figures(figures):
    return {
        "satisfaction_answers": figures.rated,
        "satisfaction": _round(figures.satisfaction_rate),
        "nps_answers": figures.recommended,
        "nps": _round(figures.nps, "1"),
    }


def _surveys(prefecture, period, previous):
    """Satisfaction (share of 4 and 5) and NPS of the published surveys, per site, in one grouped query."""
    rows = published_satisfaction(prefecture, [period, previous], by=F("point__site__name"))
    total, previous_total = Satisfaction(), Satisfaction()
    sites = []
    for site, (current, before) in rows:
        total, previous_total = total + current, previous_total + before
        if current.rated or current.recommended:
            sites.append({"site": site, **_survey_figures(current)})
    sites.sort(key=lambda s: (-(s["satisfaction_answers"] + s["nps_answers"]), s["site"] or ""))
    shown, others = _top(
        [{**s, "count": s["satisfaction_answers"] + s["nps_answers"], "previous": 0} for s in sites], TOP_SITES
    )
    return {
        "sites": shown,
        "other_sites": others,
        "total": _survey_figures(total),
        "previous_total": _survey_figures(previous_total),
    }
