"""A real Celery worker, against the real Redis and PostgreSQL, builds a real PDF whose text holds the figures."""

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from pypdf import PdfReader

from qualipref.celery import app as celery_app
from qualipref.reports.enums import ReportStatus
from qualipref.reports.services import report_request

from .conftest import QUARTER
from .test_data import expected_complaints

ROOT = Path(__file__).resolve().parents[2]


def _skip_reason():
    if not os.environ.get("REDIS_URL"):
        return "REDIS_URL is not set"
    if connection.vendor == "sqlite":
        return "the worker process cannot share an in-memory SQLite test database"
    return None


@pytest.fixture
def worker(transactional_db, settings):
    reason = _skip_reason()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the real worker test: {reason}")
        pytest.skip(reason)
    db = settings.DATABASES["default"]
    database_url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    # The worker writes the PDF where this test reads it: the test's private media folder.
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "true", "MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "qualipref",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def test_worker_builds_a_real_pdf_holding_the_figures(worker, reunion, officer, quarter_data):
    celery_app.conf.task_always_eager = False
    report = report_request(prefecture=reunion, period=QUARTER, by=officer)  # autocommit: sent at once
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.status in (ReportStatus.DONE, ReportStatus.FAILED):
            break
        time.sleep(0.5)
    assert report.status == ReportStatus.DONE, report.error or "the worker did not build the report in time"
    assert report.attempts == 1
    with open(Path(settings.MEDIA_ROOT) / report.file.name, "rb") as handle:
        data = handle.read()
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert report.page_count == len(PdfReader(io.BytesIO(data)).pages)
    total, on_time, settled = expected_complaints(reunion, QUARTER, reunion.today())
    assert f"{total}\n" in text
    assert f"{100 * on_time / settled:.1f} %".replace(".", ",") in text
    assert "La Réunion" in text
