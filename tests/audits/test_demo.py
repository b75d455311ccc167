"""The audit cycle's demo: La Réunion's label awarded and renewed, an audit with two findings, one closed."""

import pytest

from audits.demo import load_audits
from audits.enums import AuditStatus, CycleStatus, FindingStatus
from audits.models import Audit, CycleStep, Finding, LabelCycle
from committee.enums import ActionStatus
from qualipref.demo import load_accounts, load_prefectures
from qualipref.enums import Label
from qualipref.models import Prefecture

pytestmark = pytest.mark.django_db


def test_the_demo_walks_the_cycle_and_is_idempotent():
    load_prefectures()
    load_accounts()
    cycle = load_audits()

    assert cycle.status == CycleStatus.RENEWED and cycle.certificate_sha256
    assert list(CycleStep.objects.filter(cycle=cycle).values_list("to_status", flat=True)) == [
        CycleStatus.APPLIED,
        CycleStatus.INITIAL_AUDIT,
        CycleStatus.AWARDED,
        CycleStatus.RENEWAL_AUDIT,
        CycleStatus.RENEWED,
    ]
    latest = Audit.objects.filter(cycle=cycle).order_by("-starts_on").first()
    assert latest.status == AuditStatus.SIGNED and len(latest.signed_sha256) == 64
    findings = list(Finding.objects.filter(audit=latest).select_related("corrective_action").order_by("number"))
    assert [f.status for f in findings] == [FindingStatus.CLOSED, FindingStatus.ACTION_PLANNED]
    assert findings[0].corrective_action.status == ActionStatus.DONE and findings[0].closed_by == latest.auditor
    assert findings[1].corrective_action.status == ActionStatus.PROPOSED

    load_prefectures()  # the core's loader resets the prefecture's label; the cycle's loader records it again
    assert load_audits() == cycle
    reunion = Prefecture.objects.get(department_code="974")
    assert (reunion.label, reunion.label_awarded_on) == (Label.QUALIPREF, cycle.awarded_on)
    assert LabelCycle.objects.count() == 1 and Finding.objects.count() == 2


def test_the_demo_has_a_label_covering_only_some_sites():
    from audits.demo import load_network_cycles

    load_prefectures()
    cycle = load_network_cycles()
    gironde = Prefecture.objects.get(department_code="33")
    assert (cycle.prefecture, cycle.label, cycle.status) == (gironde, Label.MARIANNE, CycleStatus.AWARDED)
    assert cycle.sites.count() == 2 < gironde.sites.count()
    assert (gironde.label, gironde.label_awarded_on) == (Label.MARIANNE, cycle.awarded_on)
    assert load_network_cycles() == cycle and LabelCycle.objects.count() == 1
