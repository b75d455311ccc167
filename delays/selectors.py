"""Reads for the public pages and open data (published figures only, a fixed number of queries), and where a
month's figures come from (``month_sources``, for the officer and the auditor)."""

import re
import zoneinfo

from django.db.models import Count, F, Max, OuterRef, Subquery, Sum
from django.utils import timezone

from qualipref.dates import month_start, months_ending
from qualipref.models import Prefecture

from .enums import ImportStatus, PublicationStatus
from .models import DeliveryImport, MonthlyDelay, MonthPublication, TitleType, mean_of

TREND_MONTHS = 12

# What a code in a query string may look like, checked before it reaches the database (PostgreSQL refuses a
# NUL byte in a string: a 500): title codes as ``TitleType.code`` (department codes: ``qualipref.api``).
TITLE_CODE = re.compile(r"[A-Z0-9][A-Z0-9-]{0,19}")


def is_title_code(value):
    return TITLE_CODE.fullmatch(value) is not None


def _national_rows(*, title_ids, months):
    """Per title and month, over every prefecture that published it: deliveries ``n``, ``total`` days (a mean
    weighted by deliveries: ``mean_of(total, n)``) and how many ``prefectures`` published."""
    return (
        MonthlyDelay.objects.published()
        .all_sites()
        .filter(title_type_id__in=title_ids, month__in=months)
        .values("title_type_id", "month")
        .annotate(n=Sum("count"), total=Sum("total_days"), prefectures=Count("prefecture", distinct=True))
        .order_by()
    )


def prefecture_overview(prefecture):
    """The latest published month, and for each title type its figures and its 12-month trend."""
    summary = MonthPublication.objects.published().filter(prefecture=prefecture, figures__isnull=False)
    summary = summary.aggregate(latest=Max("month"), published=Max("published_at"), updated=Max("figures_updated_at"))
    latest = summary["latest"]
    if latest is None:
        return {"latest_month": None, "titles": [], "last_updated": None}
    months = months_ending(latest, TREND_MONTHS)
    rows = (
        MonthlyDelay.objects.published()
        .all_sites()
        .filter(prefecture=prefecture, month__gte=months[0], month__lte=latest)
        .select_related("title_type")
        .order_by("title_type__position", "title_type__code", "month")
    )
    by_title = {}
    for row in rows:
        by_title.setdefault(row.title_type, {})[month_start(row.month)] = row
    national, covered = {}, {}
    for row in _national_rows(title_ids=[t.pk for t in by_title], months=months):
        key = (row["title_type_id"], month_start(row["month"]))
        national[key], covered[key] = mean_of(row["total"], row["n"]), row["prefectures"]
    titles = []
    for title, figures in by_title.items():
        last = figures[max(figures)]
        trend = [{"month": m, "figure": figures.get(m), "national": national.get((title.pk, m))} for m in months]
        titles.append(
            {
                "title": title,
                "latest": last,
                "national": national.get((title.pk, month_start(last.month))),
                # How many prefectures that mean covers: the others may not have published the month yet.
                "national_prefectures": covered.get((title.pk, month_start(last.month)), 0),
                "trend": trend,
            }
        )
    updates = [d for d in (summary["published"], summary["updated"]) if d]
    # The day in the prefecture, as publie_le in the open data (02:00 on 1 March in La Réunion is February in Paris).
    last_updated = timezone.localdate(max(updates), prefecture.tzinfo) if updates else None
    return {
        "latest_month": latest,
        "titles": titles,
        "last_updated": last_updated,
        "prefecture_count": Prefecture.objects.count(),
    }


def titles_with_published_figures():
    published = MonthlyDelay.objects.published().filter(title_type=OuterRef("pk"))
    return TitleType.objects.filter(pk__in=published.values("title_type")).order_by("position", "code")


