"""Audits: planned by an officer, carried out and signed off by their auditor."""

import hashlib
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..enums import AuditKind, AuditStatus, CycleStatus
from ..models import Audit, AuditTransition, Finding, LabelCycle
from ..perms import check_auditor, check_auditor_role, check_officer
from ..workflow import AUDIT_WORKFLOW

# Which audits a cycle at each status may receive.
KINDS_BY_STATUS = {
    CycleStatus.APPLIED: {AuditKind.INITIAL},
    CycleStatus.INITIAL_AUDIT: {AuditKind.INITIAL},
    CycleStatus.AWARDED: {AuditKind.SURVEILLANCE, AuditKind.RENEWAL},
    CycleStatus.RENEWAL_AUDIT: {AuditKind.RENEWAL},
    CycleStatus.RENEWED: {AuditKind.SURVEILLANCE, AuditKind.RENEWAL},
    CycleStatus.SUSPENDED: {AuditKind.SURVEILLANCE},
}


def audit_check(*, cycle, kind, auditor, sites=(), sampled_cases=()):
    """Raise ``ValidationError`` (by field) when an audit so described may not be saved."""
    errors = {}
    if kind not in KINDS_BY_STATUS.get(cycle.status, ()):
        errors["kind"] = _("A cycle at “%(status)s” cannot receive this type of audit.") % {
            "status": cycle.get_status_display()
        }
    try:
        check_auditor_role(auditor, cycle.prefecture)
    except PermissionDenied as refused:
        errors["auditor"] = str(refused)
    if any(site.prefecture_id != cycle.prefecture_id for site in sites):
        errors["sites"] = _("These sites belong to another prefecture.")
    if any(case.prefecture_id != cycle.prefecture_id for case in sampled_cases):
        errors["sampled_cases"] = _("These cases belong to another prefecture.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def audit_save(*, audit, by=None, sites=None, sampled_cases=None):
    """Plan ``audit`` (new) or change its plan (dates, auditor, sites, sample) while it is not signed."""
    cycle = LabelCycle.objects.select_related("prefecture").get(pk=audit.cycle_id)
    check_officer(by, cycle.prefecture)
    adding = audit._state.adding
    if not adding:
        current = Audit.objects.select_for_update(of=("self",)).values_list("status", flat=True).get(pk=audit.pk)
        if current == AuditStatus.SIGNED:
            raise ValidationError(_("A signed audit is not changed any more."))
    sites = list(audit.sites.all() if sites is None and not adding else sites or ())
    sampled_cases = list(audit.sampled_cases.all() if sampled_cases is None and not adding else sampled_cases or ())
    audit_check(cycle=cycle, kind=audit.kind, auditor=audit.auditor, sites=sites, sampled_cases=sampled_cases)
    audit.prefecture = cycle.prefecture
    audit.full_clean()
    audit.save()
    audit.sites.set(sites)
    audit.sampled_cases.set(sampled_cases)
    if adding:
        AuditTransition.objects.create(audit=audit, from_status="", to_status=audit.status, by=by)
    return audit


@transaction.atomic
def audit_sample(*, audit, cases, by=None):
    """Add ``cases`` to the sample the auditor looks at (the auditor or an officer)."""
    audit = Audit.objects.select_for_update(of=("self",)).select_related("prefecture").get(pk=audit.pk)
    if by is not None and by.pk != audit.auditor_id:
        check_officer(by, audit.prefecture)
    if audit.status == AuditStatus.SIGNED:
        raise ValidationError(_("A signed audit is not changed any more."))
    cases = list(cases)
    if any(case.prefecture_id != audit.prefecture_id for case in cases):
        raise ValidationError({"sampled_cases": _("These cases belong to another prefecture.")})
    audit.sampled_cases.add(*cases)
    return audit


@transaction.atomic
def audit_transition(*, audit, to, by=None, note=""):
    """Start (or put back to planned, or cancel) an audit: the officers' moves. Signing is ``audit_sign``'s."""
    audit = Audit.objects.select_for_update(of=("self",)).select_related("prefecture").get(pk=audit.pk)
    to = AUDIT_WORKFLOW.check(audit.status, to)
    if to == AuditStatus.SIGNED:
        raise ValidationError(_("Only the auditor signs the report off."))
    if by is not None and by.pk != audit.auditor_id:
        check_officer(by, audit.prefecture)
    previous, audit.status = audit.status, to
    audit.save(update_fields=["status"])
    AuditTransition.objects.create(audit=audit, from_status=previous, to_status=to, by=by, note=note)
    return audit


def report_content(audit):
    """The audit report as the auditor signs it: a plain dict of the audit and its findings, in a fixed order."""
    findings = Finding.objects.filter(audit=audit).select_related("engagement", "site", "case").order_by("number")
    return {
        "audit": {
            "id": audit.pk,
            "prefecture": audit.prefecture.department_code,
            "label": audit.cycle.label,
            "type": audit.kind,
            "starts_on": audit.starts_on.isoformat(),
            "ends_on": audit.ends_on.isoformat(),
            "auditor": audit.auditor.email,
            "sites_visited": sorted(audit.sites.values_list("name", flat=True)),
            "cases_sampled": sorted(audit.sampled_cases.values_list("reference", flat=True)),
            "scope": audit.scope_note,
        },
        "findings": [
            {
                "reference": finding.reference,
                "type": finding.kind,
                "engagement": finding.engagement.code,
                "statement": finding.statement,
                "site": finding.site.name if finding.site else None,
                "case": finding.case.reference if finding.case else None,
                "corrective_action_due_on": finding.action_due_on.isoformat() if finding.action_due_on else None,
            }
            for finding in findings
        ],
    }


def canonical_json(content):
    """One text for one content: sorted keys, no blanks, UTF-8 as is; its SHA-256 is what the signature keeps."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_of(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@transaction.atomic
def audit_sign(*, audit, by):
    """The auditor signs the report off: the canonical JSON of the audit and its findings is kept with its
    SHA-256, who signed and when; the audit is then closed to changes and to new findings."""
    audit = (
        Audit.objects.select_for_update(of=("self",)).select_related("prefecture", "cycle", "auditor").get(pk=audit.pk)
    )
    check_auditor(by, audit)
    to = AUDIT_WORKFLOW.check(audit.status, AuditStatus.SIGNED)
    content = canonical_json(report_content(audit))
    audit.signed_content = content
    audit.signed_sha256 = sha256_of(content)
    audit.signed_by = by or audit.auditor
    audit.signed_at = timezone.now()
    previous, audit.status = audit.status, to
    audit.save(update_fields=["status", "signed_content", "signed_sha256", "signed_by", "signed_at"])
    AuditTransition.objects.create(audit=audit, from_status=previous, to_status=to, by=by)
    return audit
