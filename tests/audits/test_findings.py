"""Findings: the auditor's, answered by the committee's improvement action, closed only on the auditor's word;
the signed report's fingerprint."""

import datetime
import hashlib
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audits.enums import AuditStatus, FindingKind, FindingStatus
from audits.models import Finding
from audits.services import (
    audit_sign,
    finding_accept_closure,
    finding_answer,
    finding_record,
    finding_refuse_closure,
    finding_request_closure,
)
from committee.enums import ActionStatus
from committee.models import ImprovementAction
from committee.origins import external_origins
from committee.services import action_save, action_transition
from qualipref.workflow import TransitionRefused
from tests.committee.factories import ImprovementActionFactory
from tests.complaints.factories import CaseFactory
from tests.engagements.factories import engagement
from tests.qualipref.factories import SiteFactory

from .factories import auditor_of

pytestmark = pytest.mark.django_db


def _nc(audit, auditor, **fields):
    return finding_record(
        audit=audit,
        by=auditor,
        kind=fields.pop("kind", FindingKind.MINOR),
        engagement=fields.pop("engagement", engagement("COURRIERS-15J")),
        statement=fields.pop("statement", "Deux courriers au-delà de 15 jours ouvrés."),
        action_due_on=fields.pop("action_due_on", datetime.date(2026, 6, 1)),
        **fields,
    )


def _done(action, by):
    action_transition(action=action, to=ActionStatus.IN_PROGRESS, by=by)
    return action_transition(action=action, to=ActionStatus.DONE, by=by, outcome="Plus aucun retard en mai.")


def test_the_auditor_records_numbered_findings_tied_to_an_engagement(audit, auditor, prefecture):
    case = CaseFactory(prefecture=prefecture)
    first = _nc(audit, auditor, case=case)
    second = finding_record(
        audit=audit,
        by=auditor,
        kind=FindingKind.STRONG_POINT,
        engagement=engagement("COMITE-USAGERS"),
        statement="Comité très actif.",
    )
    assert (first.number, second.number) == (1, 2)
    assert first.status == FindingStatus.OPEN and first.case == case
    assert second.status == FindingStatus.NOTED and second.action_due_on is None
    assert first.reference == f"{prefecture.department_code}-2026-{audit.pk}-1"


def test_a_non_conformity_needs_the_due_date_of_its_corrective_action(audit, auditor):
    with pytest.raises(ValidationError, match="due"):
        _nc(audit, auditor, action_due_on=None)


def test_only_the_audit_s_auditor_records_findings(audit, prefecture, officer):
    other_auditor = auditor_of(prefecture)
    for user in (officer, other_auditor):
        with pytest.raises(PermissionDenied):
            _nc(audit, user)
    assert not Finding.objects.exists()


def test_a_finding_s_site_or_case_of_another_prefecture_is_refused(audit, auditor):
    with pytest.raises(ValidationError):
        _nc(audit, auditor, site=SiteFactory())
    with pytest.raises(ValidationError):
        _nc(audit, auditor, case=CaseFactory())


def test_the_corrective_action_is_the_committee_s_improvement_action_with_the_finding_as_origin(
    audit, auditor, officer
):
    finding = finding_answer(finding=_nc(audit, auditor), by=officer, title="Relance à J+10")

    action = ImprovementAction.objects.get()
    assert finding.corrective_action == action and finding.status == FindingStatus.ACTION_PLANNED
    assert (action.due_on, action.indicator) == (datetime.date(2026, 6, 1), "COURRIERS-15J")
    assert list(action.audit_findings.all()) == [finding]  # the origin, by the reverse relation
    assert external_origins(action, officer) == [(f"/admin/audits/finding/{finding.pk}/change/", str(finding))]
    # The action, with no origin of the committee's own, can still be edited and saved.
    action.title = "Relance automatique à J+10"
    action_save(action=action, origin_cases=[], by=officer)


def test_an_action_of_another_prefecture_cannot_answer_a_finding(audit, auditor, officer):
    other = ImprovementActionFactory()
    with pytest.raises(ValidationError):
        finding_answer(finding=_nc(audit, auditor), by=officer, title="", action=other)


def test_closure_needs_the_action_done_and_the_auditor_s_acceptance(audit, auditor, officer):
    finding = finding_answer(finding=_nc(audit, auditor), by=officer, title="Relance à J+10")
    with pytest.raises(ValidationError):
        finding_request_closure(finding=finding, by=officer)
    _done(finding.corrective_action, officer)
    finding = finding_request_closure(finding=finding, by=officer, note="Fait")
    with pytest.raises(PermissionDenied):  # the officer cannot close it
        finding_accept_closure(finding=finding, by=officer)

    finding = finding_accept_closure(finding=finding, by=auditor, note="Écart levé")

    assert (finding.status, finding.closed_by) == (FindingStatus.CLOSED, auditor)
    assert list(finding.transitions.values_list("to_status", flat=True)) == [
        FindingStatus.OPEN,
        FindingStatus.ACTION_PLANNED,
        FindingStatus.CLOSURE_REQUESTED,
        FindingStatus.CLOSED,
    ]
    with pytest.raises(TransitionRefused):
        finding_refuse_closure(finding=finding, by=auditor, note="Trop tard")


def test_a_refused_closure_says_why_and_the_action_goes_on(audit, auditor, officer):
    finding = finding_answer(finding=_nc(audit, auditor), by=officer, title="Relance à J+10")
    _done(finding.corrective_action, officer)
    finding = finding_request_closure(finding=finding, by=officer)
    with pytest.raises(ValidationError):
        finding_refuse_closure(finding=finding, by=auditor, note="")
    finding = finding_refuse_closure(finding=finding, by=auditor, note="Un seul mois mesuré : attendre trois mois.")
    assert finding.status == FindingStatus.ACTION_PLANNED
    assert finding.transitions.last().note == "Un seul mois mesuré : attendre trois mois."


def test_the_signed_report_keeps_the_sha256_of_the_canonical_json_signed(audit, auditor, prefecture):
    _nc(audit, auditor)
    signed = audit_sign(audit=audit, by=auditor)

    assert signed.status == AuditStatus.SIGNED and signed.signed_by == auditor and signed.signed_at
    assert signed.signed_sha256 == hashlib.sha256(signed.signed_content.encode()).hexdigest()
    content = json.loads(signed.signed_content)
    assert content["audit"]["prefecture"] == prefecture.department_code
    assert [f["engagement"] for f in content["findings"]] == ["COURRIERS-15J"]
    # Signed, the audit takes no new finding.
    with pytest.raises(ValidationError):
        _nc(audit, auditor)


def test_only_the_audit_s_auditor_signs_and_only_once(audit, auditor, officer):
    with pytest.raises(PermissionDenied):
        audit_sign(audit=audit, by=officer)
    audit_sign(audit=audit, by=auditor)
    with pytest.raises(TransitionRefused):
        audit_sign(audit=audit, by=auditor)
