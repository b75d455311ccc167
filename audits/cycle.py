"""Where each label's cycle stands and which audit is due next, computed from the cycle itself.

The periods are settings (``LABEL_VALIDITY_MONTHS``, 36 by default; ``LABEL_SURVEILLANCE_MONTHS``, 12): a label
awarded (or renewed) on day D is valid until D + validity; a surveillance audit is due on every anniversary
D + k × interval before that end, the next one being the first not yet done (the signed surveillance audits since
D counted); the renewal audit is due by the end. An application waits for its initial audit, dated when planned.
A suspended or withdrawn label has no audit due.

``positions(cycles)`` judges many cycles in two aggregate queries, whatever their number. A position also says
since when a label is suspended or withdrawn (its last step's date, when the cycle was read with ``last_step_on``)
and which sites it covers when it covers only some of them.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, F, Max, Min, Prefetch, Q

from qualipref.dates import add_months
from qualipref.models import Site

from .enums import AuditKind, AuditStatus, CycleStatus
from .models import Audit, LabelCycle


def validity_months():
    return settings.LABEL_VALIDITY_MONTHS


def surveillance_months():
    return settings.LABEL_SURVEILLANCE_MONTHS


def expiry(awarded_on):
    return add_months(awarded_on, validity_months())


@dataclass
class CyclePosition:
    cycle: object
    next_kind: str | None = None
    next_due_on: datetime.date | None = None
    planned_on: datetime.date | None = None
    today: datetime.date | None = None

    @property
    def status_display(self):
        return self.cycle.get_status_display()

    @property
    def interrupted(self):
        """Suspended or withdrawn: the position says since when (and, to those who keep the label, why)."""
        return self.cycle.status in (CycleStatus.SUSPENDED, CycleStatus.WITHDRAWN)

    @property
    def since(self):
        return getattr(self.cycle, "last_step_on", None)

    @property
    def sites(self):
        """The sites the label covers when it covers only some of the prefecture's (empty: all of them)."""
        return [site.name for site in self.cycle.sites.all()]

    @property
    def next_kind_display(self):
        return AuditKind(self.next_kind).label if self.next_kind else ""

    @property
    def overdue(self):
        return bool(self.next_due_on and self.today and self.next_due_on < self.today and not self.planned_on)


def next_due(cycle, *, surveillance_done=0, planned_on=None):
    """``(kind, due date)`` of the next audit of ``cycle``; the date may be ``None`` (an application not planned)."""
    status = cycle.status
    if status == CycleStatus.APPLIED or status == CycleStatus.INITIAL_AUDIT:
        return AuditKind.INITIAL, planned_on
    if status == CycleStatus.RENEWAL_AUDIT:
        return AuditKind.RENEWAL, cycle.expires_on
    if status in (CycleStatus.AWARDED, CycleStatus.RENEWED) and cycle.awarded_on:
        candidate = add_months(cycle.awarded_on, (surveillance_done + 1) * surveillance_months())
        end = cycle.expires_on or expiry(cycle.awarded_on)
        if candidate < end:
            return AuditKind.SURVEILLANCE, candidate
        return AuditKind.RENEWAL, end
    return None, None


def positions(cycles, *, today=None):
    """``{cycle pk: CyclePosition}`` for ``cycles`` (a list): two queries."""
    cycles = list(cycles)
    if not cycles:
        return {}
    audits = Audit.objects.filter(cycle__in=cycles)
    done = dict(
        audits.filter(kind=AuditKind.SURVEILLANCE, status=AuditStatus.SIGNED, ends_on__gte=F("cycle__awarded_on"))
        .values("cycle")
        .annotate(n=Count("pk"))
        .values_list("cycle", "n")
        .order_by()
    )
    planned = dict(
        audits.filter(Q(status=AuditStatus.PLANNED) | Q(status=AuditStatus.IN_PROGRESS))
        .values("cycle")
        .annotate(first=Min("starts_on"))
        .values_list("cycle", "first")
        .order_by()
    )
    result = {}
    for cycle in cycles:
        kind, due = next_due(cycle, surveillance_done=done.get(cycle.pk, 0), planned_on=planned.get(cycle.pk))
        result[cycle.pk] = CyclePosition(
            cycle=cycle,
            next_kind=kind,
            next_due_on=due,
            planned_on=planned.get(cycle.pk) if kind else None,
            today=today or cycle.prefecture.today(),
        )
    return result


def prefecture_positions(prefectures, *, today=None):
    """``{prefecture pk: CyclePosition}`` of each prefecture's current cycle (the latest applied when a
    prefecture seeks two labels), or of its latest withdrawn one when none is current: four queries."""
    cycles = (
        LabelCycle.objects.filter(prefecture__in=list(prefectures))
        .select_related("prefecture")
        .annotate(last_step_on=Max("steps__on"))
        .prefetch_related(Prefetch("sites", queryset=Site.objects.only("name").order_by("name")))
        .order_by("prefecture", "-applied_on", "-pk")
    )
    latest, withdrawn = {}, {}
    for cycle in cycles:
        found = withdrawn if cycle.status == CycleStatus.WITHDRAWN else latest
        found.setdefault(cycle.prefecture_id, cycle)
    for prefecture_id, cycle in withdrawn.items():
        latest.setdefault(prefecture_id, cycle)
    by_cycle = positions(latest.values(), today=today)
    return {prefecture_id: by_cycle[cycle.pk] for prefecture_id, cycle in latest.items()}
