"""Reads for the public results pages, the network and open data: materialised monthly figures only.

Each page reads a fixed number of queries whatever the number of cases, answers or months stored.
"""

from decimal import Decimal

from django.db.models import Avg, Count, Max, Q, Sum
from django.utils import timezone

from qualipref.charts import line_chart
from qualipref.dates import add_months, month_start, months_ending
from qualipref.models import Prefecture, Site

from .enums import Unit
from .models import Engagement, EngagementVersion, MonthlyIndicator, SiteMonthlyIndicator
from .periods import results_complete_before

TREND_MONTHS = 12


def prefecture_results(prefecture):
    """The latest complete month's figure of each engagement with its 12-month trend. One query.

    Complete: ``periods.results_complete_before`` in the prefecture's time zone, the rule of every public page."""
    before = results_complete_before(prefecture.today())
    first = add_months(before, -TREND_MONTHS)
    rows = list(
        MonthlyIndicator.objects.for_prefecture(prefecture)
        .published(before)
        .filter(month__gte=first, engagement__is_active=True)
        .select_related("engagement", "version")
        .order_by("engagement__position", "engagement__code", "month")
    )
    if not rows:
        return {"latest_month": None, "engagements": [], "computed_at": None, "sites": None}
    latest_month = max(row.month for row in rows)
    months = months_ending(latest_month, TREND_MONTHS)
    by_engagement = {}
    for row in rows:
        by_engagement.setdefault(row.engagement, {})[row.month] = row
    engagements = []
    for engagement, figures in by_engagement.items():
        latest = figures.get(latest_month)
        if latest is None:
            continue
        trend = [{"month": m, "figure": figures.get(m)} for m in months]
        chart = line_chart(
            [(p["month"], p["figure"].value if p["figure"] else None) for p in trend],
            target=latest.target_value,
            ceiling=100 if latest.unit == Unit.PERCENT else None,
        )
        engagements.append({"engagement": engagement, "latest": latest, "trend": trend, "chart": chart})
    computed_at = max(row.computed_at for row in rows)
    judged = [entry["latest"].met for entry in engagements if entry["latest"].met is not None]
    return {
        "latest_month": latest_month,
        "engagements": engagements,
        "computed_at": computed_at,
        "met": sum(judged),
        "judged": len(judged),
        "sites": site_results(prefecture, latest_month, [entry["latest"] for entry in engagements]),
    }


def site_results(prefecture, month, figures):
    """The table of ``month``'s figures by site: one row per engagement measured per site (with the prefecture's
    ``figures`` of that month, ``MonthlyIndicator`` rows, first), one column per active site. Two queries.

    ``None`` when the prefecture has fewer than two sites or no site figure that month: the prefecture's figures
    say it all."""
    sites = list(Site.objects.for_prefecture(prefecture).filter(is_active=True).order_by("kind", "name"))
    if len(sites) < 2:
        return None
    stored = {
        (row.engagement_id, row.site_id): row
        for row in SiteMonthlyIndicator.objects.for_prefecture(prefecture).filter(
            month=month, site__in=sites, engagement__is_active=True
        )
    }
    if not stored:
        return None
    measured = {engagement_id for engagement_id, _site in stored}
    rows = [
        {"figure": figure, "sites": [stored.get((figure.engagement_id, site.pk)) for site in sites]}
        for figure in figures
        if figure.engagement_id in measured
    ]
    return {"month": month, "sites": sites, "rows": rows}


SORTS = {
    "departement": lambda row: row["prefecture"].department_code,
    "nom": lambda row: row["prefecture"].name,
    "label": lambda row: (row["prefecture"].label, row["prefecture"].department_code),
    "attribution": lambda row: (row["prefecture"].label_awarded_on is None, row["prefecture"].label_awarded_on),
    "audit": lambda row: (row["next_audit"] is None, row["next_audit"]),
    "respect": lambda row: (row["met_share"] is None, row["met_share"] if row["met_share"] is not None else 0),
}


def national_value(unit, numerator, denominator, mean):
    """A network figure: the ratio of the sums for a share or a mean time, the mean of the values otherwise."""
    if unit in (Unit.PERCENT, Unit.WORKING_DAYS) and numerator is not None and denominator:
        ratio = Decimal(str(numerator)) / Decimal(str(denominator))
        return ratio * 100 if unit == Unit.PERCENT else ratio
    return None if mean is None else Decimal(str(mean))


