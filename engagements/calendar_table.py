"""The working-days calendar as a table, so that SQL can count working days (see ``WorkingDay``).

Chosen over materialising each case's duration: a case's answer can come, be reopened and come again,
and the calendar of a subdivision never changes once written (the ``holidays`` package gives the same
days for a past year), so durations are always computed fresh from two index lookups.
"""

import datetime

from qualipref.calendar import _holidays, holiday_subdivision_of, is_working_day

EPOCH_YEAR = 2000


def _working_days_in_year(subdivision, year):
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    days = (last - first).days + 1
    weekdays = sum(1 for i in range(days) if (first + datetime.timedelta(days=i)).weekday() < 5)
    return weekdays - sum(1 for day in _holidays(subdivision, year) if day.weekday() < 5)


def _ordinal_before(subdivision, year):
    """Working days from 2000-01-01 (excluded) to the last day of ``year - 1``."""
    return sum(_working_days_in_year(subdivision, y) for y in range(EPOCH_YEAR, year))


def ordinal(day, prefecture_or_subdivision):
    """The ``WorkingDay.ordinal`` of ``day``, computed in Python (for today's ordinal, and for checks)."""
    subdivision = holiday_subdivision_of(prefecture_or_subdivision)
    count = _ordinal_before(subdivision, day.year)
    current = datetime.date(day.year, 1, 1)
    while current <= day:
        count += is_working_day(current, subdivision)
        current += datetime.timedelta(days=1)
    return count


def calendar_ensure(*, subdivision, years):
    """Write the calendar rows of ``subdivision`` for the ``years`` it lacks. One query when nothing lacks."""
    from .models import WorkingDay

    years = sorted({y for y in years if y >= EPOCH_YEAR})
    present = set(
        WorkingDay.objects.filter(subdivision=subdivision, day__in=[datetime.date(y, 1, 1) for y in years])
        .values_list("day__year", flat=True)
        .order_by()
    )
    rows = []
    for year in years:
        if year in present:
            continue
        count = _ordinal_before(subdivision, year)
        day = datetime.date(year, 1, 1)
        while day.year == year:
            count += is_working_day(day, subdivision)
            rows.append(WorkingDay(subdivision=subdivision, day=day, ordinal=count))
            day += datetime.timedelta(days=1)
    if rows:
        WorkingDay.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return len(rows)
