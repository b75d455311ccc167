"""A real Celery worker killed (SIGKILL, no clean-up) in the middle of building an audit report's PDF: the
report is never left "running" for good — the periodic sweep sends it to be built again, and it is built."""

import datetime
import signal
import time

import pytest
import time_machine
from django.utils import timezone

from config.celery import app as celery_app
from engagements.periods import Period
from reports.enums import ReportStatus
from reports.services import TIME_LIMIT, report_request
from reports.tasks import sweep_audit_reports
from tests.qualipref.factories import officer_of
from tests.workers import celery_worker, require_real_worker

QUARTER = Period.quarter(2026, 3)


@pytest.fixture
def worker(transactional_db, settings):
    require_real_worker("the killed-worker test")
    with celery_worker(settings) as process:
        yield process


def wait_for(report, status, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.status == status:
            return report
        time.sleep(0.02)
    raise AssertionError(f"the report stayed {report.status}, never {status}")


def test_a_report_worker_killed_mid_build_is_retried_never_stuck_running(worker, reunion):
    officer = officer_of(reunion)
    celery_app.conf.task_always_eager = False  # the worker builds it (the suite's fixture restores eager)
    report = report_request(prefecture=reunion, period=QUARTER, by=officer)

    wait_for(report, ReportStatus.RUNNING)  # the worker has claimed it and is gathering or rendering
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=20)
    report.refresh_from_db()
    assert report.status == ReportStatus.RUNNING and not report.file, "killed before the PDF was stored"
    assert report.attempts == 1

    # Celery beat's sweep, once no live build can still hold it: the report is tried again, and built.
    celery_app.conf.task_always_eager = True
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=TIME_LIMIT + 120)):
        assert sweep_audit_reports.delay().get() == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.file and report.page_count > 0
    assert report.attempts == 2
