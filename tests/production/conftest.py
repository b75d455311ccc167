"""Production parity: the browser journeys and axe audits against the portal installed and started as production
does (``server.py``), and ``make run``'s own environment.

They need PostgreSQL and Redis (``DATABASE_URL``, ``REDIS_URL``) and Debian's Chromium: without them they skip
locally with the reason, and fail in CI (``CI=true``), as the other browser tests.
"""

import os
import threading
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import CHROMIUM, TIMEOUT_MS, chromium  # noqa: F401 (the fixture: Debian's Chromium)

from . import server as production_server
from .server import MakeRun, Server


def _services_missing():
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return "DATABASE_URL is not a PostgreSQL database: production runs on PostgreSQL"
    if not os.environ.get("REDIS_URL"):
        return "REDIS_URL is not set: production's Celery worker needs Redis"
    return None


def _require(reason):
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the production-parity tests: {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="session")
def _environments(tmp_path_factory):
    """Both environments start at once, so that their slow parts (migrations, the demo data, static files)
    overlap: ``make run`` in its process, the production server's preparation in a thread. Everything they
    started is stopped when the session ends, whatever happened."""
    if not CHROMIUM.exists():
        yield None  # the browser fixture skips or fails the tests with the reason
        return
    production_server.runtime_venv()
    make_run = MakeRun(tmp_path_factory.mktemp("make-run"))
    server, thread, failures = None, None, []
    try:
        make_run.start()
        if _services_missing() is None:
            server = Server(tmp_path_factory.mktemp("production"))

            def boot():
                try:
                    server.prepare()
                    server.start()
                except BaseException as error:  # raised again in the test that asks for the server
                    failures.append(error)

            thread = threading.Thread(target=boot, name="production-server", daemon=True)
            thread.start()
        yield SimpleNamespace(make_run=make_run, server=server, thread=thread, failures=failures)
    finally:
        if thread is not None:
            thread.join(timeout=900)
        make_run.stop()
        if server is not None:
            server.stop()
            production_server.drop_database(server.database_url)


@pytest.fixture(scope="session")
def production(_environments):
    """gunicorn and a Celery worker from ``.venv-prod``, DEBUG off, PostgreSQL and Redis, the demo loaded."""
    _require(_services_missing())
    _environments.thread.join(timeout=900)
    if _environments.failures:
        raise _environments.failures[0]
    assert _environments.server.processes, "the production server did not start in time"
    return _environments.server


@pytest.fixture(scope="session")
def make_run(_environments):
    """The address of ``make run``'s server (runtime-only environment, embedded defaults, the demo loaded)."""
    return _environments.make_run.wait_until_ready()


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
        source = message.location.get("url") or ""
        # Known, and another part of issue 13's (defect 10: the admin has no favicon): the browser's own request.
        if message.type == "error" and not source.endswith("/favicon.ico"):
            self.problems.append(f"{self.page.url}: console error: {message.text} {source}".rstrip())

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
            accept_downloads=True,
            **{"viewport": {"width": 1280, "height": 900}, **options},
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return Watched(context.new_page())

    yield make
    for context in contexts:
        context.close()
