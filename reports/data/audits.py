"""The report's audit section: where the label's cycle stands, the audits of the period, the auditors' findings with
their corrective actions (the committee's improvement actions), and the latest self-assessment submitted by the
period's end. Six queries, three more with a self-assessment."""

from django.db.models import Count, F, Q

from audits.cycle import prefecture_positions
from audits.enums import NON_CONFORMITIES, OPEN_FINDING_STATUSES, AuditKind, AuditStatus, FindingKind, FindingStatus
from audits.models import Audit, Finding, SelfAssessment
from audits.selfassessment import judged_lines, summary
from committee.enums import ActionStatus

from .common import _choice_label

SHOWN = 20


def _audits(prefecture, period, today):
    position = prefecture_positions([prefecture], today=today).get(prefecture.pk)
    audits = list(
        Audit.objects.for_prefecture(prefecture)
        .filter(starts_on__lte=period.end, ends_on__gte=period.start)
        .exclude(status=AuditStatus.CANCELLED)
        .order_by("starts_on", "pk")
        .values(
            "pk",
            "kind",
            "status",
            "starts_on",
            "ends_on",
            "signed_at",
            "signed_sha256",
            auditor_first=F("auditor__first_name"),
            auditor_last=F("auditor__last_name"),
        )
        .annotate(findings=Count("findings"))[:SHOWN]
    )
    for audit in audits:
        audit["kind_display"] = _choice_label(AuditKind)(audit["kind"])
        audit["status_display"] = _choice_label(AuditStatus)(audit["status"])
        audit["auditor"] = f"{audit.pop('auditor_first')} {audit.pop('auditor_last')}".strip()
    # The findings of the period's audits, and those still open whenever they were recorded.
    shown = Finding.objects.for_prefecture(prefecture).filter(
        Q(audit__starts_on__lte=period.end, audit__ends_on__gte=period.start) | Q(status__in=OPEN_FINDING_STATUSES)
    )
    counts = shown.aggregate(
        non_conformities=Count("pk", filter=Q(kind__in=NON_CONFORMITIES)),
        open=Count("pk", filter=Q(status__in=OPEN_FINDING_STATUSES)),
        closed=Count("pk", filter=Q(status=FindingStatus.CLOSED)),
        late=Count(
            "pk",
            filter=Q(status__in=OPEN_FINDING_STATUSES, action_due_on__lt=today)
            & ~Q(corrective_action__status=ActionStatus.DONE),
        ),
    )
    findings = list(
        shown.order_by("audit__starts_on", "number").values(
            "reference",
            "kind",
            "status",
            "statement",
            "action_due_on",
            engagement_code=F("engagement__code"),
            site_name=F("site__name"),
            action_title=F("corrective_action__title"),
            action_status=F("corrective_action__status"),
            action_done_on=F("corrective_action__done_on"),
        )[:SHOWN]
    )
    for finding in findings:
        finding["kind_display"] = _choice_label(FindingKind)(finding["kind"])
        finding["status_display"] = _choice_label(FindingStatus)(finding["status"])
        finding["action_status_display"] = (
            _choice_label(ActionStatus)(finding["action_status"]) if finding["action_status"] else ""
        )
    cycle = None
    if position is not None:
        cycle = {
            "status_display": position.status_display,
            "label_display": position.cycle.get_label_display(),
            "awarded_on": position.cycle.awarded_on,
            "expires_on": position.cycle.expires_on,
            "next_kind_display": position.next_kind_display,
            "next_due_on": position.next_due_on,
            "overdue": position.overdue,
        }
    return {
        "cycle": cycle,
        "audits": audits,
        "findings": findings,
        "self_assessment": _self_assessment(prefecture, period),
        **counts,
    }


def _self_assessment(prefecture, period):
    """The latest self-assessment submitted by the period's end: its dates, its lines counted by rating, and the
    flagged ones (rated met while the indicator missed its target)."""
    campaign = (
        SelfAssessment.objects.for_prefecture(prefecture).submitted().filter(on__lte=period.end).order_by("-on", "-pk")
    ).first()
    if campaign is None:
        return None
    flagged = list(
        judged_lines(campaign.lines.all())
        .filter(flagged=True)
        .order_by("position")
        .values("figures_missed", "figures_judged", code=F("engagement__code"))[:SHOWN]
    )
    return {
        "on": campaign.on,
        "submitted_at": campaign.submitted_at,
        "period_start": campaign.period_start,
        "period_end": campaign.period_end,
        "totals": summary(campaign),
        "flagged": flagged,
    }
