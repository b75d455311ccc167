"""The auditor's journey in the administration: a finding recorded on their audit, then, once the prefecture's
corrective action is done, its closure accepted."""

import datetime

import pytest
from playwright.sync_api import expect

from audits.enums import AuditStatus, CycleStatus, FindingKind, FindingStatus
from audits.models import Finding
from audits.services import (
    audit_transition,
    finding_answer,
    finding_request_closure,
    label_cycle_apply,
    label_cycle_transition,
)
from committee.enums import ActionStatus
from committee.services import action_transition
from engagements.models import Engagement
from qualipref.enums import Label
from tests.audits.factories import auditor_of, planned_audit
from tests.evidence.factories import document

from . import data
from .browser import admin_login
from .conftest import PASSWORD
from .test_accessibility import Audit

pytestmark = pytest.mark.e2e


@pytest.fixture
def audit(transactional_db):
    prefecture = data.reunion()
    prefecture.label, prefecture.label_awarded_on = Label.NONE, None
    prefecture.save()
    auditor = auditor_of(prefecture, email="auditeur@example.org", first_name="Philippe", last_name="Lebon")
    today = prefecture.today()
    cycle = label_cycle_apply(prefecture=prefecture, applied_on=today - datetime.timedelta(days=500))
    label_cycle_transition(cycle=cycle, to=CycleStatus.INITIAL_AUDIT, on=today - datetime.timedelta(days=450))
    cycle = label_cycle_transition(cycle=cycle, to=CycleStatus.AWARDED, on=today - datetime.timedelta(days=400))
    audit = planned_audit(cycle, auditor, starts_on=today - datetime.timedelta(days=1))
    return audit_transition(audit=audit, to=AuditStatus.IN_PROGRESS)


def test_the_auditor_records_a_finding_and_accepts_its_closure(new_tab, audit):
    officer = data.officer(audit.prefecture)
    page = new_tab()
    admin_login(page, "auditeur@example.org", PASSWORD)
    axe = Audit(page)

    procedure = document(audit.prefecture, title="Procédure courrier")
    page.goto("/admin/audits/finding/add/")
    page.locator("select[name=audit]").select_option(str(audit.pk))
    page.locator("select[name=kind]").select_option(FindingKind.MINOR)
    page.locator("select[name=engagement]").select_option(str(Engagement.objects.get(code="COURRIERS-15J").pk))
    page.locator("textarea[name=statement]").fill("Deux courriers de l’échantillon ont reçu leur réponse en 19 jours.")
    due = audit.prefecture.today() + datetime.timedelta(days=60)
    page.locator("input[name=action_due_on]").fill(due.strftime("%d/%m/%Y"))
    page.locator("select[name=document]").select_option(str(procedure.pk))
    axe("the finding's add form")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("ajouté")
    finding = Finding.objects.get()
    assert (finding.status, finding.recorded_by_id, finding.action_due_on) == (
        FindingStatus.OPEN,
        audit.auditor_id,
        due,
    )
    assert finding.document == procedure

    # The prefecture answers, carries the action out and asks for closure.
    finding = finding_answer(finding=finding, by=officer, title="Relance automatique des courriers à J+10")
    action_transition(action=finding.corrective_action, to=ActionStatus.IN_PROGRESS, by=officer)
    action_transition(action=finding.corrective_action, to=ActionStatus.DONE, by=officer, outcome="Aucun retard.")
    finding_request_closure(finding=finding, by=officer)

    page.goto(f"/admin/audits/finding/{finding.pk}/change/")
    expect(page.get_by_role("link", name="Relance automatique des courriers à J+10")).to_be_visible()
    expect(page.get_by_role("link", name="Procédure courrier (version 1)")).to_be_visible()
    axe("the finding's page, closure requested")
    page.locator("select[name=decision]").select_option("accept")
    page.locator("textarea[name=decision_note]").fill("Écart levé : plus aucun retard sur le mois.")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_be_visible()
    finding.refresh_from_db()
    assert (finding.status, finding.closed_by_id) == (FindingStatus.CLOSED, audit.auditor_id)
    axe.assert_clean()
