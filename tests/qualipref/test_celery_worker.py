"""A real Celery worker, against the real Redis, runs a task whose effect lands in the database."""

import datetime
import time

import pytest

from config.celery import app as celery_app
from qualipref.enums import Label
from qualipref.tasks import refresh_next_audit
from tests.workers import celery_worker, require_real_worker

from .factories import PrefectureFactory


@pytest.fixture
def worker(transactional_db, settings):
    require_real_worker("the real worker test")
    with celery_worker(settings) as process:
        yield process


def test_worker_runs_a_task_and_its_effect_is_in_the_database(worker):
    celery_app.conf.task_always_eager = False
    prefecture = PrefectureFactory(
        label=Label.QUALIPREF, label_awarded_on=datetime.date(2020, 2, 29), next_audit_on=None
    )
    result = refresh_next_audit.delay(prefecture.pk)
    value = result.get(timeout=60)
    expected = prefecture.scheduled_next_audit(prefecture.today())
    assert value == expected.isoformat()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        prefecture.refresh_from_db()
        if prefecture.next_audit_on:
            break
        time.sleep(0.2)
    assert prefecture.next_audit_on == expected


def test_tasks_are_sent_only_after_the_transaction_commits(worker):
    from django.db import transaction

    celery_app.conf.task_always_eager = False
    prefecture = PrefectureFactory(
        label=Label.MARIANNE, label_awarded_on=datetime.date(2026, 1, 10), next_audit_on=None
    )
    with transaction.atomic():
        refresh_next_audit.delay_on_commit(prefecture.pk)
        time.sleep(2)  # a worker given the task now would find nothing to do yet
        prefecture.refresh_from_db()
        assert prefecture.next_audit_on is None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and prefecture.next_audit_on is None:
        time.sleep(0.3)
        prefecture.refresh_from_db()
    assert prefecture.next_audit_on == datetime.date(2027, 7, 10)
