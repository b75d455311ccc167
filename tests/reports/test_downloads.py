"""Who may download a report: its prefecture's officers and auditors; its committee once shared; nobody else."""

import pytest
from django.urls import reverse

from qualipref.enums import Role
from qualipref.services import membership_grant
from reports.enums import ReportStatus
from reports.models import AuditReport
from reports.services import report_share
from tests.qualipref.factories import UserFactory, coordinator, officer_of

from .conftest import PDF, auditor_of, committee_member

pytestmark = pytest.mark.django_db


def get(client, user, report, name="audit_report_download"):
    if user is not None:
        client.force_login(user)
    return client.get(reverse(name, kwargs={"pk": report.pk}))


def test_officer_and_auditor_of_the_prefecture_download_the_pdf(client, reunion, report):
    for user in (officer_of(reunion), auditor_of(reunion), coordinator()):
        response = get(client, user, report)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]
        assert response["Cache-Control"].startswith("private")


def test_officer_of_another_prefecture_gets_404(client, other, report):
    assert get(client, officer_of(other), report).status_code == 404
    assert get(client, officer_of(other), report, "audit_report_csv").status_code == 404


def test_auditor_of_another_prefecture_gets_404(client, other, report):
    assert get(client, auditor_of(other), report).status_code == 404


def test_service_agent_of_the_prefecture_gets_404(client, reunion, report):
    from tests.qualipref.factories import ServiceFactory

    agent = UserFactory(is_staff=True)
    membership_grant(
        user=agent, role=Role.SERVICE_AGENT, prefecture=reunion, service=ServiceFactory(prefecture=reunion)
    )
    assert get(client, agent, report).status_code == 404


def test_anonymous_visitor_gets_404(client, report):
    assert get(client, None, report).status_code == 404


def test_committee_member_downloads_only_once_the_report_is_shared(client, reunion, report):
    member = committee_member(reunion)
    assert get(client, member, report).status_code == 404
    report_share(report=report, shared=True)
    assert get(client, member, report).status_code == 200
    report_share(report=report, shared=False)
    assert get(client, member, report).status_code == 404


def test_member_of_another_committee_gets_404_even_when_shared(client, other, report):
    report_share(report=report, shared=True)
    assert get(client, committee_member(other), report).status_code == 404


def test_a_report_not_built_yet_is_404_even_for_its_officer(client, reunion, report):
    AuditReport.objects.filter(pk=report.pk).update(status=ReportStatus.FAILED)
    assert get(client, officer_of(reunion), report).status_code == 404


def test_shared_reports_are_listed_in_the_members_space(client, reunion, report):
    member = committee_member(reunion)
    client.force_login(member)
    assert reverse("audit_report_download", kwargs={"pk": report.pk}) not in client.get("/comite/").content.decode()
    report_share(report=report, shared=True)
    page = client.get(reverse("committee:space")).content.decode()
    assert reverse("audit_report_download", kwargs={"pk": report.pk}) in page
