"""A real browser (Debian's Chromium, driven by Playwright) against pytest-django's live server.

The live server runs in this process: e-mails land in ``django.core.mail.outbox`` (locmem backend),
Celery runs eagerly, and the database is the test database (PostgreSQL in CI). Playwright cannot
download a browser here: it is given Debian's. Missing locally, the tests skip; in CI they fail.
"""

import functools
import importlib
import os
import re
from pathlib import Path

import pytest

from tests.qualipref.factories import PASSWORD

CHROMIUM = Path(os.environ.get("QUALIPREF_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
TIMEOUT_MS = 15_000
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 3}

__all__ = ["PASSWORD", "links_in"]


@pytest.fixture(scope="package")
def chromium():
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium), as .ci/run does"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's synchronous API keeps an asyncio loop in this thread; Django's ORM (the tests'
    # factories, the live server's teardown) would take it for async code and refuse to run.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@functools.cache
def _core_state_apps():
    """The models as migration qualipref/0009 left them, when the engagements still lived in the core."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    return MigrationLoader(connection).project_state(("qualipref", "0009_engagement_version_english_wording")).apps


@pytest.fixture(autouse=True)
def _seeded_rows_come_back(transactional_db):
    """A live-server test empties every table when it ends, the rows of the data migrations included (title
    types, engagements): they are put back before each browser test. (Django's serialised rollback cannot do
    it here: under Playwright's event loop the test sees another connection object than the one the
    serialised rows were kept on.) The browser tests run last (``tests/conftest.py``): no other test follows
    the last flush."""
    from django.apps import apps

    from delays.referential import seed_title_types

    seed_title_types(apps.get_model("delays", "TitleType"))
    # The engagements' seeds name the models by the app they lived in then (the core): they run on that state.
    core_apps = _core_state_apps()
    importlib.import_module("qualipref.migrations.0005_seed_engagements").seed(core_apps, None)
    # Their English wordings, as migrations qualipref/0008 and delays/0007 wrote them.
    importlib.import_module("qualipref.migrations.0009_engagement_version_english_wording").english_wordings(
        core_apps, None
    )
    importlib.import_module("delays.migrations.0008_title_type_english_label").english_labels(apps, None)


def _new_page(chromium, live_server, **options):
    context = chromium.new_context(base_url=live_server.url, locale="fr-FR", timezone_id="Indian/Reunion", **options)
    context.set_default_timeout(TIMEOUT_MS)
    return context, context.new_page()


@pytest.fixture
def web(chromium, live_server, settings):
    """A desktop browser tab; links in e-mails point at the live server."""
    settings.QUALIPREF_BASE_URL = live_server.url
    context, page = _new_page(chromium, live_server, viewport={"width": 1280, "height": 900})
    yield page
    context.close()


@pytest.fixture
def phone(chromium, live_server, settings):
    """A phone-sized tab (390×844, touch), as a citizen scanning the QR code at the counter."""
    settings.QUALIPREF_BASE_URL = live_server.url
    context, page = _new_page(chromium, live_server, **PHONE)
    yield page
    context.close()


@pytest.fixture
def new_tab(chromium, live_server, settings):
    """Another browser (its own cookies): the officer, while the citizen keeps theirs."""
    settings.QUALIPREF_BASE_URL = live_server.url
    contexts = []

    def make(**options):
        context, page = _new_page(chromium, live_server, **{"viewport": {"width": 1280, "height": 900}, **options})
        contexts.append(context)
        return page

    yield make
    for context in contexts:
        context.close()


def links_in(text, base_url):
    """The absolute links to the portal in an e-mail's text."""
    return re.findall(re.escape(base_url) + r"/[^\s\"'<>]+", text)
