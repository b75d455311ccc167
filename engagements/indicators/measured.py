"""The measured engagements: phone, counter and mystery shopper, from the rows of ``measures``, else typed.

A month with imported calls (tickets, visits) takes its figure from them, computed in SQL as ``measures.selectors``
defines it; a month without any keeps the officers' manual figure (``ManualMeasure``, with its evidence). The
two sources meet per month, in the shape of the manual measure's aggregates, so that months add up into quarters
and years as they always did:

* the call shares (answered within five rings, lost) add up their calls: numerator and denominator summed;
* the counter's waiting time and the mystery-shopper score are a value per month (the mean wait of the month's
  tickets, the score of the month's grids): a quarter's or a year's figure is the mean of its months' values.

The drill-down lists the imported rows (calls, tickets, criteria results) behind a month's figure.
"""

from django.db.models import Count, F, Q, Sum

from measures.enums import CriterionResult
from measures.models import Call, MysteryVisitLine, Ticket
from measures.selectors import call_hit_answered, call_hit_lost

from ..models import ManualMeasure
from .common import HUNDRED, _decimal, month_of_value
from .manual import Manual

NAMES = ("num", "den", "sum", "values", "n")


class Measured(Manual):
    """A measure fed by imported rows, the manual figure filling the months without any."""

    model = None  # the imported rows (for the drill-down)
    date_field = "month"
    scale = HUNDRED

    def base(self, ctx, engagement):
        return self.model.objects.for_prefecture(ctx.prefecture)

    def imported_aggregates(self):
        """The month's aggregates over the imported rows, named as ``NAMES``."""
        raise NotImplementedError

    def imported_row(self, row):
        """The manual measure's shape of an imported month (``num``, ``den``, ``sum``, ``values``, ``n``)."""
        return row

    def monthly_rows(self, ctx, engagement, start, end, aggregates):
        prefixes = sorted({name.rsplit("_", 1)[0] for name in aggregates if name.endswith("_n")})
        manual = {
            month_of_value(row.pop("_month"), ctx.tz): row
            for row in ManualMeasure.objects.for_prefecture(ctx.prefecture)
            .filter(engagement=engagement, month__gte=start, month__lte=end)
            .order_by()
            .annotate(_month=F("month"))
            .values("_month")
            .annotate(**aggregates)
        }
        imported = (
            self.base(ctx, engagement)
            .order_by()
            .filter(self.in_window(ctx, start, end))
            .annotate(_month=F(self.date_field))
            .values("_month")
            .annotate(**self.imported_aggregates())
        )
        months = dict(manual)
        for row in imported:
            if not row["n"]:
                continue
            shaped = self.imported_row(row)
            months[month_of_value(row["_month"], ctx.tz)] = {
                f"{prefix}_{name}": shaped[name] for prefix in prefixes for name in NAMES
            }
        return months

    def figure(self, key, row):
        if not row[f"{key}_n"]:
            return None, None, None
        numerator, denominator = _decimal(row[f"{key}_num"]), _decimal(row[f"{key}_den"])
        if numerator is not None and denominator:
            return numerator, denominator, self.scale * numerator / denominator
        values = row[f"{key}_values"]
        return None, None, (_decimal(row[f"{key}_sum"]) / values if values else None)


class _CallShare(Measured):
    model = Call

    def imported_aggregates(self):
        return {"num": Count("pk", filter=self.hit(None, None, None)), "den": Count("pk"), "n": Count("pk")}

    def imported_row(self, row):
        return {"num": row["num"], "den": row["den"], "sum": None, "values": 0, "n": row["n"]}


class CallsAnswered(_CallShare):
    """Calls answered within five rings (``MEASURES_ANSWER_WITHIN_RINGS`` × ``MEASURES_RING_SECONDS``), over every
    call received."""

    def hit(self, ctx, engagement, version, period=None):
        return call_hit_answered()


class CallsLost(_CallShare):
    """Calls not answered (lost or abandoned), over every call received."""

    def hit(self, ctx, engagement, version, period=None):
        return call_hit_lost()


class CounterWait(Measured):
    """The mean wait at the counter in minutes, from arrival to call, over the tickets called."""

    model = Ticket

    def hit(self, ctx, engagement, version, period=None):
        return Q(wait_seconds__isnull=False)

    def imported_aggregates(self):
        return {"wait": Sum("wait_seconds"), "served": Count("wait_seconds"), "n": Count("pk")}

    def imported_row(self, row):
        if not row["served"]:
            return {"num": None, "den": None, "sum": None, "values": 0, "n": row["n"]}
        minutes = _decimal(row["wait"]) / 60 / row["served"]
        return {"num": None, "den": None, "sum": minutes, "values": 1, "n": row["n"]}


class MysteryScore(Measured):
    """The mystery-shopper score out of 10: 10 × the criteria met over the criteria applicable, every line of the
    month's visits together."""

    model = MysteryVisitLine
    date_field = "visit__month"

    def base(self, ctx, engagement):
        return MysteryVisitLine.objects.for_prefecture(ctx.prefecture)

    def in_window(self, ctx, start, end):
        return Q(visit__month__gte=start, visit__month__lte=end)

    def hit(self, ctx, engagement, version, period=None):
        return Q(result=CriterionResult.MET)

    def imported_aggregates(self):
        return {
            "met": Count("pk", filter=Q(result=CriterionResult.MET)),
            "applicable": Count("pk", filter=~Q(result=CriterionResult.NOT_APPLICABLE)),
            "n": Count("pk"),
        }

    def imported_row(self, row):
        if not row["applicable"]:
            return {"num": None, "den": None, "sum": None, "values": 0, "n": row["n"]}
        score = 10 * _decimal(row["met"]) / row["applicable"]
        return {"num": None, "den": None, "sum": score, "values": 1, "n": row["n"]}


__all__ = ["CallsAnswered", "CallsLost", "CounterWait", "MysteryScore"]
