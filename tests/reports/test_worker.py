"""A real Celery worker, against the real Redis and PostgreSQL, builds a real PDF whose text holds the figures."""

import io
import time
from pathlib import Path

import pytest
from django.conf import settings
from pypdf import PdfReader

from config.celery import app as celery_app
from reports.enums import ReportStatus
from reports.services import report_request
from tests.workers import celery_worker, require_real_worker

from .conftest import QUARTER
from .test_data import expected_complaints

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker(transactional_db, settings):
    require_real_worker("the real worker test")
    with celery_worker(settings) as process:
        yield process


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
