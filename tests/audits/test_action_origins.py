"""An improvement action raised by an audit finding shows the finding as its origin wherever actions are listed:
in the admin's list and trace (linked for whoever may view findings), and on the public page (in public words)."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.enums import FindingKind
from audits.services import finding_answer, finding_record
from committee.enums import ActionStatus
from committee.origins import external_origins, public_origins
from committee.services import action_transition
from qualipref.enums import Role
from tests.committee.factories import CommitteeFactory, ImprovementActionFactory
from tests.engagements.factories import engagement
from tests.qualipref.factories import MembershipFactory, ServiceFactory

pytestmark = pytest.mark.django_db

LIST = "admin:committee_improvementaction_changelist"


def _answered(audit, auditor, officer, title="Relance à J+10"):
    finding = finding_record(
        audit=audit,
        by=auditor,
        kind=FindingKind.MINOR,
        engagement=engagement("COURRIERS-15J"),
        statement="Deux courriers au-delà de 15 jours ouvrés.",
        action_due_on=datetime.date(2026, 6, 1),
    )
    return finding_answer(finding=finding, by=officer, title=title)


def _reader_without_findings(prefecture):
    """A staff account of the prefecture that may read improvement actions but not audit findings."""
    service = ServiceFactory(prefecture=prefecture)
    user = MembershipFactory(prefecture=prefecture, role=Role.SERVICE_AGENT, service=service).user
    user.user_permissions.add(Permission.objects.get(codename="view_improvementaction"))
    return user


def test_the_finding_is_linked_only_for_whoever_may_view_findings(audit, auditor, officer, prefecture):
    finding = _answered(audit, auditor, officer)
    action = finding.corrective_action
    url = reverse("admin:audits_finding_change", args=[finding.pk])
    assert external_origins(action, officer) == [(url, str(finding))]
    assert external_origins(action, auditor) == [(url, str(finding))]
    assert external_origins(action, _reader_without_findings(prefecture)) == [(None, str(finding))]
    assert external_origins(action) == [(None, str(finding))]


def test_the_admin_list_shows_the_finding_as_the_action_s_origin_with_its_link(
    client, audit, auditor, officer, prefecture
):
    finding = _answered(audit, auditor, officer)
    client.force_login(officer)
    html = client.get(reverse(LIST)).content.decode()
    link = f'<a href="{reverse("admin:audits_finding_change", args=[finding.pk])}">{finding}</a>'
    assert link in html
    row = html[html.index("Relance à J+10") :]
    assert row[: row.index("</tr>")].count("—") == 0  # no dash where the origin stands


def test_the_admin_list_names_the_finding_without_a_link_for_whoever_may_not_view_it(
    client, audit, auditor, officer, prefecture
):
    finding = _answered(audit, auditor, officer)
    client.force_login(_reader_without_findings(prefecture))
    response = client.get(reverse(LIST))
    assert response.status_code == 200
    html = response.content.decode()
    assert str(finding) in html
    assert reverse("admin:audits_finding_change", args=[finding.pk]) not in html


def test_the_trace_names_the_finding_without_a_dead_link_for_whoever_may_not_view_it(
    client, audit, auditor, officer, prefecture
):
    finding = _answered(audit, auditor, officer)
    client.force_login(_reader_without_findings(prefecture))
    html = client.get(
        reverse("admin:committee_improvementaction_change", args=[finding.corrective_action.pk])
    ).content.decode()
    assert f"<li>{finding}</li>" in html
    assert 'href="#"' not in html


def test_an_action_with_no_origin_at_all_still_shows_a_dash(client, officer, prefecture):
    ImprovementActionFactory(prefecture=prefecture, title="Sans origine", origin_survey_question="")
    client.force_login(officer)
    html = client.get(reverse(LIST)).content.decode()
    row = html[html.index("Sans origine") :]
    assert "—" in row[: row.index("</tr>")]


def test_the_list_s_queries_do_not_grow_with_the_actions_raised_by_findings(client, audit, auditor, officer):
    _answered(audit, auditor, officer, title="Première")
    client.force_login(officer)
    client.get(reverse(LIST))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse(LIST))
    for n in range(4):
        _answered(audit, auditor, officer, title=f"Action {n}")
    with CaptureQueriesContext(connection) as five:
        html = client.get(reverse(LIST)).content.decode()
    assert len(re.findall(r'href="/admin/audits/finding/\d+/change/"', html)) == 5
    assert len(five) == len(one)


def test_the_public_page_says_a_done_action_came_from_an_audit_of_the_label(client, audit, auditor, officer):
    CommitteeFactory(prefecture=audit.prefecture)
    action = _answered(audit, auditor, officer).corrective_action
    action.public_origin = ""
    action.save()
    action_transition(action=action, to=ActionStatus.IN_PROGRESS, by=officer)
    action_transition(action=action, to=ActionStatus.DONE, by=officer, outcome="Relance automatique à J+10.")
    assert public_origins(action) == ["un audit du label"]

    html = client.get(reverse("committee:public", kwargs={"slug": audit.prefecture.slug})).content.decode()
    assert "Relance automatique à J+10." in html
    assert "<li>un audit du label</li>" in html
    assert "/admin/audits/finding/" not in html  # the public never gets the admin's link
