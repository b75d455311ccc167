"""Monthly statistics against values computed here, independently, from the raw delays.

Definitions (``delays.stats``): mean = total / count; median = the middle value, or the mean of
the two middle values for an even count (``statistics.median``); 90th percentile by nearest
rank = the value at rank ⌈0.9 n⌉ of the sorted delays.
"""

import datetime
import math
import random
import statistics
from decimal import ROUND_HALF_UP, Decimal

import pytest

from delays.enums import ImportStatus
from delays.models import DelayHistogram, MonthlyDelay
from delays.services import delivery_import_withdraw
from delays.stats import refresh_statistics

from .factories import csv_bytes, delays_pairs, deliveries, run_import

pytestmark = pytest.mark.django_db

JANUARY = datetime.date(2026, 1, 1)
FEBRUARY = datetime.date(2026, 2, 1)


def nearest_rank(values, fraction):
    ordered = sorted(values)
    return ordered[math.ceil(fraction * len(ordered)) - 1]


def expected(values):
    return {
        "count": len(values),
        "total": sum(values),
        "mean": (Decimal(sum(values)) / len(values)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
        "median": Decimal(str(statistics.median(values))),
        "p90": nearest_rank(values, 0.9),
    }


def actual(figure):
    return {
        "count": figure.count,
        "total": figure.total_days,
        "mean": figure.mean_days,
        "median": figure.median_days,
        "p90": figure.p90_days,
    }


@pytest.mark.parametrize(
    "values",
    [
        [10],
        [10, 20],
        [3, 1, 2],
        [5, 5, 5, 5],
        [0, 0, 1, 100],
        list(range(1, 11)),  # p90 of 1..10 is 9 by nearest rank
        list(range(1, 12)),  # ⌈9.9⌉ = 10
    ],
)
def test_small_months_match_the_definitions(reunion, first_permit, values):
    run_import(reunion, csv_bytes(deliveries(reunion, "TS-PREMIERE", delays_pairs(JANUARY, values))))
    assert actual(MonthlyDelay.objects.get(site=None)) == expected(values)


def test_a_realistic_month_matches_python_statistics(reunion, saint_denis, first_permit):
    rng = random.Random(974)
    site_values = [round(rng.gammavariate(2, 30)) for _ in range(701)]
    other_values = [round(rng.gammavariate(3, 20)) for _ in range(300)]
    rows = deliveries(reunion, "TS-PREMIERE", delays_pairs(JANUARY, site_values), site=saint_denis.name)
    rows += deliveries(reunion, "TS-PREMIERE", delays_pairs(JANUARY, other_values))
    run_import(reunion, csv_bytes(rows))
    assert actual(MonthlyDelay.objects.get(site=None)) == expected(site_values + other_values)
    assert actual(MonthlyDelay.objects.get(site=saint_denis)) == expected(site_values)


def test_statistics_are_per_title_and_per_month_of_delivery(reunion, first_permit, renewal):
    rows = deliveries(reunion, "TS-PREMIERE", delays_pairs(JANUARY, [10, 20, 30]))
    rows += deliveries(reunion, "TS-PREMIERE", delays_pairs(FEBRUARY, [40]))
    rows += deliveries(reunion, "TS-RENOUVELLEMENT", delays_pairs(JANUARY, [7, 9]))
    run_import(reunion, csv_bytes(rows))
    figures = {
        (f.title_type.code, f.month): (f.count, f.mean_days, f.median_days, f.p90_days)
        for f in MonthlyDelay.objects.filter(site=None).select_related("title_type")
    }
    assert figures == {
        ("TS-PREMIERE", JANUARY): (3, Decimal("20.0"), Decimal("20.0"), 30),
        ("TS-PREMIERE", FEBRUARY): (1, Decimal("40.0"), Decimal("40.0"), 40),
        ("TS-RENOUVELLEMENT", JANUARY): (2, Decimal("8.0"), Decimal("8.0"), 9),
    }


def test_a_second_import_adds_to_the_month_and_only_touched_months_are_refreshed(reunion, first_permit):
    run_import(reunion, csv_bytes(deliveries(reunion, "TS-PREMIERE", delays_pairs(JANUARY, [10, 20]))), name="a")
    run_import(reunion, csv_bytes(deliveries(reunion, "TS-PREMIERE", delays_pairs(FEBRUARY, [5]))), name="b")
    january = MonthlyDelay.objects.get(site=None, month=JANUARY)
    run_import(reunion, csv_bytes(deliveries(reunion, "TS-PREMIERE", delays_pairs(FEBRUARY, [7, 9]))), name="c")
    assert MonthlyDelay.objects.get(site=None, month=JANUARY).computed_at == january.computed_at
    assert actual(MonthlyDelay.objects.get(site=None, month=FEBRUARY)) == expected([5, 7, 9])


def test_the_histogram_holds_one_bin_per_distinct_delay(reunion, first_permit):
    run_import(reunion, csv_bytes(deliveries(reunion, "TS-PREMIERE", delays_pairs(JANUARY, [3, 3, 3, 8, 8, 40]))))
    bins = DelayHistogram.objects.order_by("delay_days").values_list("delay_days", "count")
    assert list(bins) == [(3, 3), (8, 2), (40, 1)]


def test_withdrawing_an_import_recomputes_its_months(reunion, first_permit):
    run_import(reunion, csv_bytes(deliveries(reunion, "TS-PREMIERE", delays_pairs(JANUARY, [10]))), name="a")
    second = run_import(
        reunion, csv_bytes(deliveries(reunion, "TS-PREMIERE", delays_pairs(JANUARY, [30, 50]))), name="b"
    )
    assert second.status == ImportStatus.ACCEPTED
    delivery_import_withdraw(delivery_import=second, by=None)
    assert actual(MonthlyDelay.objects.get(site=None)) == expected([10])


def test_refresh_takes_a_fixed_number_of_queries(reunion, first_permit, django_assert_max_num_queries):
    months = [datetime.date(2025, m, 1) for m in range(1, 13)]
    rows = []
    for month in months:
        rows += deliveries(reunion, "TS-PREMIERE", delays_pairs(month, list(range(1, 30))))
    run_import(reunion, csv_bytes(rows))
    with django_assert_max_num_queries(10):
        refresh_statistics(prefecture_id=reunion.pk, months=months)
    assert MonthlyDelay.objects.filter(site=None).count() == 12
