import logging

import pytest
from celery._state import _set_task_join_will_block

from config.celery import app as celery_app


def pytest_addoption(parser):
    parser.addoption(
        "--travel-to",
        metavar="MOMENT",
        help="run the whole session with the clock set to MOMENT (ISO 8601, e.g. 2026-12-31T23:10:00+00:00), ticking "
        "from there: tests must pass whatever the day and hour CI runs them (not for tests/e2e: the browser keeps "
        "its own clock)",
    )


def pytest_configure(config):
    moment = config.getoption("--travel-to")
    if moment:
        import time_machine

        config._travel = time_machine.travel(moment, tick=True)
        config._travel.start()


def pytest_unconfigure(config):
    if getattr(config, "_travel", None):
        config._travel.stop()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """The browser tests run last, after pytest-django has put the database tests first: each live-server test
    empties every table when it ends, the data migrations' rows included, and no other test may then
    count on them (``tests/e2e/conftest.py`` puts them back for the next browser test)."""
    browser = [item for item in items if item.get_closest_marker("e2e")]
    if browser:
        others = [item for item in items if not item.get_closest_marker("e2e")]
        items[:] = others + browser


@pytest.fixture(autouse=True)
def _eager_celery(settings):
    """Tasks run in the test's process unless a test starts a real worker."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous
    # An eager task sets Celery's process-wide "a join would block" flag while it runs and puts back what it found:
    # tasks run at once in several threads (the concurrent submissions' test) can leave it set, and a later test
    # waiting on a real worker's result would be refused ("Never call result.get() within a task!").
    _set_task_join_will_block(False)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item):
    """A test's fixtures write in the test's transaction, which never commits: the page clearing they asked
    (``qualipref.pagecache.clear_after_commit``, once per transaction) would swallow what the test asks
    itself. Their data counts as committed: the test starts a clearing of its own."""
    from django.db import connections

    from qualipref.pagecache import PENDING

    for connection in connections.all(initialized_only=True):
        connection.__dict__.pop(PENDING, None)


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from qualipref.pageshell import shells_clear

    cache.clear()
    shells_clear()  # pages rendered once per process: a test's settings (site title…) must not meet another's
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """A request leaves its language active; every test starts in French, as the portal does."""
    from django.utils import translation

    translation.activate("fr")
    yield
    translation.activate("fr")


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Uploaded files go to a temporary folder, never the developer's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def on_commit_immediately(monkeypatch):
    """Run on-commit callbacks (e-mails, tasks) at once: the test's transaction never commits."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hashing a password the production way takes half a second; tests create hundreds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class _SecretLinkWatch(logging.Handler):
    """Remembers the log lines that still show a secret link (qualipref/log_filters.py should have masked it)."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.leaks = []

    def emit(self, record):
        from qualipref.log_filters import redact

        line = self.format(record)
        if redact(line) != line:
            self.leaks.append(line)


@pytest.fixture(autouse=True)
def _no_secret_link_in_logs():
    """Every test: no log record of any logger shows a tracking or password link in clear."""
    watch = _SecretLinkWatch()
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and not logger.propagate
    ]
    for logger in loggers:
        logger.addHandler(watch)
    yield
    for logger in loggers:
        logger.removeHandler(watch)
    assert not watch.leaks, f"a secret link reached the logs unmasked: {watch.leaks}"


@pytest.fixture(scope="session")
def dovecot():
    """A real IMAP server (Debian's Dovecot, see tests/imapserver.py), started once for the session's tests that
    read mailboxes; each test adds its own account."""
    import os

    from tests.imapserver import DOVECOT, Dovecot

    if not DOVECOT.exists():
        reason = (
            f"{DOVECOT} is missing: install Debian's dovecot-imapd (apt-get install dovecot-imapd), as .ci/run does"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    server = Dovecot(spare_accounts=100).start()
    yield server
    server.stop()
