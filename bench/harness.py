"""What the HTTP benchmarks share: their own PostgreSQL database and Redis database, production
settings with the rate limits lifted, gunicorn on a free loopback port, a kept-alive client, percentiles, the
benches' prefecture, CSRF tokens of forms, client threads.

Used by ``complaints_submit.py``, ``load.py``, ``national.py`` and ``reports.py`` (run as
``python bench/<script>.py``: this folder is on the path).
"""

import http.client
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent

# Production settings, except the static files storage: the manifest needs `collectstatic`,
# which a benchmark has no reason to run (pages only print the static files' URLs).
SETTINGS_MODULE = """
from config.settings import *  # noqa: F403

STATIC_STORAGE = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
STORAGES = {**STORAGES, "staticfiles": STATIC_STORAGE}  # noqa: F405
"""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_url(default, *, without):
    """``BENCH_REDIS_URL`` (or ``default``) if that Redis answers, else "" and a word on what ``without`` means."""
    url = os.environ.get("BENCH_REDIS_URL", default)
    if not url:
        return ""
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=2).ping()
    except redis.RedisError:
        print(f"Redis unreachable at {url}: {without}.")
        return ""
    return url


def redis_flush(url):
    """Empty the benchmark's own Redis database (queued e-mail tasks, cache keys)."""
    if url:
        import redis

        redis.Redis.from_url(url).flushdb()


def environment(database_url, broker_url, work_dir):
    """The server's environment: production settings on the benchmark's database, rate limits lifted."""
    (work_dir / "bench_settings.py").write_text(SETTINGS_MODULE)
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(work_dir), str(ROOT)]),
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": broker_url,
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-that-signs-nothing-of-value",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "RATELIMIT_ENABLE": "false",
        "EMAIL_URL": "dummymail://",
        "MEDIA_ROOT": str(work_dir / "media"),
        "LOG_LEVEL": "WARNING",
    }


def _admin_connection(url):
    import psycopg2

    try:
        connection = psycopg2.connect(
            host=url.hostname, port=url.port or 5432, user=url.username, password=url.password, dbname="postgres"
        )
    except psycopg2.OperationalError as error:
        sys.exit(f"PostgreSQL is not reachable at {url.hostname}:{url.port}: {error}")
    connection.autocommit = True
    return connection


def database_recreate(database_url):
    url = urllib.parse.urlparse(database_url)
    name = url.path.lstrip("/")
    connection = _admin_connection(url)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    return url, name


def database_drop(url, name):
    connection = _admin_connection(url)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    connection.close()


def gunicorn_start(env, port, workers, log_path):
    """gunicorn with gthread workers as in the Dockerfile; returns once ``/healthz`` answers."""
    command = [
        str(VENV_BIN / "gunicorn"),
        "config.wsgi:application",
        *("--bind", f"127.0.0.1:{port}", "--worker-class", "gthread", "--workers", str(workers)),
        *("--threads", "4", "--timeout", "60", "--log-level", "warning"),
    ]
    log = open(log_path, "wb")  # noqa: SIM115 (closed when gunicorn stops)
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    process.log = log
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {process.returncode}; see {log_path}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.2)
    gunicorn_stop(process)
    raise RuntimeError(f"gunicorn did not answer /healthz within 30 s; see {log_path}")


def gunicorn_stop(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    process.log.close()


class Client:
    """One visitor after another on a kept-alive connection; reconnects when the server closes it."""

    def __init__(self, port):
        self.port = port
        self.connection = None

    def request(self, method, path, body=None, headers=None):
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.connection.request(method, path, body=body, headers=headers or {})
                response = self.connection.getresponse()
                return response, response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle kept-alive connection: only a GET is sent again; a POST
                # may have been received, so it counts as an error.
                self.connection.close()
                self.connection = None
                if method != "GET" or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
CSRF_COOKIE = re.compile(r"csrftoken=([^;]+)")
COMPLAINT_TEXT = "Attente de trois heures au guichet des titres de séjour, sans information."


def form_token(response, content):
    """The CSRF token of a form page, and the headers that send its cookie back (``RuntimeError`` if missing)."""
    cookie = CSRF_COOKIE.search(response.getheader("Set-Cookie") or "")
    token = CSRF_INPUT.search(content)
    if not cookie or not token:
        raise RuntimeError("no CSRF token on the form")
    return token.group(1).decode(), {"Cookie": f"csrftoken={cookie.group(1)}"}


def bench_prefecture(slug):
    """La Réunion under ``slug``, with two services and its prefecture's site: ``(prefecture, services, site)``."""
    from django.core.management import call_command

    from qualipref.models import Prefecture, Service, Site

    call_command("migrate", verbosity=0)
    prefecture = Prefecture.objects.create(
        department_code="974",
        name="La Réunion",
        slug=slug,
        time_zone="Indian/Reunion",
        holiday_subdivision="974",
        contact_email="courrier@reunion.example.org",
        contact_phone="0262 40 77 77",
    )
    services = [
        Service.objects.create(prefecture=prefecture, name=name, email=f"{mailbox}@reunion.example.org")
        for name, mailbox in [("Accueil général", "accueil"), ("Titres de séjour", "etrangers")]
    ]
    return prefecture, services, Site.objects.create(prefecture=prefecture, name="Préfecture de Saint-Denis")


def run_threads(target, argument_lists):
    """Run ``target(*arguments)`` in one thread per argument list; return the seconds until all are done."""
    threads = [threading.Thread(target=target, args=arguments) for arguments in argument_lists]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def timed(label, func):
    """Run ``func()`` in the configured Django (``DEBUG`` on, so queries are counted); print and return
    ``(result, queries, seconds)``."""
    from django.db import connection, reset_queries

    reset_queries()
    start = time.perf_counter()
    result = func()
    elapsed = time.perf_counter() - start
    queries = len(connection.queries)
    print(f"{label}: {queries} queries, {elapsed:.2f} s")
    return result, queries, elapsed
