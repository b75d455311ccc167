"""The portal installed and started as production does, for the production-parity tests.

- ``runtime_venv()``: ``.venv-prod``, made by ``make install VENV=.venv-prod``: the runtime dependencies of
  pyproject.toml only, never the ``dev`` extra. Kept between runs; made again from scratch when pyproject.toml
  changes.
- ``collected_static()``: ``collectstatic`` run by that environment with ``DEBUG=false`` (whitenoise's compressed
  manifest storage, as the Docker image builds it), into ``.venv-prod/staticfiles``; run again whenever one of
  its inputs (the environment, static/, the settings, the storage) changes.
- ``Server``: its own PostgreSQL database, migrated and loaded with the demo, gunicorn started with the
  Dockerfile's command and a Celery worker with docker-compose.yml's, from ``.venv-prod``, on a free port, with
  ``DEBUG=false``, a secret key, Redis, and e-mails written to files the tests read. Every process is stopped
  (its whole process group) when the tests end, failed or not, and one left by a killed run is stopped at the
  next start.
"""

import contextlib
import email
import email.header
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import yaml

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv-prod"
BIN = VENV / "bin"
STATIC_ROOT = VENV / "staticfiles"
PIDS = VENV / "running.pids"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(url, host=None):
    """Whether ``url`` answers 200 (``host``: the Host header to send)."""
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def _digest(paths):
    sha = hashlib.sha256()
    for path in paths:
        sha.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return sha.hexdigest()


