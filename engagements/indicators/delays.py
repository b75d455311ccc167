"""The delays' measure: title types with published monthly figures."""

from django.db.models import Q

from delays.enums import PublicationStatus
from delays.models import MonthlyDelay

from .base import Measure


class DelaysPublished(Measure):
    model = MonthlyDelay
    date_field = "month"

    def base(self, ctx, engagement):
        return MonthlyDelay.objects.for_prefecture(ctx.prefecture).all_sites()

    def hit(self, ctx, engagement, version, period=None):
        return Q(publication__status=PublicationStatus.PUBLISHED)
