"""The base class of every measure: a population and a hit condition, aggregated by month."""

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from .common import HUNDRED, _decimal, month_of_value


class Measure:
    """A population and a hit condition; ``kind`` says how they make a figure.

    A record belongs to the month of its ``date_field`` (``month_of``): the engine groups the records by
    that month in one query and adds up the months of each period (its ``window``), so that asking 36
    months costs one pass over the rows, not 36. The population is that window and a ``condition``
    that may depend on the version in force (a deadline), never on the period. A measure without
    ``date_field`` (a record spanning several months) is aggregated with one filter per period instead.
    """

    kind = "share"  # share | mean | count | manual
    model = None
    date_field = None
    rolling = False  # counted over the twelve months ending with the period
    # The path from a row of ``monthly`` to its site (``Case.site``, a tally row's point's site): the figures of
    # each site are the same aggregates narrowed to its rows. None: the measure is the whole prefecture's only
    # (meetings, actions, publications).
    site_field = None

    def base(self, ctx, engagement):
        raise NotImplementedError

    def window(self, period):
        """The first and last day of the records counted for ``period``."""
        return (period.rolling_start if self.rolling else period.start), period.end

    def in_window(self, ctx, start, end):
        return Q(**{f"{self.date_field}__gte": start, f"{self.date_field}__lte": end})

    def month_of(self, ctx):
        return TruncMonth(self.date_field)

    def monthly(self, ctx, engagement, start, end):
        """What the figures of the days ``start``–``end`` add up, each row's month annotated ``_month``: by
        default the records themselves (``base``), which the drill-down lists too."""
        return (
            self.base(ctx, engagement)
            .order_by()
            .filter(self.in_window(ctx, start, end))
            .annotate(_month=self.month_of(ctx))
        )

    def monthly_rows(self, ctx, engagement, start, end, aggregates):
        """``{month: {aggregate name: value}}`` of the days ``start``–``end``: ``aggregates`` over ``monthly``,
        grouped by month in one query. A measure fed by two sources (``measured``) merges them here."""
        return {
            month_of_value(row.pop("_month"), ctx.tz): row
            for row in self.monthly(ctx, engagement, start, end).values("_month").annotate(**aggregates)
        }

    def condition(self, ctx, engagement, version):
        return Q()

    def population(self, ctx, engagement, version, period):
        return self.in_window(ctx, *self.window(period)) & self.condition(ctx, engagement, version)

    def hit(self, ctx, engagement, version, period=None):
        raise NotImplementedError

    def aggregates(self, key, ctx, engagement, version, period):
        """The aggregates of ``period``'s figure, keyed ``<key>_…`` (for one filtered ``aggregate()``)."""
        return self.aggregates_over(key, ctx, engagement, version, self.population(ctx, engagement, version, period))

    def aggregates_over(self, key, ctx, engagement, version, population):
        """The aggregates of one figure over ``population`` (the condition alone when grouped by month)."""
        hit = self.hit(ctx, engagement, version)
        return {f"{key}_den": Count("pk", filter=population), f"{key}_num": Count("pk", filter=population & hit)}

    def figure(self, key, row):
        numerator, denominator = _decimal(row[f"{key}_num"]), _decimal(row[f"{key}_den"])
        if self.kind == "count":  # none in twelve months is a figure: zero
            return numerator, denominator, numerator
        if not denominator:
            return numerator, denominator, None
        return numerator, denominator, HUNDRED * numerator / denominator
