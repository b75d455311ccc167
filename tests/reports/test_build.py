"""Building a report: the PDF and its figures, versions, schedules, failures and retries, the command."""

import datetime
import hashlib
import io

import pytest
import time_machine
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone
from pypdf import PdfReader

from qualipref.mail import OutgoingEmail
from reports import services
from reports.enums import ReportStatus
from reports.models import AuditReport
from reports.services import report_create, report_request, reports_sweep
from reports.tasks import build_audit_report, schedule_audit_reports

from .conftest import PREVIOUS, QUARTER
from .test_data import expected_complaints

pytestmark = pytest.mark.django_db


def pdf_text(report):
    with report.file.open("rb") as handle:
        data = handle.read()
    return data, "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_officer_request_builds_a_pdf_holding_the_figures_and_mails_the_officer(
    reunion, officer, quarter_data, on_commit_immediately, mailoutbox
):
    fetched = []
    original = services.render_pdf

    def spying_render(html, fetcher=None):
        from qualipref.pdf import StaticOnlyFetcher

        fetcher = StaticOnlyFetcher()
        fetched.append(fetcher)
        return original(html, fetcher=fetcher)

    services.render_pdf, restore = spying_render, services.render_pdf
    try:
        report = report_request(prefecture=reunion, period=QUARTER, by=officer)
    finally:
        services.render_pdf = restore
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    data, text = pdf_text(report)
    assert report.sha256 == hashlib.sha256(data).hexdigest()
    assert report.size == len(data)
    assert report.page_count == len(PdfReader(io.BytesIO(data)).pages) >= 6
    # The figures, computed independently from the fixture's rows, in French format.
    total, on_time, settled = expected_complaints(reunion, QUARTER, reunion.today())
    share = f"{100 * on_time / settled:.1f}".replace(".", ",")
    assert f"{total}\n" in text and share == "66,7" and f"{share} %" in text
    assert f"{on_time} of {settled}" in text or f"{on_time} sur {settled}" in text
    assert "La Réunion" in text and "Qualipref" in text
    assert "3e trimestre 2026" in text or "3rd quarter 2026" in text
    # A citizen's subject is printed as text; nothing but our static files and data: URIs was read.
    assert "evil.example" in text
    assert all(url == "data:" or url.startswith("static:") for url in fetched[0].fetched)
    # The detailed CSV beside it: one line per complaint measured.
    with report.csv_file.open("rb") as handle:
        lines = handle.read().decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + 6
    assert OutgoingEmail.objects.get(purpose="audit_report_ready").to == officer.email
    assert [message.to for message in mailoutbox] == [[officer.email]]
    assert f"/rapports/{report.pk}/telecharger/" in mailoutbox[0].body


def test_each_request_is_a_new_version_and_a_schedule_asks_once_per_period(reunion, officer):
    first, _created = report_create(prefecture=reunion, period=QUARTER, by=officer)
    second, _created = report_create(prefecture=reunion, period=QUARTER, by=officer)
    assert (first.version, second.version) == (1, 2)
    scheduled, created = report_create(prefecture=reunion, period=QUARTER, schedule="quarterly")
    again, created_again = report_create(prefecture=reunion, period=QUARTER, schedule="quarterly")
    assert created and not created_again and again == scheduled and scheduled.version == 3
    AuditReport.objects.filter(pk=scheduled.pk).update(status=ReportStatus.FAILED)
    retried, created = report_create(prefecture=reunion, period=QUARTER, schedule="quarterly")
    assert created and retried.version == 4


def test_beat_fan_out_asks_each_prefecture_once_even_when_run_twice(reunion, other, monkeypatch):
    monkeypatch.setattr(build_audit_report, "delay_on_commit", lambda *args, **kwargs: None)
    with time_machine.travel(datetime.datetime(2026, 10, 15, 9, tzinfo=datetime.UTC)):
        schedule_audit_reports("quarter")
        schedule_audit_reports("quarter")
    reports = AuditReport.objects.order_by("prefecture__department_code")
    assert [(r.prefecture.department_code, str(r.period), r.schedule) for r in reports] == [
        ("94", str(QUARTER), "quarterly"),
        ("974", str(QUARTER), "quarterly"),
    ]


