"""Working days of a prefecture (weekends and the public holidays of its subdivision are off), and its own today.

La Réunion (subdivision 974) also rests on 20 December, Alsace-Moselle (57, 67, 68) on Good
Friday and 26 December; the ``holidays`` package knows each French subdivision's list.
"""

import datetime
import zoneinfo
from functools import lru_cache

import holidays
from django.db.models import Q
from django.utils import timezone

from .models import FRENCH_TIME_ZONES

# Alsace and Moselle share their local law: the package files Bas-Rhin and Haut-Rhin under "6AE".
SUBDIVISION_ALIASES = {"67": "6AE", "68": "6AE"}


@lru_cache(maxsize=256)
def _holidays(subdivision, year):
    subdivision = SUBDIVISION_ALIASES.get(subdivision, subdivision) or None
    return frozenset(holidays.country_holidays("FR", subdiv=subdivision, years=year))


def holiday_subdivision_of(prefecture_or_subdivision):
    if isinstance(prefecture_or_subdivision, str) or prefecture_or_subdivision is None:
        return prefecture_or_subdivision or ""
    return prefecture_or_subdivision.holiday_subdivision


def is_working_day(day, prefecture):
    """``prefecture`` is a Prefecture or a holiday subdivision code (``"974"``, ``""`` for the mainland)."""
    if day.weekday() >= 5:
        return False
    return day not in _holidays(holiday_subdivision_of(prefecture), day.year)


def add_working_days(start, days, prefecture):
    """The date ``days`` working days after ``start`` (``start`` itself not counted).

    Adding 0 gives ``start`` itself if it is a working day, else the next working day.
    """
    if days < 0:
        raise ValueError("days must be positive or zero")
    day = start
    if days == 0:
        while not is_working_day(day, prefecture):
            day += datetime.timedelta(days=1)
        return day
    while days:
        day += datetime.timedelta(days=1)
        if is_working_day(day, prefecture):
            days -= 1
    return day


def working_days_between(start, end, prefecture):
    """How many working days from ``start`` (excluded) to ``end`` (included); 0 if ``end <= start``."""
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_working_day(day, prefecture):
            count += 1
    return count


def on_local_today(condition_on, *, prefecture_path="prefecture", now=None):
    """A condition that depends on today's date *in each row's prefecture*: ``condition_on(today)`` gives the
    ``Q`` for one date; one ``OR`` branch per French time zone, the prefecture's ``time_zone`` joined in the
    same query. At 23:00 in Paris it is already tomorrow in La Réunion."""
    now = now or timezone.now()
    condition = Q()
    for zone, _label in FRENCH_TIME_ZONES:
        today = timezone.localdate(now, timezone=zoneinfo.ZoneInfo(zone))
        condition |= Q(**{f"{prefecture_path}__time_zone": zone}) & condition_on(today)
    return condition


def before_local_today(lookup, *, prefecture_path="prefecture", now=None):
    """The date field ``lookup`` lies before today in its prefecture (a case due today there is late tomorrow)."""
    return on_local_today(lambda today: Q(**{f"{lookup}__lt": today}), prefecture_path=prefecture_path, now=now)


def before_local_month(lookup, *, prefecture_path="prefecture", now=None):
    """The date field ``lookup`` lies before the first day of the current month in its prefecture, so its month
    is over there: at 00:30 in Paris on 1 February it is still 31 January in Guadeloupe, whose January is not
    over, while La Réunion's is."""
    return on_local_today(
        lambda today: Q(**{f"{lookup}__lt": today.replace(day=1)}), prefecture_path=prefecture_path, now=now
    )