def network_results(sort="departement"):
    """Every prefecture with its label, next audit and the latest complete month's headline results; national
    figures, each engagement with the wording in force that month and how many prefectures its figure covers.

    Six queries. ``sort``: a key of ``SORTS``, ``-`` in front for the reverse order. The month is the latest
    complete one in Paris (``periods.results_complete_before``); a prefecture where it is not complete yet
    (Guadeloupe, for five or six more hours) has no figure for it until it is.
    """
    month = add_months(results_complete_before(timezone.localdate()), -1)
    prefectures = list(Prefecture.objects.order_by("department_code"))
    # The national referential only: a prefecture's local engagements are not compared, and its figures are judged
    # against the national targets here (``national_met``), whatever stricter targets it set itself.
    engagements = list(Engagement.objects.active().national().order_by("position", "code"))
    versions = {}
    for version in EngagementVersion.objects.in_force(month).filter(engagement__in=engagements):
        versions.setdefault(version.engagement_id, version)  # the latest started first
    headline = [
        {"engagement": e, "version": versions[e.pk]} for e in engagements if e.is_headline and e.pk in versions
    ]
    figures = MonthlyIndicator.objects.complete().filter(month=month, engagement__prefecture__isnull=True)
    met = {
        row["prefecture"]: row
        for row in figures.values("prefecture")
        .annotate(
            n_met=Count("pk", filter=Q(national_met=True)), n_judged=Count("pk", filter=Q(national_met__isnull=False))
        )
        .order_by()
    }
    headline_values = {
        (row["prefecture"], row["engagement"]): row
        for row in figures.filter(engagement__in=[h["engagement"] for h in headline])
        .values("prefecture", "engagement", "value", "unit")
        .order_by()
    }
    rows = []
    for prefecture in prefectures:
        counts = met.get(prefecture.pk, {"n_met": 0, "n_judged": 0})
        rows.append(
            {
                "prefecture": prefecture,
                "next_audit": prefecture.next_audit_on or prefecture.scheduled_next_audit(prefecture.today()),
                "met": counts["n_met"],
                "judged": counts["n_judged"],
                "met_share": round(100 * counts["n_met"] / counts["n_judged"]) if counts["n_judged"] else None,
                "headline": [headline_values.get((prefecture.pk, h["engagement"].pk)) for h in headline],
            }
        )
    key = sort.lstrip("-")
    if key not in SORTS:
        key, sort = "departement", "departement"
    rows.sort(key=SORTS[key], reverse=sort.startswith("-"))
    national = []
    sums = {
        row["engagement"]: row
        for row in figures.values("engagement")
        .annotate(
            num=Sum("numerator"),
            den=Sum("denominator"),
            mean=Avg("value"),
            n_met=Count("pk", filter=Q(national_met=True)),
            n_judged=Count("pk", filter=Q(national_met__isnull=False)),
            n_measured=Count("pk", filter=Q(value__isnull=False)),
            any_unit=Max("unit"),
        )
        .order_by()
    }
    for engagement in engagements:
        row = sums.get(engagement.pk)
        if not row or engagement.pk not in versions:
            continue
        national.append(
            {
                "engagement": engagement,
                "version": versions[engagement.pk],
                "value": national_value(row["any_unit"], row["num"], row["den"], row["mean"]),
                "unit": row["any_unit"],
                "met": row["n_met"],
                "judged": row["n_judged"],
                "measured": row["n_measured"],
            }
        )
    return {
        "month": month,
        "rows": rows,
        "headline": headline,
        "national": national,
        "prefecture_count": len(prefectures),
        "sort": sort,
    }


OPEN_DATA_COLUMNS = [
    "departement",
    "prefecture",
    "label",
    "code_engagement",
    "engagement",
    "mois",
    "numerateur",
    "denominateur",
    "valeur",
    "unite",
    "comparateur",
    "cible",
    "atteint",
    "calcule_le",
    "engagement_local",
    "cible_locale",
]


def open_data_rows(*, prefecture=None, engagement=None, month_from=None, month_to=None):
    """Published monthly figures (complete months in each prefecture's time zone) as dicts, in a stable order, for
    CSV, JSON and the API; narrowed to a prefecture, an engagement, and months from and to (first days)."""
    queryset = MonthlyIndicator.objects.complete()
    if prefecture is not None:
        queryset = queryset.filter(prefecture=prefecture)
    if engagement is not None:
        queryset = queryset.filter(engagement=engagement)
    if month_from is not None:
        queryset = queryset.filter(month__gte=month_from)
    if month_to is not None:
        queryset = queryset.filter(month__lte=month_to)
    return queryset.order_by(
        "prefecture__department_code", "engagement__position", "engagement__code", "month"
    ).values(
        "month",
        "numerator",
        "denominator",
        "value",
        "unit",
        "comparator",
        "target_value",
        "met",
        "computed_at",
        "local_target",
        "engagement__prefecture_id",
        "prefecture__department_code",
        "prefecture__name",
        "engagement__label",
        "engagement__code",
        "version__wording",
    )


def _number(value):
    return None if value is None else float(value)


def open_data_record(row):
    return {
        "departement": row["prefecture__department_code"],
        "prefecture": row["prefecture__name"],
        "label": row["engagement__label"],
        "code_engagement": row["engagement__code"],
        "engagement": row["version__wording"],
        "mois": month_start(row["month"]).strftime("%Y-%m"),
        "numerateur": _number(row["numerator"]),
        "denominateur": _number(row["denominator"]),
        "valeur": _number(row["value"]),
        "unite": row["unit"],
        "comparateur": row["comparator"],
        "cible": _number(row["target_value"]),
        "atteint": row["met"],
        "calcule_le": row["computed_at"].isoformat(timespec="seconds") if row["computed_at"] else "",
        "engagement_local": row["engagement__prefecture_id"] is not None,
        "cible_locale": row["local_target"],
    }
