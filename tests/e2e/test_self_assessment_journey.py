"""The self-assessment in the administration: an officer starts the campaign, fills two lines (a colleague rated the
others) and submits it; the auditor reaches it from the audit and reads it, frozen."""

import datetime

import pytest
from playwright.sync_api import expect

from audits.enums import AuditStatus, CycleStatus, SelfRating
from audits.models import SelfAssessment
from audits.services import audit_transition, label_cycle_apply, label_cycle_transition, self_assessment_line_save
from qualipref.enums import Label
from tests.audits.factories import auditor_of, planned_audit
from tests.engagements.factories import engagement
from tests.evidence.factories import document
from tests.qualipref.factories import officer_of

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
    audit = planned_audit(cycle, auditor, starts_on=today + datetime.timedelta(days=20))
    return audit_transition(audit=audit, to=AuditStatus.IN_PROGRESS)


def _fill(page, line, how_met, rating_label, documents=()):
    section = page.locator(f"#line-{line.pk}")
    section.get_by_label("Comment l’engagement est tenu").fill(how_met)
    section.get_by_label(rating_label, exact=True).check()
    if documents:
        section.get_by_label("Justificatifs", exact=True).select_option(label=list(documents))
    section.get_by_role("button", name="Enregistrer cette ligne").click()
    expect(page.locator(".messagelist")).to_contain_text(f"Ligne {line.engagement.code} enregistrée")


def test_the_officer_fills_and_submits_then_the_auditor_reads_it(new_tab, audit):
    prefecture = audit.prefecture
    officer = data.officer(prefecture)
    colleague = officer_of(prefecture, first_name="Julie", last_name="Hoarau")
    page = new_tab()
    admin_login(page, data.OFFICER_EMAIL, PASSWORD)
    axe = Audit(page)

    page.goto("/admin/audits/selfassessment/add/")
    page.locator("textarea[name=note]").fill("Autoévaluation annuelle avant l’audit de surveillance.")
    axe("the self-assessment's start form")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("Autoévaluation commencée")
    campaign = SelfAssessment.objects.get()
    letters = campaign.lines.get(engagement__code="COURRIERS-15J")
    complaints = campaign.lines.get(engagement__code="RECLAMATIONS-15J")
    # A colleague rated every other engagement meanwhile: saved line by line, nothing of theirs is lost.
    for line in campaign.lines.exclude(pk__in=[letters.pk, complaints.pk]):
        self_assessment_line_save(
            line=line, by=colleague, how_met="Procédure écrite.", rating=SelfRating.MET, revision=0
        )

    # The evidence library holds the letters' procedure: the officer attaches it to the line.
    procedure = document(prefecture, title="Procédure courrier", engagements=[engagement("COURRIERS-15J")])

    page.reload()
    axe("the self-assessment's grid, in progress")
    _fill(page, letters, "Tableau de suivi des courriers, relance à J+10.", "Atteint", ["Procédure courrier"])
    expect(
        page.locator(f"#line-{letters.pk}").get_by_role("link", name="Télécharger Procédure courrier")
    ).to_be_visible()
    axe("the self-assessment's grid, a line with its evidence")
    _fill(page, complaints, "Registre des réclamations, échéance calculée.", "Partiellement atteint")
    page.get_by_role("button", name="Soumettre l’autoévaluation").click()
    expect(page.locator(".messagelist")).to_contain_text("Autoévaluation soumise")
    expect(page.get_by_role("button", name="Enregistrer cette ligne")).to_have_count(0)
    axe("the self-assessment's grid, submitted")
    campaign.refresh_from_db()
    letters.refresh_from_db()
    assert campaign.submitted_by_id == officer.pk
    assert (letters.rating, letters.edited_by_id) == (SelfRating.MET, officer.pk)
    assert list(letters.documents.all()) == [procedure]
    assert campaign.lines.filter(edited_by=colleague).count() == campaign.lines.count() - 2

    auditor_page = new_tab()
    admin_login(auditor_page, "auditeur@example.org", PASSWORD)
    auditor_page.goto(f"/admin/audits/audit/{audit.pk}/change/")
    auditor_page.get_by_role("link", name=str(campaign)).click()
    expect(auditor_page.locator(f"#line-{letters.pk}")).to_contain_text("Tableau de suivi des courriers")
    expect(auditor_page.locator(f"#line-{complaints.pk}")).to_contain_text("Partiellement atteint")
    with auditor_page.expect_download() as downloaded:
        auditor_page.locator(f"#line-{letters.pk}").get_by_role("link", name="Télécharger Procédure courrier").click()
    assert downloaded.value.suggested_filename == procedure.current_version.file_name
    expect(auditor_page.get_by_text("Soumise par Nadia Payet")).to_be_visible()
    expect(auditor_page.get_by_role("button", name="Enregistrer cette ligne")).to_have_count(0)
    auditor_axe = Audit(auditor_page)
    auditor_axe("the submitted self-assessment, as the auditor reads it")
    axe.blocking += auditor_axe.blocking
    axe.assert_clean()
