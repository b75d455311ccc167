"""The peer, measured in the same run as the portal: django-helpdesk 2.6.1, through its benchmark harness.

The harness is not part of this repository: a checkout of it, whose path is given by ``QUALIPREF_PEER_HELPDESK``
(default ``../shared/peers/helpdesk`` from the repository's root), holds its ``run.sh``, ``lib.sh``, ``seed.py``,
``submit_load.py`` and its Django project ``hdsite``. This module only drives it:

- ``Peer.prepare()`` builds its environment with ``lib.sh``'s ``make_venv`` and the pins its ``run.sh`` names (kept
  between runs), and its database ``peer_helpdesk`` with ``lib.sh``'s ``fresh_db``, ``migrate``, its e-mail templates
  and its ``seed.py`` — only when that database is missing or does not hold the seeded tickets (200,000); otherwise it
  is reused, after deleting the tickets an earlier load added;
- ``Peer.admin_list()`` measures its Django admin changelist (``/admin/helpdesk/ticket/``, 100 rows a page) in a
  process of its own environment, logged in as its staff user, through Django's test client with ``DEBUG`` off, as
  the harness's ``list_bench.py`` does: time and SQL queries of each request;
- ``Peer.server()`` starts its gunicorn as ``run.sh`` does (2 sync workers) and ``Peer.submit_round()`` runs its
  ``submit_load.py`` against it (each client a new session: GET the form, POST a ticket), then counts what arrived.

This is not a benchmark by itself (``bench/run_all.py`` skips it): ``complaints_submit.py`` and
``complaints_admin.py`` use it.
"""

import http.client
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV_VARIABLE = "QUALIPREF_PEER_HELPDESK"
DEFAULT_PATH = ROOT.parent / "shared" / "peers" / "helpdesk"
DATABASE = "peer_helpdesk"
TICKETS = 200_000
SEEDED_TITLE = "Réclamation n°"  # the title of every ticket seed.py writes; a load's tickets have others
NAME = "django-helpdesk 2.6.1"
NOT_FOUND = "peer: not measured (harness not found)"

# Run in the peer's environment: its admin changelist, logged in as its staff user, through Django's test client
# (DEBUG off in its settings): WARMUP requests, then N timed ones; prints one JSON list of [ms, queries, rows].
ADMIN_LIST_SCRIPT = """
import json, sys, time
import django
django.setup()
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
n, warmup, url = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
client = Client()
client.force_login(get_user_model().objects.get(username="staff"))
samples = []
for i in range(warmup + n):
    queries = []
    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)
    with connection.execute_wrapper(count):
        started = time.perf_counter()
        response = client.get(url)
        ms = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.status_code
    if i >= warmup:
        samples.append([ms, len(queries), response.content.count(b'name="_selected_action"')])
print(json.dumps(samples))
"""

# Run in the peer's environment: deletes the tickets that loads added (their follow-ups and the rest cascade).
CLEANUP_SCRIPT = """
import sys
import django
django.setup()
from helpdesk.models import Ticket
print(Ticket.objects.exclude(title__startswith=sys.argv[1]).delete()[0])
"""


def find():
    """The harness's folder if a checkout of it is there (``QUALIPREF_PEER_HELPDESK`` or the default), else None."""
    path = Path(os.environ.get(ENV_VARIABLE) or DEFAULT_PATH)
    if not path.is_absolute():
        path = ROOT / path
    needed = ["run.sh", "lib.sh", "seed.py", "submit_load.py", "hdsite/settings.py"]
    if all((path / name).is_file() for name in needed):
        return Peer(path.resolve())
    return None


def median(values):
    return statistics.median(values) if values else float("nan")