def network_overview(title):
    """Each prefecture's latest published figures for ``title``, and the national mean of the latest month."""
    latest_month = (
        MonthlyDelay.objects.published()
        .all_sites()
        .filter(title_type=title, prefecture=OuterRef("prefecture"))
        .order_by("-month")
        .values("month")[:1]
    )
    rows = list(
        MonthlyDelay.objects.published()
        .all_sites()
        .filter(title_type=title, month=Subquery(latest_month))
        .select_related("prefecture")
        .order_by("prefecture__department_code")
    )
    network_month = max((month_start(r.month) for r in rows), default=None)
    national = next(iter(_national_rows(title_ids=[title.pk], months=[network_month])), None) if rows else None
    return {
        "rows": rows,
        "month": network_month,
        "national": mean_of(national["total"], national["n"]) if national else None,
        # A month some prefectures have not published yet: its mean covers the others only, and says so.
        "national_prefectures": national["prefectures"] if national else 0,
        "prefecture_count": Prefecture.objects.count(),
    }


OPEN_DATA_COLUMNS = [
    "departement",
    "prefecture",
    "code_titre",
    "titre",
    "categorie",
    "site",
    "mois",
    "nombre_delivrances",
    "delai_moyen_jours",
    "delai_median_jours",
    "delai_90e_centile_jours",
    "total_jours",
    "publie_le",
]


def open_data_rows(*, prefecture=None, title=None, month_from=None, month_to=None, all_sites_only=False):
    """Published monthly figures as plain dicts (the open-data columns), streamed in a stable order."""
    queryset = MonthlyDelay.objects.published().filter(publication__status=PublicationStatus.PUBLISHED)
    if prefecture is not None:
        queryset = queryset.filter(prefecture=prefecture)
    if title is not None:
        queryset = queryset.filter(title_type=title)
    if month_from is not None:
        queryset = queryset.filter(month__gte=month_from)
    if month_to is not None:
        queryset = queryset.filter(month__lte=month_to)
    if all_sites_only:
        queryset = queryset.all_sites()
    return queryset.order_by(
        "prefecture__department_code",
        "title_type__position",
        "title_type__code",
        "month",
        F("site__name").asc(nulls_first=True),
    ).values(
        "count",
        "total_days",
        "median_days",
        "p90_days",
        "month",
        department=F("prefecture__department_code"),
        prefecture_name=F("prefecture__name"),
        title_code=F("title_type__code"),
        title_label=F("title_type__label"),
        category=F("title_type__category"),
        site_name=F("site__name"),
        published_at=F("publication__published_at"),
        time_zone=F("prefecture__time_zone"),
    )


def open_data_record(row):
    mean = mean_of(row["total_days"], row["count"], places="0.01")
    return {
        "departement": row["department"],
        "prefecture": row["prefecture_name"],
        "code_titre": row["title_code"],
        "titre": row["title_label"],
        "categorie": row["category"],
        "site": row["site_name"] or "",
        "mois": month_start(row["month"]).strftime("%Y-%m"),
        "nombre_delivrances": row["count"],
        "delai_moyen_jours": mean,
        "delai_median_jours": row["median_days"],
        "delai_90e_centile_jours": row["p90_days"],
        "total_jours": row["total_days"],
        "publie_le": _local_date(row["published_at"], row["time_zone"]),
    }


def _local_date(moment, time_zone):
    """The day ``moment`` fell on in the prefecture (La Réunion publishes on 1 March at 02:00, 28 February in UTC)."""
    if moment is None:
        return ""
    return timezone.localdate(moment, timezone=zoneinfo.ZoneInfo(time_zone)).isoformat()


def month_sources(publication):
    """Where a month's figures come from: the accepted imports that hold deliveries of that month, oldest first,
    each with ``deliveries`` (its count for the month), and their ``total`` beside the figures' own ``count``.

    Shown to the officer before publishing and to the auditor: two imports of the same deliveries (a
    file exported twice in different shapes) stand out here, and each figure leads back to its files.
    Two queries whatever the number of imports."""
    key = f"{publication.month:%Y-%m}"
    imports = list(
        DeliveryImport.objects.filter(
            prefecture_id=publication.prefecture_id, status=ImportStatus.ACCEPTED, months__has_key=key
        )
        .select_related("decided_by")
        .order_by("decided_at", "pk")
    )
    for delivery_import in imports:
        delivery_import.deliveries = delivery_import.months[key]
    counted = MonthlyDelay.objects.filter(publication=publication).all_sites().aggregate(n=Sum("count"))["n"] or 0
    return {"imports": imports, "total": sum(i.deliveries for i in imports), "count": counted}
