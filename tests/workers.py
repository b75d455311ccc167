"""A real Celery worker, in its own process, on the test database and the real Redis.

Used by the tests that must see a task cross the broker (``worker`` fixture in tests/conftest.py).
"""

import contextlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def require_real_worker(what):
    """Skip without Redis or PostgreSQL (an in-memory SQLite test database cannot be shared); fail in CI."""
    reason = None
    if not os.environ.get("REDIS_URL"):
        reason = "REDIS_URL is not set: a worker needs a broker"
    elif connection.vendor != "postgresql":
        reason = "the worker process cannot share an in-memory SQLite test database"
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run {what}: {reason}")
        pytest.skip(reason)


@contextlib.contextmanager
def celery_worker(settings, *, loglevel="WARNING"):
    """Start ``celery worker`` (solo pool: tasks run in the process itself) and stop it afterwards."""
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "DEBUG": "true",
        # Files the worker writes land where the test reads them: the test's private media folder.
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    options = ["--pool", "solo", "--loglevel", loglevel, "--without-heartbeat", "--without-mingle", "--without-gossip"]
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", *options],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=20)
