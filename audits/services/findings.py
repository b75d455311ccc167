"""Findings: recorded by the audit's auditor, answered by the prefecture with a corrective action (the committee's
``ImprovementAction``), closed only when the auditor accepts it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from committee.enums import ActionStatus
from committee.services import action_create

from ..enums import NON_CONFORMITIES, AuditStatus, FindingStatus
from ..models import Audit, Finding, FindingTransition
from ..perms import check_auditor, check_officer
from ..workflow import FINDING_WORKFLOW

F = FindingStatus


def _log(finding, from_status, to_status, by=None, note=""):
    FindingTransition.objects.create(finding=finding, from_status=from_status, to_status=to_status, by=by, note=note)


def finding_check(*, audit, kind, engagement, action_due_on=None, site=None, case=None, evidence=None, document=None):
    """Raise ``ValidationError`` (by field) when a finding so described may not be recorded on ``audit``."""
    errors = {}
    if audit.status in (AuditStatus.SIGNED, AuditStatus.CANCELLED):
        errors["audit"] = _("This audit's report is signed (or the audit cancelled): no new finding.")
    if kind in NON_CONFORMITIES and action_due_on is None:
        errors["action_due_on"] = _("A non-conformity needs the date its corrective action is due.")
    if kind in NON_CONFORMITIES and action_due_on and action_due_on < audit.starts_on:
        errors["action_due_on"] = _("The corrective action is due after the audit.")
    if not engagement.is_active:
        errors["engagement"] = _("This engagement is no longer in the referential.")
    for field, record in (("site", site), ("case", case), ("evidence", evidence), ("document", document)):
        if record is not None and record.prefecture_id != audit.prefecture_id:
            errors[field] = _("This record belongs to another prefecture.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def finding_record(
    *,
    audit,
    by,
    kind,
    engagement,
    statement,
    action_due_on=None,
    site=None,
    case=None,
    evidence=None,
    document=None,
):
    """The auditor records a finding on their audit (not yet signed), optionally tied to a site, a case, a monthly
    measure (``evidence``) or a document of the evidence library (``document``), all of the audit's prefecture. A
    non-conformity waits for its corrective action, due on ``action_due_on``; an observation or a strong point needs
    none."""
    audit = Audit.objects.select_for_update(of=("self",)).select_related("prefecture").get(pk=audit.pk)
    check_auditor(by, audit)
    if not statement.strip():
        raise ValidationError({"statement": _("Write what was found.")})
    finding_check(
        audit=audit,
        kind=kind,
        engagement=engagement,
        action_due_on=action_due_on,
        site=site,
        case=case,
        evidence=evidence,
        document=document,
    )
    number = (audit.findings.aggregate(n=Max("number"))["n"] or 0) + 1
    finding = Finding(
        audit=audit,
        prefecture=audit.prefecture,
        number=number,
        reference=f"{audit.prefecture.department_code}-{audit.starts_on:%Y}-{audit.pk}-{number}",
        kind=kind,
        engagement=engagement,
        statement=statement.strip(),
        action_due_on=action_due_on if kind in NON_CONFORMITIES else None,
        site=site,
        case=case,
        evidence=evidence,
        document=document,
        status=F.OPEN if kind in NON_CONFORMITIES else F.NOTED,
        recorded_by=by or audit.auditor,
    )
    finding.full_clean()
    finding.save()
    _log(finding, "", finding.status, by=by)
    return finding


def _locked(finding):
    return (
        Finding.objects.select_for_update(of=("self",))
        .select_related("prefecture", "audit", "engagement")
        .get(pk=finding.pk)
    )


@transaction.atomic
def finding_answer(*, finding, by=None, title, description="", owner=None, service=None, action=None):
    """The prefecture answers a non-conformity with its corrective action: the committee's improvement action
    ``action`` (one of the prefecture's), or a new one created here, due when the finding says, its origin the
    finding and the indicator it should move the finding's engagement."""
    finding = _locked(finding)
    check_officer(by, finding.prefecture)
    to = FINDING_WORKFLOW.check(finding.status, F.ACTION_PLANNED)
    if action is None:
        action = action_create(
            prefecture=finding.prefecture,
            title=title,
            description=description or finding.statement,
            by=by,
            owner=owner,
            service=service,
            due_on=finding.action_due_on,
            indicator=finding.engagement.code,
            external_origin=True,
        )
    elif action.prefecture_id != finding.prefecture_id:
        raise ValidationError({"corrective_action": _("This action belongs to another prefecture.")})
    previous = finding.status
    finding.corrective_action, finding.status = action, to
    finding.save(update_fields=["corrective_action", "status"])
    _log(finding, previous, to, by=by, note=action.title)
    return finding


@transaction.atomic
def finding_request_closure(*, finding, by=None, note=""):
    """The prefecture asks the auditor to close the finding: its corrective action is done."""
    finding = _locked(finding)
    check_officer(by, finding.prefecture)
    to = FINDING_WORKFLOW.check(finding.status, F.CLOSURE_REQUESTED)
    if finding.corrective_action.status != ActionStatus.DONE:
        raise ValidationError(_("The corrective action must be done (with its outcome) before asking for closure."))
    previous, finding.status = finding.status, to
    finding.save(update_fields=["status"])
    _log(finding, previous, to, by=by, note=note)
    return finding


@transaction.atomic
def finding_accept_closure(*, finding, by, note=""):
    """The audit's auditor accepts the corrective action as done and closes the finding."""
    finding = _locked(finding)
    check_auditor(by, finding.audit)
    to = FINDING_WORKFLOW.check(finding.status, F.CLOSED)
    if finding.corrective_action is None or finding.corrective_action.status != ActionStatus.DONE:
        raise ValidationError(_("The corrective action is not done: the finding cannot be closed."))
    previous = finding.status
    finding.status, finding.closed_by, finding.closed_at = to, by or finding.audit.auditor, timezone.now()
    finding.save(update_fields=["status", "closed_by", "closed_at"])
    _log(finding, previous, to, by=by, note=note)
    return finding


@transaction.atomic
def finding_refuse_closure(*, finding, by, note):
    """The auditor refuses the closure, saying why: the corrective action goes on."""
    finding = _locked(finding)
    check_auditor(by, finding.audit)
    to = FINDING_WORKFLOW.check(finding.status, F.ACTION_PLANNED)
    if finding.status != F.CLOSURE_REQUESTED:
        raise ValidationError(_("No closure was requested."))
    if not note.strip():
        raise ValidationError({"note": _("Say why the closure is refused: the prefecture reads it.")})
    previous, finding.status = finding.status, to
    finding.save(update_fields=["status"])
    _log(finding, previous, to, by=by, note=note)
    return finding
