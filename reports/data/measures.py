"""The report's measured figures by site: calls answered within five rings and lost, the counter's wait, the
mystery-shopper score, from the rows ``measures`` imported or recorded (``measures.selectors``)."""

from measures.selectors import site_totals


def _figures(item):
    return {
        "calls": item.calls,
        "answer_rate": item.answer_rate,
        "lost_rate": item.lost_rate,
        "tickets": item.tickets,
        "mean_wait_minutes": item.mean_wait_minutes,
        "within_target_rate": item.within_target_rate,
        "left_unserved": item.left_unserved,
        "visits": item.visits,
        "mystery_score": item.mystery_score,
    }


def _measured_sites(prefecture, period):
    """``{"sites": [...], "whole": {...}}`` of the period's measured figures by site, or ``None`` when nothing was
    measured (three queries)."""
    per_site, whole = site_totals(prefecture=prefecture, months=period.months)
    if not per_site:
        return None
    return {
        "sites": [{"name": item.site_name, "site_id": item.site_id, **_figures(item)} for item in per_site],
        "whole": _figures(whole),
    }
