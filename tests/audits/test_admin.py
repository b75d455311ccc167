"""The audit cycle in the admin: the auditor's finding and acceptance, the officer's answer, scoped downloads,
lists in a bounded number of queries, the dashboard and the network page."""

import datetime
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.enums import AuditStatus, CycleStatus, FindingKind, FindingStatus
from audits.models import Finding, LabelCycle
from audits.services import audit_sign, audit_transition, finding_answer, finding_record, label_cycle_transition
from committee.enums import ActionStatus
from committee.services import action_transition
from qualipref.enums import Label
from qualipref.uploads import validate_upload
from tests.complaints.factories import PDF_BYTES
from tests.engagements.factories import engagement
from tests.qualipref.factories import PrefectureFactory

from .factories import auditor_of, awarded_cycle, planned_audit

pytestmark = pytest.mark.django_db


def _finding(audit, auditor, **fields):
    return finding_record(
        audit=audit,
        by=auditor,
        kind=FindingKind.MINOR,
        engagement=engagement("COURRIERS-15J"),
        statement="Deux courriers au-delà de 15 jours ouvrés.",
        action_due_on=datetime.date(2026, 6, 1),
        **fields,
    )


def test_the_auditor_records_a_finding_in_the_admin(client, audit, auditor):
    client.force_login(auditor)
    response = client.post(
        reverse("admin:audits_finding_add"),
        {
            "audit": audit.pk,
            "kind": FindingKind.MAJOR,
            "engagement": engagement("ATTENTE-GUICHET").pk,
            "statement": "Temps d’attente affiché non mis à jour.",
            "action_due_on": "2026-07-01",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    finding = Finding.objects.get()
    assert (finding.kind, finding.status, finding.recorded_by) == (FindingKind.MAJOR, FindingStatus.OPEN, auditor)


def test_a_non_conformity_without_due_date_is_refused_on_the_form(client, audit, auditor):
    client.force_login(auditor)
    response = client.post(
        reverse("admin:audits_finding_add"),
        {
            "audit": audit.pk,
            "kind": FindingKind.MINOR,
            "engagement": engagement("COURRIERS-15J").pk,
            "statement": "Écart",
        },
    )
    assert response.status_code == 200 and not Finding.objects.exists()
    assert response.context["adminform"].form.errors


def test_an_officer_cannot_add_a_finding(client, audit, officer):
    client.force_login(officer)
    assert client.get(reverse("admin:audits_finding_add")).status_code == 403


def test_officer_answers_then_the_auditor_accepts_the_closure_in_the_admin(client, audit, auditor, officer):
    finding = _finding(audit, auditor)
    url = reverse("admin:audits_finding_change", args=[finding.pk])
    client.force_login(officer)
    response = client.post(url, {"decision": "answer", "action_title": "Relance à J+10"} | _inline_management())
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.corrective_action.title == "Relance à J+10"
    action_transition(action=finding.corrective_action, to=ActionStatus.IN_PROGRESS, by=officer)
    action_transition(action=finding.corrective_action, to=ActionStatus.DONE, by=officer, outcome="Fait")

    client.force_login(auditor)
    page = client.get(url).content.decode()
    assert 'value="accept"' in page and 'value="answer"' not in page
    response = client.post(url, {"decision": "accept", "decision_note": "Écart levé"} | _inline_management())
    assert response.status_code == 302
    finding.refresh_from_db()
    assert (finding.status, finding.closed_by) == (FindingStatus.CLOSED, auditor)


def _inline_management():
    return {"transitions-TOTAL_FORMS": "0", "transitions-INITIAL_FORMS": "0"}


def test_the_action_s_trace_links_to_its_finding(client, audit, auditor, officer):
    finding = finding_answer(finding=_finding(audit, auditor), by=officer, title="Relance à J+10")
    client.force_login(officer)
    page = client.get(
        reverse("admin:committee_improvementaction_change", args=[finding.corrective_action.pk])
    ).content.decode()
    assert reverse("admin:audits_finding_change", args=[finding.pk]) in page


def test_the_auditor_signs_off_from_the_list_and_downloads_what_was_signed(client, audit, auditor, officer):
    _finding(audit, auditor)
    client.force_login(auditor)
    response = client.post(
        reverse("admin:audits_audit_changelist"), {"action": "sign_off", "_selected_action": [audit.pk]}
    )
    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.status == AuditStatus.SIGNED
    download = client.get(reverse("admin:audits_audit_signed_report", args=[audit.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    assert hashlib.sha256(download.content).hexdigest() == audit.signed_sha256


def test_an_officer_cannot_sign_off(client, audit, officer):
    client.force_login(officer)
    client.post(reverse("admin:audits_audit_changelist"), {"action": "sign_off", "_selected_action": [audit.pk]})
    audit.refresh_from_db()
    assert audit.status == AuditStatus.IN_PROGRESS


def test_the_certificate_is_downloaded_by_the_prefecture_s_users_only(client, prefecture, officer):
    cycle = awarded_cycle(PrefectureFactory(label=Label.NONE, label_awarded_on=None))
    own = awarded_cycle(prefecture)
    label_cycle_transition(cycle=own, to=CycleStatus.RENEWAL_AUDIT, on=datetime.date(2027, 12, 1))
    certificate = validate_upload(SimpleUploadedFile("renouvellement.pdf", PDF_BYTES, content_type="application/pdf"))
    own = label_cycle_transition(cycle=own, to=CycleStatus.RENEWED, on=datetime.date(2028, 2, 1), document=certificate)
    client.force_login(officer)
    response = client.get(reverse("admin:audits_labelcycle_certificate", args=[own.pk]))
    assert response.status_code == 200, response.status_code
    assert "no-store" in response["Cache-Control"]
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == own.certificate_sha256
    assert client.get(reverse("admin:audits_labelcycle_certificate", args=[cycle.pk])).status_code == 404
    assert client.get(reverse("admin:audits_labelcycle_certificate", args=[cycle.pk + 99])).status_code == 404


def test_the_officer_moves_the_cycle_from_its_page(client, prefecture, officer):
    cycle = awarded_cycle(prefecture)
    url = reverse("admin:audits_labelcycle_change", args=[cycle.pk])
    data = {"certifying_body": "AFNOR Certification", "steps-TOTAL_FORMS": "0", "steps-INITIAL_FORMS": "0"}
    refused = client.force_login(officer) or client.post(
        url, data | {"new_status": "suspended", "step_on": "2025-09-01"}
    )
    assert refused.status_code == 200  # a suspension needs its reason
    response = client.post(
        url, data | {"new_status": "suspended", "step_on": "2025-09-01", "step_note": "Écart majeur non levé"}
    )
    assert response.status_code == 302
    assert LabelCycle.objects.get(pk=cycle.pk).status == CycleStatus.SUSPENDED


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["labelcycle", "audit", "finding"])
def test_lists_take_the_same_queries_whatever_the_rows(client, name):
    from qualipref.enums import Role
    from tests.qualipref.factories import MembershipFactory

    user = MembershipFactory(prefecture=None, role=Role.NATIONAL_COORDINATOR).user
    client.force_login(user)
    url = reverse(f"admin:audits_{name}_changelist")

    def add_one():
        prefecture = PrefectureFactory(label=Label.NONE, label_awarded_on=None)
        auditor = auditor_of(prefecture)
        audit = audit_transition(audit=planned_audit(awarded_cycle(prefecture), auditor), to=AuditStatus.IN_PROGRESS)
        finding_answer(finding=_finding(audit, auditor), by=None, title="Action")

    add_one()
    _queries(client, url)
    one = _queries(client, url)
    for _ in range(3):
        add_one()
    assert _queries(client, url) == one


def test_dashboard_and_network_show_the_cycle_s_position(client, prefecture, officer):
    awarded_cycle(prefecture)
    client.force_login(officer)
    dashboard = client.get(reverse("admin:index")).content.decode()
    assert "Label attribué" in dashboard
    network = client.get(reverse("results:network")).content.decode()
    assert "Audit de surveillance attendu le 10 mars 2026" in network


def test_the_network_shows_a_per_site_label_s_sites_and_a_withdrawn_label_without_its_reason(client, prefecture):
    from tests.qualipref.factories import SiteFactory

    SiteFactory(prefecture=prefecture, name="Saint-Paul")
    awarded_cycle(prefecture, sites=[SiteFactory(prefecture=prefecture, name="Saint-Pierre")])
    withdrawn = PrefectureFactory(label=Label.NONE, label_awarded_on=None, name="Mayotte")
    label_cycle_transition(
        cycle=awarded_cycle(withdrawn), to=CycleStatus.WITHDRAWN, on=datetime.date(2026, 1, 5), note="Renoncement"
    )
    network = client.get(reverse("results:network")).content.decode()
    assert "Sites couverts\u00a0: Saint-Pierre" in network and "Saint-Paul" not in network
    row = network[network.index("Mayotte") :]
    row = row[: row.index("</tr>")]
    assert "Label retiré" in row and "depuis le 5 janvier 2026" in row
    assert "Renoncement" not in network  # the reason is for those who keep the label


def test_the_dashboard_shows_why_the_label_is_suspended(client, prefecture, officer):
    label_cycle_transition(
        cycle=awarded_cycle(prefecture),
        to=CycleStatus.SUSPENDED,
        on=datetime.date(2025, 9, 1),
        note="Non-conformité majeure non levée",
    )
    client.force_login(officer)
    dashboard = client.get(reverse("admin:index")).content.decode()
    assert "Label suspendu" in dashboard and "depuis le 1er septembre 2025" in dashboard
    assert "Motif\u00a0: Non-conformité majeure non levée" in dashboard


def test_the_officer_applies_for_a_label_covering_some_sites_in_the_admin(client, prefecture, officer):
    from tests.qualipref.factories import SiteFactory

    covered, _other = SiteFactory(prefecture=prefecture), SiteFactory(prefecture=prefecture)
    foreign = SiteFactory()
    client.force_login(officer)
    data = {"prefecture": prefecture.pk, "label": Label.QUALIPREF, "applied_on": "10/01/2026"}
    data |= {"steps-TOTAL_FORMS": "0", "steps-INITIAL_FORMS": "0"}
    refused = client.post(reverse("admin:audits_labelcycle_add"), data | {"sites": [foreign.pk]})
    assert refused.status_code == 200 and "sites" in refused.context["adminform"].form.errors
    response = client.post(reverse("admin:audits_labelcycle_add"), data | {"sites": [covered.pk]})
    assert response.status_code == 302, response.context["adminform"].form.errors
    cycle = LabelCycle.objects.get(prefecture=prefecture)
    assert list(cycle.sites.all()) == [covered]
    assert cycle.steps.get().by == officer


def test_signed_audit_plans_are_read_only_for_the_auditor(client, audit, auditor):
    audit_sign(audit=audit, by=auditor)
    client.force_login(auditor)
    response = client.get(reverse("admin:audits_audit_change", args=[audit.pk]))
    assert response.status_code == 200
    assert not response.context["has_change_permission"]


def test_a_second_current_cycle_for_the_same_label_is_refused_on_the_form(client, prefecture, officer):
    awarded_cycle(prefecture)
    client.force_login(officer)
    response = client.post(
        reverse("admin:audits_labelcycle_add"),
        {"prefecture": prefecture.pk, "label": Label.QUALIPREF, "applied_on": "10/01/2026"},
    )
    assert response.status_code == 200 and "label" in response.context["adminform"].form.errors
    assert LabelCycle.objects.filter(prefecture=prefecture).count() == 1
