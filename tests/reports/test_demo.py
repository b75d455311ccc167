"""The demo holds an audit report: La Réunion's last complete quarter, built once, for the officer and the auditor."""

import io

import pytest
from pypdf import PdfReader

from demo.registry import LOADERS
from qualipref.demo import load_accounts, load_prefectures
from qualipref.models import User
from reports.demo import load_reports
from reports.enums import ReportStatus
from reports.models import AuditReport
from reports.services import scheduled_period

pytestmark = pytest.mark.django_db


def test_load_demo_builds_la_reunions_last_quarter_report_once(client, django_capture_on_commit_callbacks):
    assert load_reports in [loader for _description, loader in LOADERS]
    load_prefectures()
    load_accounts()
    with django_capture_on_commit_callbacks(execute=True):
        load_reports()
    report = AuditReport.objects.get()
    assert (report.prefecture.department_code, report.status, report.requested_by.email) == (
        "974",
        ReportStatus.DONE,
        "qualite.974@example.org",
    )
    assert report.period == scheduled_period(report.prefecture, "quarter")
    with report.file.open("rb") as handle:
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)
    assert "La Réunion" in text

    with django_capture_on_commit_callbacks(execute=True):
        load_reports()  # the second start of `make run` builds nothing
    assert AuditReport.objects.count() == 1

    client.force_login(User.objects.get(email="auditeur@example.org"))
    assert report.get_download_url() in client.get("/admin/reports/auditreport/").content.decode()


def test_a_demo_report_that_cannot_be_built_does_not_stop_load_demo(monkeypatch, django_capture_on_commit_callbacks):
    from reports import services

    load_prefectures()
    load_accounts()
    monkeypatch.setattr(services, "render_pdf", lambda html: (_ for _ in ()).throw(OSError("Pango is missing")))
    with django_capture_on_commit_callbacks(execute=True):  # the build runs once the request commits, as in `make run`
        load_reports()  # fails, and says so in the admin's list
    report = AuditReport.objects.get()
    assert (report.status, report.error) == (ReportStatus.FAILED, "OSError: Pango is missing")

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        load_reports()  # the next start asks again
    assert AuditReport.objects.latest("version").status == ReportStatus.DONE
