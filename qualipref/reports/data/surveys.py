"""The report's surveys section: satisfaction and NPS of the published surveys, per site."""

from decimal import Decimal

from django.db.models import Count, F, Q

from surveys.enums import DETRACTORS_UP_TO, PROMOTERS_FROM, SATISFIED_FROM, QuestionKind
from surveys.models import Answer

from .common import _round, _share, _top

TOP_SITES = 15


def _survey_figures(row, prefix=""):
    satisfied, rated = row[f"{prefix}sat_hit"], row[f"{prefix}sat_n"]
    promoters, detractors, recommended = row[f"{prefix}promoters"], row[f"{prefix}detractors"], row[f"{prefix}rec_n"]
    nps = None
    if recommended:
        nps = _round(Decimal(100) * (Decimal(promoters) - Decimal(detractors)) / Decimal(recommended), "1")
    return {
        "satisfaction_answers": rated,
        "satisfaction": _share(satisfied, rated),
        "nps_answers": recommended,
        "nps": nps,
    }


def _surveys(prefecture, period, previous):
    """Satisfaction (share of 4 and 5) and NPS of the published surveys, per site, in one grouped query."""
    satisfaction, recommendation = (
        Q(question__kind=QuestionKind.SATISFACTION),
        Q(question__kind=QuestionKind.RECOMMENDATION),
    )
    counts = {}
    for prefix, which in (("", period), ("prev_", previous)):
        within = Q(submitted_on__gte=which.start, submitted_on__lte=which.end)
        counts |= {
            f"{prefix}sat_n": Count("pk", filter=within & satisfaction),
            f"{prefix}sat_hit": Count("pk", filter=within & satisfaction & Q(value__gte=SATISFIED_FROM)),
            f"{prefix}rec_n": Count("pk", filter=within & recommendation),
            f"{prefix}promoters": Count("pk", filter=within & recommendation & Q(value__gte=PROMOTERS_FROM)),
            f"{prefix}detractors": Count("pk", filter=within & recommendation & Q(value__lte=DETRACTORS_UP_TO)),
        }
    rows = list(
        Answer.objects.published()
        .for_prefecture(prefecture)
        .filter(
            question__kind__in=[QuestionKind.SATISFACTION, QuestionKind.RECOMMENDATION],
            submitted_on__gte=previous.start,
            submitted_on__lte=period.end,
        )
        .values(site=F("point__site__name"))
        .annotate(**counts)
        .order_by()
    )
    totals = {key: sum(row[key] for row in rows) for key in counts}
    sites = [{"site": row["site"], **_survey_figures(row)} for row in rows if row["sat_n"] or row["rec_n"]]
    sites.sort(key=lambda s: (-(s["satisfaction_answers"] + s["nps_answers"]), s["site"] or ""))
    shown, others = _top(
        [{**s, "count": s["satisfaction_answers"] + s["nps_answers"], "previous": 0} for s in sites], TOP_SITES
    )
    return {
        "sites": shown,
        "other_sites": others,
        "total": _survey_figures(totals),
        "previous_total": _survey_figures(totals, "prev_"),
    }
