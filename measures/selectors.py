"""The measures' monthly figures per site, computed in SQL from the imported rows and the visits' grids.

Definitions (each month in the prefecture's local time):

* answer rate within five rings: the calls answered with a ring time of at most
  ``MEASURES_ANSWER_WITHIN_RINGS`` × ``MEASURES_RING_SECONDS`` seconds (5 × 5 s = 25 s), over every call received
  (answered, lost or abandoned);
* lost-call rate: the calls not answered (lost, or abandoned by the caller), over every call received;
* waiting time at the counter: from the ticket's arrival to its call, over the tickets called (a ticket never
  called — the visitor left — is counted apart); its mean in minutes and the share called within
  ``MEASURES_COUNTER_TARGET_MINUTES`` (or the target given);
* mystery-shopper score: 10 × the criteria met over the criteria applicable, every line of the month's visits
  together.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, Q, Sum

from .enums import CallOutcome, CriterionResult
from .models import Call, MysteryVisitLine, Ticket


def answered_within_seconds():
    """The longest ring time of a call “answered within five rings”, in seconds."""
    return settings.MEASURES_ANSWER_WITHIN_RINGS * settings.MEASURES_RING_SECONDS


def call_hit_answered():
    return Q(outcome=CallOutcome.ANSWERED, ring_seconds__lte=answered_within_seconds())


def call_hit_lost():
    return ~Q(outcome=CallOutcome.ANSWERED)


def call_aggregates(prefix=""):
    return {
        f"{prefix}calls": Count("pk"),
        f"{prefix}answered": Count("pk", filter=Q(outcome=CallOutcome.ANSWERED)),
        f"{prefix}within_rings": Count("pk", filter=call_hit_answered()),
        f"{prefix}lost": Count("pk", filter=call_hit_lost()),
    }


def ticket_aggregates(target_seconds, prefix=""):
    return {
        f"{prefix}tickets": Count("pk"),
        f"{prefix}served": Count("wait_seconds"),
        f"{prefix}wait_total": Sum("wait_seconds"),
        f"{prefix}within_target": Count("pk", filter=Q(wait_seconds__lte=target_seconds)),
    }


def visit_line_aggregates(prefix=""):
    return {
        f"{prefix}criteria_met": Count("pk", filter=Q(result=CriterionResult.MET)),
        f"{prefix}criteria_applicable": Count("pk", filter=~Q(result=CriterionResult.NOT_APPLICABLE)),
    }


def _share(part, whole):
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class SiteMonth:
    """One site's (``site`` None: the whole prefecture's) figures of one month."""

    site_id: int | None
    site_name: str
    month: object
    calls: int = 0
    answered: int = 0
    within_rings: int = 0
    lost: int = 0
    tickets: int = 0
    served: int = 0
    wait_total: int = 0
    within_target: int = 0
    criteria_met: int = 0
    criteria_applicable: int = 0
    visits: int = 0

    @property
    def answer_rate(self):
        return _share(self.within_rings, self.calls)

    @property
    def lost_rate(self):
        return _share(self.lost, self.calls)

    @property
    def left_unserved(self):
        return self.tickets - self.served

    @property
    def mean_wait_minutes(self):
        if not self.served:
            return None
        return (Decimal(self.wait_total) / 60 / self.served).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def within_target_rate(self):
        return _share(self.within_target, self.served)

    @property
    def mystery_score(self):
        if not self.criteria_applicable:
            return None
        return (Decimal(10) * self.criteria_met / self.criteria_applicable).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


def site_months(*, prefecture, months, target_minutes=None):
    """``(per_site, totals)`` of ``prefecture`` for ``months`` (first days): a ``SiteMonth`` per site with data and
    month (``site_id`` None: rows that named no site), and the prefecture's whole for each month. Three grouped
    queries whatever the rows."""
    target = (target_minutes or settings.MEASURES_COUNTER_TARGET_MINUTES) * 60
    months = list(months)
    found = {}

    def entry(site_id, site_name, month):
        key = (site_id, month)
        if key not in found:
            found[key] = SiteMonth(site_id=site_id, site_name=site_name or "", month=month)
        return found[key]

    calls = (
        Call.objects.for_prefecture(prefecture)
        .filter(month__in=months)
        .order_by()
        .values("site_id", "site__name", "month")
        .annotate(**call_aggregates())
    )
    for row in calls:
        item = entry(row["site_id"], row["site__name"], row["month"])
        for name in ("calls", "answered", "within_rings", "lost"):
            setattr(item, name, row[name])
    tickets = (
        Ticket.objects.for_prefecture(prefecture)
        .filter(month__in=months)
        .order_by()
        .values("site_id", "site__name", "month")
        .annotate(**ticket_aggregates(target))
    )
    for row in tickets:
        item = entry(row["site_id"], row["site__name"], row["month"])
        for name in ("tickets", "served", "wait_total", "within_target"):
            setattr(item, name, row[name] or 0)
    lines = (
        MysteryVisitLine.objects.filter(visit__prefecture=prefecture, visit__month__in=months)
        .order_by()
        .values("visit__site_id", "visit__site__name", "visit__month")
        .annotate(**visit_line_aggregates(), visits=Count("visit", distinct=True))
    )
    for row in lines:
        item = entry(row["visit__site_id"], row["visit__site__name"], row["visit__month"])
        item.criteria_met, item.criteria_applicable, item.visits = (
            row["criteria_met"],
            row["criteria_applicable"],
            row["visits"],
        )
    per_site = sorted(found.values(), key=lambda item: (item.month, item.site_id is None, item.site_name))
    totals = {}
    summed = [f for f in SiteMonth.__dataclass_fields__ if f not in ("site_id", "site_name", "month")]
    for item in per_site:
        total = totals.setdefault(item.month, SiteMonth(site_id=None, site_name="", month=item.month))
        for name in summed:
            setattr(total, name, getattr(total, name) + getattr(item, name))
    return per_site, [totals[month] for month in sorted(totals)]


def site_totals(*, prefecture, months, target_minutes=None):
    """``(per_site, whole)`` of ``prefecture`` over ``months`` together (a quarter, a year): a ``SiteMonth`` per site
    with data (``site_id`` None: rows that named no site; ``month`` None) with its counts added up over the months,
    so that its shares and mean wait are over every call, ticket and criterion of the period; and the prefecture's
    whole. Three grouped queries (``site_months``)."""
    per_month, _totals = site_months(prefecture=prefecture, months=months, target_minutes=target_minutes)
    summed = [f for f in SiteMonth.__dataclass_fields__ if f not in ("site_id", "site_name", "month")]
    sites = {}
    whole = SiteMonth(site_id=None, site_name="", month=None)
    for item in per_month:
        site = sites.setdefault(item.site_id, SiteMonth(site_id=item.site_id, site_name=item.site_name, month=None))
        for name in summed:
            setattr(site, name, getattr(site, name) + getattr(item, name))
            setattr(whole, name, getattr(whole, name) + getattr(item, name))
    per_site = sorted(sites.values(), key=lambda item: (item.site_id is None, item.site_name))
    return per_site, whole
