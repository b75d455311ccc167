"""The calendar-month arithmetic every app shares (``qualipref.dates``)."""

import datetime
import zoneinfo

import pytest

from qualipref.dates import add_months, month_end, month_start, months_ending, months_from, quarter_of

D = datetime.date
REUNION = zoneinfo.ZoneInfo("Indian/Reunion")


@pytest.mark.parametrize(
    ("day", "count", "expected"),
    [
        (D(2025, 11, 15), 2, D(2026, 1, 15)),  # over a year's end
        (D(2026, 1, 15), -2, D(2025, 11, 15)),  # back over it
        (D(2026, 3, 31), -1, D(2026, 2, 28)),  # clamped to a shorter month
        (D(2024, 1, 31), 1, D(2024, 2, 29)),  # a leap year's February
        (D(2024, 2, 29), 12, D(2025, 2, 28)),  # a leap day a year later
        (D(2024, 2, 29), 48, D(2028, 2, 29)),
        (D(2024, 8, 31), 18, D(2026, 2, 28)),  # the label's follow-up audit
        (D(2026, 5, 31), 1, D(2026, 6, 30)),
        (D(2026, 1, 1), -1, D(2025, 12, 1)),  # a month's first day stays a first day
        (D(2026, 12, 1), 1, D(2027, 1, 1)),
        (D(2026, 1, 1), -13, D(2024, 12, 1)),
        (D(2026, 7, 14), 0, D(2026, 7, 14)),
        (D(2026, 7, 14), -36, D(2023, 7, 14)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_months_last(day, count, expected):
    assert add_months(day, count) == expected


def test_add_months_keeps_a_datetime_with_its_time_and_zone():
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    moment = datetime.datetime(2026, 3, 31, 23, 30, tzinfo=paris)
    assert add_months(moment, -1) == datetime.datetime(2026, 2, 28, 23, 30, tzinfo=paris)
    assert add_months(moment, -1).tzinfo is paris
    assert type(add_months(D(2026, 3, 31), 1)) is D


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D(2026, 3, 17), D(2026, 3, 1)),
        (D(2026, 3, 1), D(2026, 3, 1)),
        (datetime.datetime(2026, 12, 31, 23, 59, tzinfo=REUNION), D(2026, 12, 1)),  # its own date, as it is
        ("2026-03", D(2026, 3, 1)),
        ("2026-03-17", D(2026, 3, 1)),
        ("2026-03-17T10:00:00+04:00", D(2026, 3, 1)),
    ],
)
def test_month_start_is_always_a_date(value, expected):
    start = month_start(value)
    assert start == expected
    assert type(start) is D


def test_month_start_refuses_what_is_not_a_month():
    with pytest.raises(ValueError):
        month_start("2026-13")
    with pytest.raises(ValueError):
        month_start("mars 2026")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D(2026, 2, 10), D(2026, 2, 28)),
        (D(2024, 2, 1), D(2024, 2, 29)),
        (D(2026, 12, 31), D(2026, 12, 31)),
        (D(2026, 4, 1), D(2026, 4, 30)),
        (datetime.datetime(2026, 4, 30, 12, tzinfo=REUNION), D(2026, 4, 30)),
    ],
)
def test_month_end(value, expected):
    assert month_end(value) == expected


def test_months_from_and_ending_list_first_days_oldest_first_over_a_year_end():
    assert months_from(D(2025, 11, 20), 4) == [D(2025, 11, 1), D(2025, 12, 1), D(2026, 1, 1), D(2026, 2, 1)]
    assert months_ending(D(2026, 2, 20), 4) == [D(2025, 11, 1), D(2025, 12, 1), D(2026, 1, 1), D(2026, 2, 1)]
    assert months_ending(D(2026, 2, 1), 1) == [D(2026, 2, 1)]
    assert months_ending(D(2026, 2, 1), 0) == []
    assert len(months_ending(D(2026, 2, 1), 36)) == 36


@pytest.mark.parametrize(("month", "quarter"), [(1, 1), (3, 1), (4, 2), (6, 2), (7, 3), (9, 3), (10, 4), (12, 4)])
def test_quarter_of(month, quarter):
    assert quarter_of(D(2026, month, 15)) == quarter
