"""A delivery file's import interrupted half-way (the worker raising, or killed outright) leaves no
half-imported month: no record, histogram or statistic of that file, the months as they were before."""

import datetime
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count
from django.db.models.functions import TruncMonth

from delays.enums import ImportStatus
from delays.models import DelayHistogram, DeliveryImport, DeliveryRecord, MonthlyDelay, MonthPublication, TitleType
from delays.referential import seed_title_types
from delays.services import delivery_import_check, delivery_import_create
from tests.delays.factories import csv_bytes, run_import

ROOT = Path(__file__).resolve().parents[2]
NOVEMBER, DECEMBER = datetime.date(2025, 11, 1), datetime.date(2025, 12, 1)


class WorkerKilled(Exception):
    pass


class DyingFile(io.BytesIO):
    """A file whose reading stops with an error past ``after`` bytes: the worker dies mid-import."""

    def __init__(self, data, *, after):
        super().__init__(data)
        self.after = after

    def read(self, size=-1):
        if self.tell() >= self.after:
            raise WorkerKilled("the worker was stopped in the middle of the file")
        return super().read(size)

    def readinto(self, buffer):
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def rows(prefecture, count):
    """``count`` deliveries, November and December interleaved, so that any cut leaves both months half-read."""
    lines = []
    for n in range(count):
        month = (NOVEMBER, DECEMBER)[n % 2]
        delivered = month.replace(day=1 + n % 28)
        filed = delivered - datetime.timedelta(days=10 + n % 50)
        lines.append((prefecture.department_code, "TS-PREMIERE", "", filed.isoformat(), delivered.isoformat()))
    return lines


def months_state(prefecture):
    """What the public figures are made of, month by month."""
    records = DeliveryRecord.objects.filter(prefecture=prefecture)
    by_month = records.annotate(month=TruncMonth("delivered_on")).values("month").annotate(n=Count("pk"))
    return {
        "records": sorted((row["month"], row["n"]) for row in by_month.order_by()),
        "histogram": sorted(
            DelayHistogram.objects.filter(prefecture=prefecture).values_list("month", "delay_days", "count")
        ),
        "statistics": sorted(
            MonthlyDelay.objects.filter(prefecture=prefecture).values_list("month", "site_id", "count", "total_days")
        ),
        "months": sorted(MonthPublication.objects.filter(prefecture=prefecture).values_list("month", "status")),
    }


def records_of(delivery_import):
    return DeliveryRecord.objects.filter(source_import_id=delivery_import.pk).count()


@pytest.fixture
def reunion_with_november(reunion):
    """La Réunion with November already imported and counted (three deliveries)."""
    seed_title_types(TitleType)  # a flush by a live-server test would have taken the migration's rows
    run_import(reunion, csv_bytes(rows(reunion, 6)[::2]), name="novembre.csv")
    return reunion


@pytest.mark.django_db
def test_an_import_interrupted_half_way_leaves_no_half_imported_month(reunion_with_november):
    reunion = reunion_with_november
    before = months_state(reunion)
    data = csv_bytes(rows(reunion, 70_000))  # about 2.7 MB: the reader takes it a megabyte at a time
    delivery_import = delivery_import_create(
        prefecture=reunion, fileobj=io.BytesIO(data), name="novembre-decembre.csv", store_file=False
    )

    with pytest.raises(WorkerKilled):
        delivery_import_check(import_id=delivery_import.pk, fileobj=DyingFile(data, after=len(data) // 2))

    assert months_state(reunion) == before
    assert records_of(delivery_import) == 0 and not delivery_import.bad_row_set.exists()
    delivery_import.refresh_from_db()
    assert delivery_import.status == ImportStatus.QUEUED  # as before: the redelivered task checks it again

    # The task comes back (Celery's acks_late): the whole file, once.
    delivery_import = delivery_import_check(import_id=delivery_import.pk, fileobj=io.BytesIO(data))
    assert delivery_import.status == ImportStatus.ACCEPTED
    assert records_of(delivery_import) == 70_000
    after = dict(months_state(reunion)["records"])
    assert after == {NOVEMBER: 3 + 35_000, DECEMBER: 35_000}


def _import_in_a_subprocess(path, database_name):
    env = {**os.environ, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "config.settings"}
    settings_dict = connection.settings_dict
    env["DATABASE_URL"] = (
        f"postgres://{settings_dict['USER']}@{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}"
        f"/{database_name}"
    )
    env.pop("REDIS_URL", None)  # the cache of progress figures is not what is tested here
    return subprocess.Popen(
        [sys.executable, "manage.py", "import_deliveries", str(path), "--prefecture", "974"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _copy_running():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND state = 'active' AND query ILIKE 'COPY%%delays_deliveryrecord%%'"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a second process shares the database on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_an_import_process_killed_mid_copy_leaves_no_half_imported_month(reunion_with_november, tmp_path):
    reunion = reunion_with_november
    before = months_state(reunion)
    path = tmp_path / "novembre-decembre.csv"
    path.write_bytes(csv_bytes(rows(reunion, 300_000)))

    process = _import_in_a_subprocess(path, connection.settings_dict["NAME"])
    deadline = time.monotonic() + 60
    while not _copy_running():
        assert process.poll() is None, "the import ended before it could be interrupted"
        assert time.monotonic() < deadline, "the import never started writing"
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)  # no clean-up of any kind: like an OOM kill
    process.wait(timeout=30)

    # PostgreSQL ends the dead session's transaction: nothing of the file counts, in no month.
    deadline = time.monotonic() + 10
    while _copy_running() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert months_state(reunion) == before
    killed = DeliveryImport.objects.get(original_name="novembre-decembre.csv")
    assert killed.status == ImportStatus.QUEUED and records_of(killed) == 0


@pytest.mark.django_db
def test_the_same_file_can_be_imported_again_by_the_command_after_it_died(reunion_with_november):
    from delays.services import ImportRefused

    data = csv_bytes(rows(reunion_with_november, 10))
    died = delivery_import_create(
        prefecture=reunion_with_november, fileobj=io.BytesIO(data), name="a.csv", store_file=False
    )
    with pytest.raises(WorkerKilled):
        delivery_import_check(import_id=died.pk, fileobj=DyingFile(data, after=0))
    try:
        delivery_import_create(
            prefecture=reunion_with_november, fileobj=io.BytesIO(data), name="a.csv", store_file=False
        )
    except ImportRefused as refused:
        pytest.fail(refused.message)


@pytest.mark.django_db
def test_an_uploaded_import_waiting_for_its_task_keeps_its_file_hash(reunion_with_november):
    from delays.services import ImportRefused

    data = csv_bytes(rows(reunion_with_november, 10))
    waiting = delivery_import_create(prefecture=reunion_with_november, fileobj=io.BytesIO(data), name="a.csv")
    with pytest.raises(ImportRefused):
        delivery_import_create(prefecture=reunion_with_november, fileobj=io.BytesIO(data), name="a.csv")
    waiting.refresh_from_db()
    assert waiting.status == ImportStatus.QUEUED  # its Celery task retries it from the stored file
