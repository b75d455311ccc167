"""Monthly statistics, exact and in SQL: records → histogram → count, mean, median, 90th percentile.

The histogram follows the accepted imports one by one: accepting an import adds its records to
the bins of its months, withdrawing it takes them out again (``count_import``). Each import's
records are found through their import (an index that only grows at its end), so the work is
proportional to the import, never to the prefecture's whole history. Then only the months an
import touched are refreshed, in a fixed number of queries whatever the number of records
(``refresh_statistics``). Percentiles come from the histogram's running totals: the delay at rank r is
the smallest delay whose running total of deliveries reaches r.

* median: the delay at rank (n + 1) div 2 and the one at rank n div 2 + 1, averaged (the middle
  value, or the mean of the two middle values when n is even);
* 90th percentile, by nearest rank: the delay at rank ⌈0.9 n⌉, the smallest delay that at least
  90 % of the deliveries did not exceed.
"""

import uuid

from django.db import connection
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from qualipref.dates import month_start
from qualipref.models import Prefecture

from .enums import PublicationStatus
from .models import DelayHistogram, DeliveryRecord, MonthlyDelay, MonthPublication

IMPORT_WORK_MEM = "64MB"


def lock_figures(prefecture_id):
    """Two updates of the same prefecture's figures, or an update and a publication, never interleave.

    Whoever changes figures or publication takes this lock first, before any month's row (no deadlock)."""
    Prefecture.objects.select_for_update().filter(pk=prefecture_id).only("pk").first()


def count_import(*, prefecture_id, import_id, months, sign=1):
    """Add an import's records to the histogram of its ``months`` (``sign=-1``: take them out).

    Call inside a transaction, while the import's records are in the table, then
    ``refresh_statistics`` for the same months. A fixed number of queries: the months' bins and the
    import's, summed into a temporary table, replace the months' bins (a bin that falls to zero goes).
    """
    months = sorted({month_start(m) for m in months})
    if not months:
        return
    lock_figures(prefecture_id)
    histogram = DelayHistogram._meta.db_table
    records = (
        DeliveryRecord.objects.filter(source_import_id=import_id)
        .annotate(m=TruncMonth("delivered_on"))
        .values("title_type_id", "site_id", "m", "delay_days")
        .annotate(n=Count("*"))
        .order_by()
    )
    records_sql, records_params = records.query.sql_with_params()
    in_months = ", ".join(["%s"] * len(months))
    month_params = [m.isoformat() for m in months]
    merged = f"delays_bins_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Grouping a million records sorts them: in memory rather than in temporary files.
            cursor.execute(f"SET LOCAL work_mem = '{IMPORT_WORK_MEM}'")
        cursor.execute(
            f"""
            CREATE TEMP TABLE {merged} AS
            SELECT u.title_type_id, u.site_id, u.month, u.delay_days, SUM(u.n) AS n FROM (
                SELECT h.title_type_id, h.site_id, h.month, h.delay_days, h.count AS n FROM {histogram} h
                WHERE h.prefecture_id = %s AND h.month IN ({in_months})
                UNION ALL
                SELECT g.title_type_id, g.site_id, g.m, g.delay_days, %s * g.n FROM ({records_sql}) g
            ) u
            GROUP BY u.title_type_id, u.site_id, u.month, u.delay_days
            """,
            [prefecture_id, *month_params, sign, *records_params],
        )
        cursor.execute(
            f"DELETE FROM {histogram} WHERE prefecture_id = %s AND month IN ({in_months})",
            [prefecture_id, *month_params],
        )
        cursor.execute(
            f"INSERT INTO {histogram} (prefecture_id, title_type_id, site_id, month, delay_days, count) "
            f"SELECT %s, b.title_type_id, b.site_id, b.month, b.delay_days, b.n FROM {merged} b WHERE b.n > 0",
            [prefecture_id],
        )
        cursor.execute(f"DROP TABLE {merged}")


def refresh_statistics(*, prefecture_id, months):
    """Recompute the statistics of ``months`` (dates or ``"YYYY-MM"``) for a prefecture from its histogram.

    Call inside a transaction. The prefecture's row is locked so that two refreshes of the same
    prefecture never interleave. Returns the months that are published (their public pages change).
    """
    months = sorted({month_start(m) for m in months})
    if not months:
        return []
    lock_figures(prefecture_id)
    now = timezone.now()
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
