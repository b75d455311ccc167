"""The manual measure: the officers' monthly entries."""

from django.db.models import Count, Q, Sum

from ..models import ManualMeasure
from .base import Measure
from .common import HUNDRED, _decimal


class Manual(Measure):
    kind = "manual"
    model = ManualMeasure
    date_field = "month"

    def base(self, ctx, engagement):
        return ManualMeasure.objects.for_prefecture(ctx.prefecture).filter(engagement=engagement)

    def hit(self, ctx, engagement, version, period=None):
        return Q(numerator__isnull=False) | Q(value__isnull=False)

    def aggregates_over(self, key, ctx, engagement, version, population):
        # The mean of the values as a sum and a count, so that months add up into quarters and years.
        return {
            f"{key}_num": Sum("numerator", filter=population),
            f"{key}_den": Sum("denominator", filter=population),
            f"{key}_sum": Sum("value", filter=population),
            f"{key}_values": Count("value", filter=population),
            f"{key}_n": Count("pk", filter=population),
        }

    def figure(self, key, row):
        if not row[f"{key}_n"]:
            return None, None, None
        numerator, denominator = _decimal(row[f"{key}_num"]), _decimal(row[f"{key}_den"])
        if numerator is not None and denominator:
            return numerator, denominator, HUNDRED * numerator / denominator
        values = row[f"{key}_values"]
        return None, None, (_decimal(row[f"{key}_sum"]) / values if values else None)