@contextlib.contextmanager
def _locked():
    """One session at a time builds the environment (two checkouts' CI runs do not share it anyway)."""
    with open(ROOT / ".venv-prod.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def runtime_venv():
    """``.venv-prod``: ``make install`` with the runtime dependencies only, made again when pyproject.toml changes."""
    stamp = VENV / ".pyproject.sha256"
    wanted = _digest([ROOT / "pyproject.toml"])
    with _locked():
        stop_leftovers()
        if stamp.exists() and stamp.read_text() == wanted and (BIN / "gunicorn").exists():
            return VENV
        shutil.rmtree(VENV, ignore_errors=True)
        python = Path(sys._base_executable).resolve()
        subprocess.run(
            ["make", "install", f"VENV={VENV.name}", f"PYTHON={python}"],
            cwd=ROOT,
            check=True,
            env=_clean_env({"DEBUG": "true"}),
            stdout=subprocess.DEVNULL,
        )
        stamp.write_text(wanted)
    return VENV


def _static_inputs():
    yield ROOT / "pyproject.toml"
    yield ROOT / "config" / "settings.py"
    yield ROOT / "qualipref" / "storage.py"
    yield from sorted(path for path in (ROOT / "static").rglob("*") if path.is_file())


def collect_static_command(env):
    """``collectstatic`` into a fresh folder, unless the last run had the same inputs: (stamp, process) or None."""
    stamp = VENV / ".static.sha256"
    wanted = _digest(_static_inputs())
    if stamp.exists() and stamp.read_text() == wanted and (STATIC_ROOT / "staticfiles.json").exists():
        return None
    shutil.rmtree(STATIC_ROOT, ignore_errors=True)
    stamp.unlink(missing_ok=True)
    process = subprocess.Popen(
        [BIN / "python", "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return stamp, wanted, process


def _clean_env(extra):
    """A process environment with nothing of the developer's virtual environment or settings."""
    # What installing needs from the machine (pip's configuration, proxies, certificates), nothing else.
    kept = {
        name: value
        for name, value in os.environ.items()
        if name in ("HOME", "LANG", "TMPDIR", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")
        or name.startswith("PIP_")
        or name.lower() in ("http_proxy", "https_proxy", "no_proxy")
    }
    return {"PATH": f"{BIN}:/usr/local/bin:/usr/bin:/bin", "PYTHONUNBUFFERED": "1", **kept, **extra}


def _with_database(url, name):
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def production_urls():
    """The server's own PostgreSQL database and Redis database, never the test suite's."""
    database = os.environ.get("QUALIPREF_PRODUCTION_DATABASE_URL") or _with_database(
        os.environ["DATABASE_URL"], urlsplit(os.environ["DATABASE_URL"]).path.strip("/") + "_server"
    )
    redis = os.environ.get("QUALIPREF_PRODUCTION_REDIS_URL") or _with_database(os.environ["REDIS_URL"], "13")
    return database, redis


def recreate_database(url):
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.strip("/")
    connection = psycopg2.connect(_with_database(url, "postgres"))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        connection.close()


def drop_database(url):
    import psycopg2

    connection = psycopg2.connect(_with_database(url, "postgres"))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{urlsplit(url).path.strip("/")}" WITH (FORCE)')
    finally:
        connection.close()


def dockerfile_command():
    """The Dockerfile's CMD (gunicorn and its options), as a list."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    return json.loads(re.search(r"^CMD (\[.*\])\s*$", text, re.MULTILINE).group(1))


def compose_worker_command():
    """docker-compose.yml's Celery worker command, its ``${VAR:-default}`` taken at their defaults."""
    command = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["worker"]["command"]
    return [re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(part)) for part in command]


def remember(process):
    """Note a process group started by the tests, for ``stop_leftovers`` should this session be killed."""
    with open(PIDS, "a") as pids:
        pids.write(f"{process.pid}\n")


def stop_group(process, timeout=20):
    """Stop a process started with ``start_new_session``: its whole group (gunicorn's or Celery's children,
    runserver's reloader), politely then for good."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=timeout)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=timeout)


def stop_leftovers():
    """Stop the process groups a killed session left running (their ids are kept in ``running.pids``)."""
    if not PIDS.exists():
        return
    for line in PIDS.read_text().split():
        pgid = int(line)
        with contextlib.suppress(ProcessLookupError, PermissionError, FileNotFoundError):
            cmdline = Path(f"/proc/{pgid}/cmdline").read_bytes()
            if VENV.name.encode() in cmdline:
                os.killpg(pgid, signal.SIGKILL)
    PIDS.unlink(missing_ok=True)


class Server:
    """gunicorn and a Celery worker of the runtime-only environment, on their own database, Redis db and port."""

    def __init__(self, workdir):
        self.workdir = Path(workdir)
        self.port = free_port()
        self.url = f"http://localhost:{self.port}"
        self.mail_dir = self.workdir / "mail"
        self.mail_dir.mkdir(parents=True)
        self.database_url, self.redis_url = production_urls()
        self.env = _clean_env(
            {
                "PYTHONPATH": str(ROOT),
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "DEBUG": "false",
                "SECRET_KEY": secrets.token_urlsafe(50),
                "ALLOWED_HOSTS": "localhost,127.0.0.1",
                "DATABASE_URL": self.database_url,
                "REDIS_URL": self.redis_url,
                # Django's file backend: one file per connection, read back by ``emails()``.
                "EMAIL_URL": f"filemail:///{self.mail_dir}",  # four slashes: an absolute path
                "QUALIPREF_BASE_URL": self.url,
                # No TLS proxy in front: as docker-compose.yml, no redirect to HTTPS (cookies stay Secure:
                # Chromium keeps them on http://localhost).
                "SECURE_SSL_REDIRECT": "false",
                "STATIC_ROOT": str(STATIC_ROOT),
                "MEDIA_ROOT": str(self.workdir / "media"),
            }
        )
        self.processes = []

    def log(self, name):
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace")[-6000:] if path.exists() else ""

    def _run(self, name, command, **kwargs):
        with open(self.workdir / f"{name}.log", "a") as log:
            result = subprocess.run(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, **kwargs)
        assert result.returncode == 0, f"{' '.join(map(str, command))} failed:\n{self.log(name)}"

    def _start(self, name, command):
        log = open(self.workdir / f"{name}.log", "a")  # noqa: SIM115 (closed in stop())
        process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes.append((process, log))
        remember(process)
        return process

    def prepare(self):
        """Database, translations, static files: what the image's build and the web container's start do."""
        import redis

        redis.Redis.from_url(self.redis_url).flushdb()
        recreate_database(self.database_url)
        collecting = collect_static_command(self.env)
        try:
            self._run("compilemessages", [BIN / "python", "manage.py", "compilemessages", "--ignore", ".venv*"])
            self._run("migrate", [BIN / "python", "manage.py", "migrate", "--noinput", "-v", "0"])
            self._run("load_demo", [BIN / "python", "manage.py", "load_demo"])
        finally:
            if collecting:
                stamp, wanted, process = collecting
                output, _ = process.communicate()
                assert process.returncode == 0, f"collectstatic failed:\n{output[-6000:]}"
                stamp.write_text(wanted)

    def start(self):
        gunicorn = dockerfile_command()
        assert gunicorn[0] == "gunicorn", gunicorn
        gunicorn[0] = str(BIN / "gunicorn")
        gunicorn[gunicorn.index("--bind") + 1] = f"127.0.0.1:{self.port}"
        self.web = self._start("gunicorn", gunicorn)
        worker = compose_worker_command()
        assert worker[0] == "celery", worker
        self.worker = self._start("worker", [str(BIN / "celery"), *worker[1:]])
        self.wait_until_healthy()

    def wait_until_healthy(self, timeout=90):
        deadline = time.monotonic() + timeout
        while True:
            assert self.web.poll() is None, f"gunicorn stopped:\n{self.log('gunicorn')}"
            if answers(f"http://127.0.0.1:{self.port}/healthz", host="localhost"):
                return
            assert time.monotonic() < deadline, f"gunicorn never became healthy:\n{self.log('gunicorn')}"
            time.sleep(0.5)

    def stop(self):
        for process, log in self.processes:
            stop_group(process)
            log.close()
        self.processes = []

    def emails(self):
        """Every e-mail the server sent so far: (recipients, subject, plain text)."""
        messages = []
        for path in sorted(self.mail_dir.glob("*.log")):
            for chunk in re.split(rb"\n-{79}\n", path.read_bytes()):
                if not chunk.strip():
                    continue
                message = email.message_from_bytes(chunk.lstrip(b"\n"))
                text = next(
                    (
                        part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
                        for part in message.walk()
                        if part.get_content_type() == "text/plain"
                    ),
                    "",
                )
                messages.append(
                    (
                        message["To"],
                        str(email.header.make_header(email.header.decode_header(message["Subject"]))),
                        text,
                    )
                )
        return messages

    def wait_for_email(self, to, *, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            found = [message for message in self.emails() if message[0] == to]
            if found:
                return found
            assert time.monotonic() < deadline, f"no e-mail to {to}:\n{self.log('worker')}"
            time.sleep(0.5)


class MakeRun:
    """``make run`` with the runtime-only environment (``VENV=.venv-prod``) on its embedded defaults (SQLite, Celery
    tasks run in the web process, console e-mails), on a free port; its database and uploads in ``workdir``."""

    def __init__(self, workdir):
        self.workdir = Path(workdir)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def log(self):
        return (self.workdir / "make-run.log").read_text(errors="replace")[-6000:]

    def start(self):
        env = _clean_env(
            {"DATABASE_URL": f"sqlite:///{self.workdir / 'db.sqlite3'}", "MEDIA_ROOT": str(self.workdir / "media")}
        )
        with open(self.workdir / "make-run.log", "w") as log:
            self.process = subprocess.Popen(
                ["make", "run", f"VENV={VENV.name}", f"PORT={self.port}"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        remember(self.process)

    def wait_until_ready(self, timeout=600):
        deadline = time.monotonic() + timeout
        while True:
            assert self.process.poll() is None, f"make run stopped:\n{self.log()}"
            if answers(self.url + "/"):
                return self.url
            assert time.monotonic() < deadline, f"make run never served its home page:\n{self.log()}"
            time.sleep(1)

    def stop(self):
        if self.process is not None:
            stop_group(self.process)