class Peer:
    def __init__(self, path):
        self.path = path
        run_sh = (path / "run.sh").read_text()
        venv = re.search(r"^VENV=(\S+)$", run_sh, re.MULTILINE)
        pins = re.search(r'^make_venv "\$VENV" (.+)$', run_sh, re.MULTILINE)
        if not venv or not pins:
            raise RuntimeError(f"{path / 'run.sh'}: no VENV= or make_venv line to read the peer's environment from")
        self.venv, self.pins = Path(venv.group(1)), shlex.split(pins.group(1))
        self.python = str(self.venv / "bin" / "python")
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "hdsite.settings",
            "PYTHONPATH": str(path),
            "PYTHONDONTWRITEBYTECODE": "1",  # the checkout may be read-only
        }
        for name in ("DEBUG", "DATABASE_URL", "REDIS_URL", "SECRET_KEY"):  # ours, not the peer's
            self.env.pop(name, None)

    def _lib(self, commands):
        """Run ``commands`` in bash with the harness's ``lib.sh`` sourced."""
        script = f"source {shlex.quote(str(self.path / 'lib.sh'))}\n{commands}"
        subprocess.run(["bash", "-c", script], cwd=self.path, env=self.env, check=True, stdout=sys.stderr)

    def _run(self, *command, capture=True):
        result = subprocess.run(
            list(command), cwd=self.path, env=self.env, check=True, text=True, capture_output=capture
        )
        return result.stdout if capture else None

    def _query(self, sql, params=()):
        import psycopg2

        connection = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname=DATABASE)
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchone()
        finally:
            connection.close()

    def _seeded(self):
        """True if the database holds the harness's seed: its queue, its staff user and TICKETS seeded tickets."""
        import psycopg2

        try:
            return self._query(
                "SELECT (SELECT count(*) FROM helpdesk_ticket WHERE title LIKE %s) = %s"
                " AND EXISTS (SELECT 1 FROM helpdesk_queue WHERE slug = 'reclamations')"
                " AND EXISTS (SELECT 1 FROM auth_user WHERE username = 'staff')",
                (f"{SEEDED_TITLE}%", TICKETS),
            )[0]
        except psycopg2.Error:  # no such database or table
            return False

    def prepare(self, log=print):
        """The peer's environment and database, built if missing (a few minutes), reused otherwise."""
        started = time.monotonic()
        pins = " ".join(shlex.quote(pin) for pin in self.pins)
        self._lib(f"make_venv {shlex.quote(str(self.venv))} {pins}")
        if self._seeded():
            deleted = self._run(self.python, "-c", CLEANUP_SCRIPT, SEEDED_TITLE).strip()
            log(f"  peer: database {DATABASE} reused ({TICKETS:,} tickets; {deleted} rows of earlier loads deleted)")
        else:
            log(f"  peer: seeding {DATABASE} with {TICKETS:,} tickets (its seed.py; a few minutes)")
            django_admin = shlex.quote(str(self.venv / "bin" / "django-admin"))
            self._lib(
                f"fresh_db {DATABASE}\n{django_admin} migrate -v 0\n{django_admin} loaddata emailtemplate.json -v 0"
            )
            self._run(self.python, "seed.py", str(TICKETS), capture=False)
            if not self._seeded():
                raise RuntimeError(f"the peer's seed did not leave {TICKETS} tickets in {DATABASE}")
        self.queue = self._query("SELECT id FROM helpdesk_queue WHERE slug = 'reclamations'")[0]
        return time.monotonic() - started

    def version(self):
        return self._run(
            self.python, "-c", "from importlib.metadata import version; print(version('django-helpdesk'))"
        ).strip()

    # --- admin changelist ----------------------------------------------------------------------------------

    def admin_list(self, requests, warmup=3):
        """``requests`` timed GETs of its admin changelist after ``warmup``: a list of ``(ms, queries, rows)``."""
        output = self._run(self.python, "-c", ADMIN_LIST_SCRIPT, str(requests), str(warmup), "/admin/helpdesk/ticket/")
        return [tuple(sample) for sample in json.loads(output.strip().splitlines()[-1])]

    # --- public form under gunicorn --------------------------------------------------------------------------

    @contextmanager
    def server(self, port, workers=2, log_path=None):
        """Its gunicorn (``workers`` sync workers, as run.sh starts it) on 127.0.0.1:``port``, stopped afterwards."""
        command = [
            str(self.venv / "bin" / "gunicorn"),
            *("-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning"),
            "hdsite.wsgi:application",
        ]
        log = open(log_path or os.devnull, "wb")  # noqa: SIM115 (closed below)
        process = subprocess.Popen(command, cwd=self.path, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        try:
            self._wait(process, port)
            self.port = port
            # As run.sh: a short warm-up load, so that every worker has imported, connected and rendered.
            warmup = f"peer-warmup-{os.getpid()}"
            self._run(self.python, "submit_load.py", self.base_url, str(self.queue), warmup, "2", "3")
            yield self
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}"

    def _wait(self, process, port):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the peer's gunicorn exited with status {process.returncode}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/helpdesk/tickets/submit/")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("the peer's gunicorn did not answer its form within 30 s")

    def submit_round(self, tag, clients, seconds):
        """One run of its ``submit_load.py``: ``clients`` clients for ``seconds`` s. Returns its figures and what
        arrived in its database."""
        output = self._run(
            self.python, "submit_load.py", self.base_url, str(self.queue), tag, str(clients), str(seconds)
        )
        sent, accepted, failed, elapsed, post_p50, post_p95, get_p50 = output.split()
        arrived = self._query("SELECT count(*) FROM helpdesk_ticket WHERE title LIKE %s", (f"{tag} %",))[0]
        return {
            "sent": int(sent),
            "accepted": int(accepted),
            "failed": int(failed),
            "elapsed": float(elapsed),
            "per_s": int(accepted) / float(elapsed),
            "post_p50_ms": float(post_p50),
            "post_p95_ms": float(post_p95),
            "get_p50_ms": float(get_p50),
            "arrived": arrived,
        }

    def cleanup(self):
        """Deletes the tickets the loads added, so that the next run finds the seeded database as it was."""
        return int(self._run(self.python, "-c", CLEANUP_SCRIPT, SEEDED_TITLE).strip())
