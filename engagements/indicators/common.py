"""What the measures and the engine share: the figure, the prefecture's context and number helpers."""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ..models import Engagement, EngagementVersion, judge
from ..periods import Period

HUNDRED = Decimal(100)


def _decimal(value):
    if value is None:
        return None
    return Decimal(str(value))


def month_of_value(value, tz):
    """The first day of the month of a truncated value (a date, or a datetime for a timestamp field)."""
    if isinstance(value, datetime.datetime):
        value = value.astimezone(tz).date() if value.tzinfo else value.date()
    return value.replace(day=1)


def _round(value):
    return None if value is None else value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class Context:
    """What every measure of one prefecture needs: its calendar, time zone and today."""

    prefecture: object
    today: datetime.date

    @property
    def subdivision(self):
        return self.prefecture.holiday_subdivision

    @property
    def tz(self):
        return self.prefecture.tzinfo

    def local_bounds(self, start, end):
        """Aware datetimes: the period's first midnight and the midnight after its last day."""
        return (
            datetime.datetime.combine(start, datetime.time.min, tzinfo=self.tz),
            datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=self.tz),
        )


@dataclass
class Figure:
    engagement: Engagement
    version: EngagementVersion
    period: Period
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    value: Decimal | None = None
    # The prefecture's stricter target in force (``LocalTarget``), when there is one: the figure is judged against it.
    local_target: Decimal | None = None

    @property
    def target_value(self):
        return self.version.target_value if self.local_target is None else self.local_target

    @property
    def met(self):
        return judge(self.version.comparator, self.target_value, self.value)

    @property
    def national_met(self):
        """Judged against the national target: what the network compares."""
        return self.version.is_met(self.value)

    @property
    def has_value(self):
        return self.value is not None
