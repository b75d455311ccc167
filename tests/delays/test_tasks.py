"""The Celery jobs of the imports: a check that stops is marked failed, with a message, and never blocks the
file; imports left behind (a dead worker, no decision) are closed by the daily job."""

import datetime
import io

import pytest
import time_machine
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone

from delays import services
from delays.enums import ImportSource, ImportStatus
from delays.models import DeliveryRecord
from delays.services import delivery_import_create
from delays.tasks import check_delivery_import, expire_stale_delivery_imports

from .factories import csv_bytes, delays_pairs, deliveries, run_import

pytestmark = pytest.mark.django_db

JANUARY = datetime.date(2026, 1, 1)


def uploaded(prefecture, data):
    return delivery_import_create(
        prefecture=prefecture, fileobj=io.BytesIO(data), name="livraisons.csv", source=ImportSource.ADMIN
    )


def stopping(error):
    def check_rows(delivery_import, fileobj):
        raise error

    return check_rows


@pytest.mark.parametrize(
    ("error", "raised", "message"),
    [
        (SoftTimeLimitExceeded(), None, "took too long"),
        (RuntimeError("disk full"), RuntimeError, "unexpected error"),
    ],
)
def test_a_check_that_stops_fails_the_import_and_frees_the_file(reunion, monkeypatch, error, raised, message):
    data = csv_bytes(deliveries(reunion, "TS-PREMIERE", delays_pairs(JANUARY, [10, 20])))
    delivery_import = uploaded(reunion, data)
    monkeypatch.setattr(services, "_check_rows", stopping(error))
    if raised:
        with pytest.raises(raised):
            check_delivery_import(delivery_import.pk)
    else:
        assert check_delivery_import(delivery_import.pk) == ImportStatus.FAILED
    delivery_import.refresh_from_db()
    assert delivery_import.status == ImportStatus.FAILED and message in delivery_import.message
    assert not DeliveryRecord.objects.exists()

    monkeypatch.undo()
    again = uploaded(reunion, data)  # the same file is welcome again
    assert check_delivery_import(again.pk) == ImportStatus.ACCEPTED
    assert DeliveryRecord.objects.count() == 2


def test_the_daily_job_closes_what_was_left_behind(reunion):
    rows = deliveries(reunion, "TS-PREMIERE", delays_pairs(JANUARY, [10]))
    now = timezone.now()
    with time_machine.travel(now - datetime.timedelta(days=31), tick=False):
        waiting = run_import(reunion, csv_bytes(rows), auto_accept=False)  # never decided
    with time_machine.travel(now - datetime.timedelta(hours=7), tick=False):
        dead = uploaded(reunion, csv_bytes(rows + rows))  # its worker died, its task never came back
    recent = uploaded(reunion, csv_bytes(rows * 3))  # its check is still to come
    assert waiting.status == ImportStatus.AWAITING_REVIEW and DeliveryRecord.objects.count() == 1

    assert expire_stale_delivery_imports() == 2

    for delivery_import in (waiting, dead, recent):
        delivery_import.refresh_from_db()
    assert waiting.status == ImportStatus.REJECTED and "No decision" in waiting.message
    assert dead.status == ImportStatus.FAILED and "never finished" in dead.message
    assert recent.status == ImportStatus.QUEUED
    assert not DeliveryRecord.objects.exists()


def test_a_database_error_is_tried_again(reunion, monkeypatch):
    from django.db import OperationalError

    data = csv_bytes(deliveries(reunion, "TS-PREMIERE", delays_pairs(JANUARY, [10])))
    delivery_import = uploaded(reunion, data)
    check_rows, failures = services._check_rows, []

    def once_then_fine(delivery_import, fileobj):
        if not failures:
            failures.append("deadlock")
            raise OperationalError("deadlock detected")
        return check_rows(delivery_import, fileobj)

    monkeypatch.setattr(services, "_check_rows", once_then_fine)
    # Eager, as in the tests, Celery runs the retry at once; a worker sends it again a minute later.
    assert check_delivery_import.apply(args=[delivery_import.pk], throw=False).get() == ImportStatus.ACCEPTED
    delivery_import.refresh_from_db()
    assert delivery_import.status == ImportStatus.ACCEPTED and not delivery_import.message
    assert failures == ["deadlock"] and DeliveryRecord.objects.count() == 1
