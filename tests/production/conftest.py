"""Production parity: the browser journeys and axe audits against the portal installed and started as production
does (``server.py``), and ``make run``'s own environment.

They need PostgreSQL and Redis (``DATABASE_URL``, ``REDIS_URL``) and Debian's Chromium: without them they skip
locally with the reason, and fail in CI (``CI=true``), as the other browser tests.
"""

import os
import subprocess
import time
import urllib.request
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import TIMEOUT_MS, chromium  # noqa: F401 (the fixture: Debian's Chromium)

from . import server as production_server
from .server import Server


def _require_services():
    reason = None
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        reason = "DATABASE_URL is not a PostgreSQL database: production runs on PostgreSQL"
    elif not os.environ.get("REDIS_URL"):
        reason = "REDIS_URL is not set: production's Celery worker needs Redis"
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the production-parity tests: {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="session")
def runtime_venv():
    """``.venv-prod``: the runtime dependencies only (built once, again when pyproject.toml changes)."""
    return production_server.runtime_venv()


@pytest.fixture(scope="session")
def production(runtime_venv, tmp_path_factory):
    """gunicorn and a Celery worker from ``.venv-prod``, DEBUG off, PostgreSQL and Redis, the demo loaded."""
    _require_services()
    server = Server(tmp_path_factory.mktemp("production"))
    try:
        server.prepare()
        server.start()
        yield server
    finally:
        server.stop()
        production_server.drop_database(server.database_url)


class Watched:
    """A browser tab that records what a person would not see but a broken deployment shows: console errors,
    uncaught exceptions, refused or failed requests (integrity, CSP, a static file missing)."""

    def __init__(self, page):
        self.page = page
        self.problems = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: uncaught {error}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _console(self, message):
        if message.type == "error":
            self.problems.append(f"{self.page.url}: console {message.type}: {message.text}")

    def _failed(self, request):
        # A download the test fetched itself, or a navigation the test replaced, is not a refused resource.
        if request.failure != "net::ERR_ABORTED" or request.resource_type in ("stylesheet", "script", "font", "image"):
            self.problems.append(f"{self.page.url}: {request.resource_type} {request.url} failed: {request.failure}")

    def _response(self, response):
        if response.status >= 400 and urlsplit(response.url).path.startswith("/static/"):
            self.problems.append(f"{self.page.url}: {response.url} answered {response.status}")

    def assert_clean(self):
        assert self.problems == [], "\n".join(self.problems)

    def assert_styled(self):
        """The DSFR really applies: every stylesheet loaded, the body set in Marianne, a DSFR header laid out."""
        state = self.page.evaluate(
            """async () => {
                await document.fonts.ready;
                const header = document.querySelector('.fr-header__body-row');
                return {
                    unloaded: [...document.querySelectorAll('link[rel=stylesheet]')]
                        .filter((link) => !link.sheet).map((link) => link.href),
                    font: getComputedStyle(document.body).fontFamily,
                    marianne: [...document.fonts].some((f) => f.family.includes('Marianne') && f.status === 'loaded'),
                    header: header && getComputedStyle(header).display,
                };
            }"""
        )
        where = self.page.url
        assert state["unloaded"] == [], f"{where}: stylesheets not applied: {state['unloaded']}"
        assert state["font"].startswith("Marianne") and state["marianne"], f"{where}: not in Marianne: {state}"
        assert state["header"] == "flex", f"{where}: the DSFR header is not laid out: {state}"


@pytest.fixture
def browse(chromium):  # noqa: F811 (the fixture imported above)
    """``browse(base_url)``: a new desktop tab (its own cookies) on ``base_url``, watched."""
    contexts = []

    def make(base_url, **options):
        context = chromium.new_context(
            base_url=base_url,
            locale="fr-FR",
            timezone_id="Indian/Reunion",
            viewport={"width": 1280, "height": 900},
            accept_downloads=True,
            **options,
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return Watched(context.new_page())

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def make_run(runtime_venv, tmp_path_factory):
    """``make run`` with the runtime-only environment (``VENV=.venv-prod``) on its embedded defaults (SQLite, eager
    Celery, console e-mails), on a free port; its database and uploads in a temporary folder."""
    workdir = tmp_path_factory.mktemp("make-run")
    port = production_server.free_port()
    log = open(workdir / "make-run.log", "w")  # noqa: SIM115 (closed below)
    env = production_server._clean_env(
        {"DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}", "MEDIA_ROOT": str(workdir / "media")}
    )
    process = subprocess.Popen(
        ["make", "run", f"VENV={production_server.VENV.name}", f"PORT={port}"],
        cwd=production_server.ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    production_server.remember(process)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            assert process.poll() is None, (workdir / "make-run.log").read_text()[-6000:]
            try:
                with urllib.request.urlopen(url + "/", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, (workdir / "make-run.log").read_text()[-6000:]
            time.sleep(1)
        yield url
    finally:
        production_server.stop_group(process)
        log.close()
