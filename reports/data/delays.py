"""The report's delays section: mean delays per title type, against the previous period and the nation."""

from django.db.models import Count, F, Q, Sum

from delays.models import MonthlyDelay, mean_of


def _delays(prefecture, period, previous):
    current = Q(month__gte=period.start, month__lte=period.end)
    before = Q(month__gte=previous.start, month__lte=previous.end)
    published = MonthlyDelay.objects.published().all_sites()
    rows = list(
        published.filter(prefecture=prefecture, month__gte=previous.start, month__lte=period.end)
        .values("title_type_id", code=F("title_type__code"), label=F("title_type__label"))
        .annotate(
            n=Sum("count", filter=current),
            total=Sum("total_days", filter=current),
            prev_n=Sum("count", filter=before),
            prev_total=Sum("total_days", filter=before),
            months=Count("pk", filter=current),
            position=F("title_type__position"),
        )
        .order_by("title_type__position", "title_type__code")
    )
    national = {
        row["title_type_id"]: mean_of(row["total"], row["n"])
        for row in published.filter(title_type_id__in=[r["title_type_id"] for r in rows])
        .filter(current)
        .values("title_type_id")
        .annotate(n=Sum("count"), total=Sum("total_days"))
        .order_by()
    }
    titles = [
        {
            "code": row["code"],
            "label": row["label"],
            "count": row["n"] or 0,
            "months": row["months"],
            "mean": mean_of(row["total"], row["n"]),
            "previous_mean": mean_of(row["prev_total"], row["prev_n"]),
            "national_mean": national.get(row["title_type_id"]),
        }
        for row in rows
    ]
    return {"titles": titles}
