"""The officers' admin: build a report on demand, list them, share one with the committee."""

import pytest
from django.urls import reverse

from reports.enums import ReportStatus
from reports.models import AuditReport
from reports.tasks import build_audit_report
from tests.qualipref.factories import officer_of

from .conftest import QUARTER, auditor_of

pytestmark = pytest.mark.django_db


def test_officer_asks_for_a_report_from_the_admin(client, reunion, monkeypatch, on_commit_immediately):
    sent = []
    monkeypatch.setattr(build_audit_report, "delay", lambda report_id: sent.append(report_id))
    officer = officer_of(reunion)
    client.force_login(officer)
    url = reverse("admin:reports_auditreport_add")
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
    response = client.post(reverse("admin:reports_auditreport_add"), {"prefecture": other.pk, "period": "2026"})
    assert response.status_code == 200 and not AuditReport.objects.exists()


def test_a_wrong_period_is_refused_next_to_the_field(client, reunion):
    client.force_login(officer_of(reunion))
    response = client.post(reverse("admin:reports_auditreport_add"), {"prefecture": reunion.pk, "period": "T3"})
    assert response.status_code == 200 and response.context["form"].errors["period"]


def test_auditor_lists_reports_but_cannot_build_one(client, reunion, report):
    client.force_login(auditor_of(reunion))
    listing = client.get(reverse("admin:reports_auditreport_changelist"))
    assert listing.status_code == 200 and report.get_download_url() in listing.content.decode()
    assert client.get(reverse("admin:reports_auditreport_add")).status_code == 403


def test_officer_shares_a_report_with_the_committee(client, reunion, report):
    client.force_login(officer_of(reunion))
    response = client.post(
        reverse("admin:reports_auditreport_changelist"),
        {"action": "share_with_committee", "_selected_action": [report.pk]},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.shared_with_committee and report.shared_at


def _failed_report(prefecture, officer, *, status=ReportStatus.FAILED, started_at=None):
    from reports.services import report_create

    report, _created = report_create(prefecture=prefecture, period=QUARTER, by=officer)
    AuditReport.objects.filter(pk=report.pk).update(
        status=status, error="ModuleNotFoundError: No module named 'pypdf'", attempts=4, started_at=started_at
    )
    return report


@pytest.mark.parametrize("status", [ReportStatus.FAILED, ReportStatus.PENDING, ReportStatus.RUNNING])
def test_officer_builds_a_failed_or_stuck_report_again_from_the_admin(
    client, reunion, officer, quarter_data, on_commit_immediately, status
):
    import datetime

    from django.utils import timezone

    long_ago = timezone.now() - datetime.timedelta(hours=2)
    report = _failed_report(reunion, officer, status=status, started_at=long_ago)
    client.force_login(officer)
    response = client.post(
        reverse("admin:reports_auditreport_changelist"),
        {"action": "build_again", "_selected_action": [report.pk]},
        follow=True,
    )
    assert "1 rapport est en cours de reconstruction" in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    assert report.attempts == 1 and report.error == "" and report.page_count >= 6
    with report.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"


def test_a_report_done_or_being_built_is_not_built_again(client, reunion, officer, report, monkeypatch):
    from django.utils import timezone

    sent = []
    monkeypatch.setattr(build_audit_report, "delay", lambda report_id: sent.append(report_id))
    running = _failed_report(reunion, officer, status=ReportStatus.RUNNING, started_at=timezone.now())
    client.force_login(officer)
    response = client.post(
        reverse("admin:reports_auditreport_changelist"),
        {"action": "build_again", "_selected_action": [report.pk, running.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "est déjà construit" in page and "est en cours de construction" in page
    report.refresh_from_db()
    running.refresh_from_db()
    assert (report.status, running.status, sent) == (ReportStatus.DONE, ReportStatus.RUNNING, [])


def test_auditor_cannot_build_a_failed_report_again(client, reunion, officer, monkeypatch):
    sent = []
    monkeypatch.setattr(build_audit_report, "delay", lambda report_id: sent.append(report_id))
    report = _failed_report(reunion, officer)
    client.force_login(auditor_of(reunion))
    changelist = reverse("admin:reports_auditreport_changelist")
    assert "build_again" not in client.get(changelist).content.decode()
    client.post(changelist, {"action": "build_again", "_selected_action": [report.pk]})
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED and sent == []


def test_officer_cannot_build_another_prefectures_report_again(client, reunion, other, officer, monkeypatch):
    sent = []
    monkeypatch.setattr(build_audit_report, "delay", lambda report_id: sent.append(report_id))
    theirs = _failed_report(other, officer_of(other))
    client.force_login(officer)
    client.post(
        reverse("admin:reports_auditreport_changelist"),
        {"action": "build_again", "_selected_action": [theirs.pk]},
    )
    theirs.refresh_from_db()
    assert theirs.status == ReportStatus.FAILED and sent == []


def test_a_build_that_fails_without_a_worker_is_failed_and_can_be_built_again(
    client, reunion, officer, monkeypatch, on_commit_immediately
):
    """``make run`` builds in the web process (eager Celery): a failing build ends "failed" with its error, the page
    answers normally, and the officer can build it again."""
    from reports import services

    real_gather = services.gather

    def broken(prefecture, period):
        raise ModuleNotFoundError("No module named 'pypdf'")

    monkeypatch.setattr(services, "gather", broken)
    client.force_login(officer)
    response = client.post(reverse("admin:reports_auditreport_add"), {"prefecture": reunion.pk, "period": "2026-T3"})
    assert response.status_code == 302
    report = AuditReport.objects.get()
    assert report.status == ReportStatus.FAILED and "pypdf" in report.error

    monkeypatch.setattr(services, "gather", real_gather)
    monkeypatch.setattr(services, "render_pdf", lambda html, fetcher=None: (b"%PDF-1.4\n%%EOF\n", 1))
    client.post(
        reverse("admin:reports_auditreport_changelist"), {"action": "build_again", "_selected_action": [report.pk]}
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.page_count == 1
