"""The officers' admin: build a report on demand, list them, share one with the committee."""

import pytest
from django.urls import reverse

from qualipref.reports.enums import ReportStatus
from qualipref.reports.models import AuditReport
from qualipref.reports.tasks import build_audit_report
from tests.qualipref.factories import officer_of

from .conftest import QUARTER, auditor_of

pytestmark = pytest.mark.django_db


def test_officer_asks_for_a_report_from_the_admin(client, reunion, monkeypatch, on_commit_immediately):
    sent = []
    monkeypatch.setattr(build_audit_report, "delay", lambda report_id: sent.append(report_id))
    officer = officer_of(reunion)
    client.force_login(officer)
    url = reverse("admin:qualipref_auditreport_add")
    assert client.get(url).status_code == 200
    response = client.post(url, {"prefecture": reunion.pk, "period": "2026-T3"})
    assert response.status_code == 302
    report = AuditReport.objects.get()
    assert (report.prefecture, str(report.period), report.requested_by, report.status) == (
        reunion,
        str(QUARTER),
        officer,
        ReportStatus.PENDING,
    )
    assert sent == [report.pk]


def test_officer_cannot_ask_for_another_prefectures_report(client, reunion, other):
    client.force_login(officer_of(reunion))
    response = client.post(reverse("admin:qualipref_auditreport_add"), {"prefecture": other.pk, "period": "2026"})
    assert response.status_code == 200 and not AuditReport.objects.exists()


def test_a_wrong_period_is_refused_next_to_the_field(client, reunion):
    client.force_login(officer_of(reunion))
    response = client.post(reverse("admin:qualipref_auditreport_add"), {"prefecture": reunion.pk, "period": "T3"})
    assert response.status_code == 200 and response.context["form"].errors["period"]


def test_auditor_lists_reports_but_cannot_build_one(client, reunion, report):
    client.force_login(auditor_of(reunion))
    listing = client.get(reverse("admin:qualipref_auditreport_changelist"))
    assert listing.status_code == 200 and report.get_download_url() in listing.content.decode()
    assert client.get(reverse("admin:qualipref_auditreport_add")).status_code == 403


def test_officer_shares_a_report_with_the_committee(client, reunion, report):
    client.force_login(officer_of(reunion))
    response = client.post(
        reverse("admin:qualipref_auditreport_changelist"),
        {"action": "share_with_committee", "_selected_action": [report.pk]},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.shared_with_committee and report.shared_at
