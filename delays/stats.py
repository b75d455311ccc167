"""Monthly statistics, exact and in SQL: records → histogram → count, mean, median, 90th percentile.

Only the months an import touched are refreshed, in a fixed number of queries whatever the
number of records. Percentiles come from the histogram's running totals: the delay at rank r is
the smallest delay whose running total of deliveries reaches r.

* median: the delay at rank (n + 1) div 2 and the one at rank n div 2 + 1, averaged (the middle
  value, or the mean of the two middle values when n is even);
* 90th percentile, by nearest rank: the delay at rank ⌈0.9 n⌉, the smallest delay that at least
  90 % of the deliveries did not exceed.
"""

import datetime

from django.db import connection
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from qualipref.models import Prefecture

from .enums import ImportStatus, PublicationStatus
from .models import DelayHistogram, DeliveryRecord, MonthlyDelay, MonthPublication


def month_start(value):
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value[:7] + "-01")
    return value.replace(day=1)


def next_month(day):
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def refresh_statistics(*, prefecture_id, months):
    """Recompute the histogram and the statistics of ``months`` (dates or ``"YYYY-MM"``) for a prefecture.

    Call inside a transaction. The prefecture's row is locked so that two refreshes of the same
    prefecture never interleave. Returns the months that are published (their public pages change).
    """
    months = sorted({month_start(m) for m in months})
    if not months:
        return []
    Prefecture.objects.select_for_update().filter(pk=prefecture_id).only("pk").first()
    now = timezone.now()
    _refresh_histogram(prefecture_id, months)
    MonthlyDelay.objects.filter(prefecture_id=prefecture_id, month__in=months).delete()
    present = set(
        DelayHistogram.objects.filter(prefecture_id=prefecture_id, month__in=months)
        .values_list("month", flat=True)
        .distinct()
    )
    MonthPublication.objects.bulk_create(
        [MonthPublication(prefecture_id=prefecture_id, month=m) for m in sorted(present)], ignore_conflicts=True
    )
    # A month that lost all its deliveries (a withdrawn import) and was never published disappears.
    MonthPublication.objects.filter(
        prefecture_id=prefecture_id, month__in=set(months) - present, status=PublicationStatus.DRAFT
    ).delete()
    _insert_statistics(prefecture_id, months, now)
    publications = MonthPublication.objects.filter(prefecture_id=prefecture_id, month__in=months)
    publications.update(figures_updated_at=now)
    return list(publications.published().values_list("month", flat=True))


def _refresh_histogram(prefecture_id, months):
    DelayHistogram.objects.filter(prefecture_id=prefecture_id, month__in=months).delete()
    records = (
        DeliveryRecord.objects.filter(
            prefecture_id=prefecture_id,
            delivered_on__gte=months[0],
            delivered_on__lt=next_month(months[-1]),
            source_import__status=ImportStatus.ACCEPTED,
        )
        .annotate(m=TruncMonth("delivered_on"))
        .filter(m__in=months)
        .values("prefecture_id", "title_type_id", "site_id", "m", "delay_days")
        .annotate(n=Count("*"))
        .order_by()
    )
    sql, params = records.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {DelayHistogram._meta.db_table} "
            "(prefecture_id, title_type_id, site_id, month, delay_days, count) "
            f"SELECT g.prefecture_id, g.title_type_id, g.site_id, g.m, g.delay_days, g.n FROM ({sql}) g",
            params,
        )


def _insert_statistics(prefecture_id, months, now):
    histogram = DelayHistogram._meta.db_table
    in_months = ", ".join(["%s"] * len(months))
    month_params = [m.isoformat() for m in months]
    # Per site (rows with a site), then the whole prefecture (every row, site or none).
    bins = f"""
        SELECT prefecture_id, title_type_id, site_id, month, delay_days, count AS cnt FROM {histogram}
        WHERE prefecture_id = %s AND month IN ({in_months}) AND site_id IS NOT NULL
        UNION ALL
        SELECT prefecture_id, title_type_id, NULL, month, delay_days, SUM(count) FROM {histogram}
        WHERE prefecture_id = %s AND month IN ({in_months})
        GROUP BY prefecture_id, title_type_id, month, delay_days
    """
    # Sums are cast back to integers: PostgreSQL sums bigints as numerics, and the ranks below
    # need integer division.
    running = f"""
        SELECT b.*,
            CAST(SUM(b.cnt) OVER (PARTITION BY b.title_type_id, b.site_id, b.month ORDER BY b.delay_days
                                  ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS bigint) AS cum,
            CAST(SUM(b.cnt) OVER (PARTITION BY b.title_type_id, b.site_id, b.month) AS bigint) AS n,
            CAST(SUM(b.cnt * b.delay_days) OVER (PARTITION BY b.title_type_id, b.site_id, b.month) AS bigint) AS total
        FROM ({bins}) b
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {MonthlyDelay._meta.db_table}
                (prefecture_id, title_type_id, site_id, month, publication_id, count, total_days,
                 median_days, p90_days, computed_at)
            SELECT r.prefecture_id, r.title_type_id, r.site_id, r.month, pub.id, r.n, r.total,
                (MIN(CASE WHEN r.cum >= (r.n + 1) / 2 THEN r.delay_days END)
                 + MIN(CASE WHEN r.cum >= r.n / 2 + 1 THEN r.delay_days END)) / 2.0,
                MIN(CASE WHEN r.cum * 10 >= r.n * 9 THEN r.delay_days END),
                %s
            FROM ({running}) r
            JOIN {MonthPublication._meta.db_table} pub ON pub.prefecture_id = r.prefecture_id AND pub.month = r.month
            GROUP BY r.prefecture_id, r.title_type_id, r.site_id, r.month, pub.id, r.n, r.total
            """,
            [
                connection.ops.adapt_datetimefield_value(now),
                prefecture_id,
                *month_params,
                prefecture_id,
                *month_params,
            ],
        )