def test_a_schedule_builds_the_quarter_over_in_each_prefecture_own_time(reunion, other, monkeypatch):
    monkeypatch.setattr(build_audit_report, "delay_on_commit", lambda *args, **kwargs: None)
    # 23:30 on 30 September in Créteil, already 1:30 on 1 October in Saint-Denis de La Réunion.
    with time_machine.travel(datetime.datetime(2026, 9, 30, 21, 30, tzinfo=datetime.UTC)):
        schedule_audit_reports("quarter")
    reports = AuditReport.objects.order_by("prefecture__department_code")
    assert [(r.prefecture.department_code, str(r.period)) for r in reports] == [
        ("94", str(PREVIOUS)),
        ("974", str(QUARTER)),
    ]


def test_a_done_report_is_not_built_again(reunion, officer, monkeypatch):
    report, _created = report_create(prefecture=reunion, period=QUARTER, by=officer)
    AuditReport.objects.filter(pk=report.pk).update(status=ReportStatus.DONE, sha256="0" * 64, size=1)
    monkeypatch.setattr(services, "gather", lambda *a, **k: pytest.fail("built twice"))
    assert build_audit_report.apply(args=[report.pk]).get() is None
    report.refresh_from_db()
    assert report.attempts == 0


@pytest.fixture
def eager_retries():
    """Eager tasks run their retries at once, when their errors are not raised to the caller."""
    from config.celery import app

    previous = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = previous


def test_a_transient_failure_is_recorded_then_retried_until_the_report_is_done(
    reunion, officer, monkeypatch, eager_retries
):
    report, _created = report_create(prefecture=reunion, period=QUARTER, by=officer)
    calls = []
    real_gather = services.gather

    def flaky(prefecture, period):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real_gather(prefecture, period)

    monkeypatch.setattr(services, "gather", flaky)
    monkeypatch.setattr(services, "render_pdf", lambda html, fetcher=None: (_tiny_pdf(), 1))
    build_audit_report.apply(args=[report.pk])
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    assert report.attempts == 2 and len(calls) == 2


def test_a_build_failing_every_time_is_failed_with_its_error_and_the_officer_told(
    reunion, officer, monkeypatch, eager_retries
):
    report, _created = report_create(prefecture=reunion, period=QUARTER, by=officer)

    def broken(prefecture, period):
        raise ValueError("données incohérentes")

    monkeypatch.setattr(services, "gather", broken)
    build_audit_report.apply(args=[report.pk])
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert report.error == "ValueError: données incohérentes"
    assert report.attempts == services.MAX_ATTEMPTS
    email = OutgoingEmail.objects.get(purpose="audit_report_failed")
    assert email.to == officer.email and "données incohérentes" in email.body_text


def test_sweep_retries_a_build_a_dead_worker_left_running(reunion, officer, monkeypatch):
    report, _created = report_create(prefecture=reunion, period=QUARTER, by=officer)
    long_ago = timezone.now() - datetime.timedelta(hours=2)
    AuditReport.objects.filter(pk=report.pk).update(status=ReportStatus.RUNNING, started_at=long_ago, attempts=1)
    sent = []
    monkeypatch.setattr(build_audit_report, "delay_on_commit", lambda report_id: sent.append(report_id))
    monkeypatch.setattr(build_audit_report, "delay", lambda report_id: sent.append(report_id))
    assert reports_sweep() == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.PENDING and sent == [report.pk]
    AuditReport.objects.filter(pk=report.pk).update(
        status=ReportStatus.RUNNING, started_at=long_ago, attempts=services.MAX_ATTEMPTS
    )
    reports_sweep()
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert report.error


@pytest.mark.parametrize("typed", ["2026-Q3", "2026-T3", "2026-07", "2026"])
def test_command_accepts_every_period_spelling(reunion, typed, monkeypatch):
    monkeypatch.setattr(services, "render_pdf", lambda html, fetcher=None: (_tiny_pdf(), 1))
    out = io.StringIO()
    call_command("build_audit_report", "--prefecture", "974", "--period", typed, stdout=out)
    report = AuditReport.objects.get()
    assert report.status == ReportStatus.DONE
    assert out.getvalue().strip() == report.file.path


def _tiny_pdf():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
