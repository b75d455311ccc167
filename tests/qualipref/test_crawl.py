"""The site crawled as a citizen, a national coordinator and a quality officer would read it, in French and in English.

One database (the demo's prefectures, loaded once for the module and rolled back at its end) and every page
rendered once per language; the tests then read what the crawl found.
"""

import contextlib
import io
import re
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
import time_machine
from django.contrib import admin
from django.core.management import call_command
from django.db import transaction
from django.test import Client, RequestFactory, override_settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from qualipref.models import User

from .i18n_checks import english_in, visible_text

LANGUAGES = ("fr", "en")
# Not pages: files, feeds and endpoints a browser downloads, and what a click would change.
SKIPPED_PREFIXES = ("/admin/", "/static/", "/media/", "/i18n/", "/api/", "/en/api/", "/healthz")
SKIPPED_ENDINGS = (".csv", ".json", ".pdf", ".ics", ".svg", ".png", ".xlsx", ".zip", ".txt")
SKIPPED_PARTS = ("/deconnexion/", "/documents/", "/pieces-jointes/")
QUERIES_PER_PATH = 3
MAX_PUBLIC_PAGES = 400
# A time of day as the pages write it (« 07:30 », « 7 h 30 »).
TIME_OF_DAY = re.compile(r"\b\d{1,2}(?::| ?h ?)\d{2}\b")
# Two server zones around La Réunion's (UTC+4): a time shown in the server's zone moves between them.
SERVER_ZONES = ("Europe/Paris", "America/Guadeloupe")
# Addresses that must answer with the portal's error page (DEBUG off, as in production).
WRONG_ADDRESSES = ("/suivi/ce-lien-n-existe-pas/", "/la-reunion/page-inconnue/", "/nulle-part/")

# The database is set up for the tests that ask for it; the module's crawl reads it once, rolled back at its end.
pytestmark = pytest.mark.django_db


@dataclass
class Page:
    url: str
    language: str
    status: int
    english: list = field(default_factory=list)
    has_header: bool = True
    server_zone_times: list | None = None  # None: the page shows no time of day
    referrer: str = ""


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def _links(base, html):
    parser = _Links()
    parser.feed(html)
    for href in parser.hrefs:
        url = urldefrag(urljoin(base, href)).url
        parts = urlsplit(url)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue
        path = parts.path
        if (
            path.startswith(SKIPPED_PREFIXES)
            or path.endswith(SKIPPED_ENDINGS)
            or any(p in path for p in SKIPPED_PARTS)
        ):
            continue
        yield path + (f"?{parts.query}" if parts.query else "")


def _language(url):
    return "en" if url.startswith("/en/") else "fr"


def _read(client, url, language, referrer, **headers):
    response = client.get(url, **headers)
    page = Page(url=url, language=language, status=response.status_code, referrer=referrer)
    html = ""
    if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
        html = response.content.decode()
        if language == "fr":
            page.english = english_in(visible_text(html, language="fr"))
        page.has_header = 'class="fr-header' in html
    return page, response, html


def _times_following_the_server_zone(client, url, **headers):
    """The times of day a page writes differently when only the server's default zone changes: each of them is in
    the server's zone, not in the prefecture's (the clock stands still between the two renders)."""
    shown = []
    with time_machine.travel(timezone.now(), tick=False):
        for zone in SERVER_ZONES:
            with override_settings(TIME_ZONE=zone):
                html = client.get(url, **headers).content.decode()
            shown.append(TIME_OF_DAY.findall(visible_text(html, language="fr")))
    return sorted(set(shown[0]) ^ set(shown[1]))


def _crawl_public(client):
    """Every page the site map leads to, in both languages, following links breadth first."""
    queue = deque([("/plan-du-site/", ""), ("/en/plan-du-site/", "")])
    seen, per_path, pages = {url for url, _ in queue}, Counter(), []
    while queue and len(pages) < MAX_PUBLIC_PAGES:
        url, referrer = queue.popleft()
        page, response, html = _read(client, url, _language(url), referrer)
        if url.startswith("/la-reunion/") and TIME_OF_DAY.search(html):
            page.server_zone_times = _times_following_the_server_zone(client, url)
        pages.append(page)
        if response.status_code in (301, 302) and response["Location"].startswith("/"):
            targets = [response["Location"]]
        else:
            targets = list(_links(url, html)) if html else []
        for target in targets:
            path = target.split("?")[0]
            if target in seen or (target != path and per_path[path] >= QUERIES_PER_PATH):
                continue
            seen.add(target)
            per_path[path] += target != path
            queue.append((target, url))
    return pages


def _admin_urls(user):
    """The admin's home, and every changelist, change page and history page ``user`` may see (one object of
    each)."""
    request = RequestFactory().get("/admin/")
    request.user = user
    urls = ["/admin/"]
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_view_or_change_permission(request):
            continue
        info = model._meta.app_label, model._meta.model_name
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        obj = model_admin.get_queryset(request).order_by("pk").first()
        if obj is None:
            continue
        urls.append(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
        with contextlib.suppress(NoReverseMatch):  # a model without history
            urls.append(reverse("admin:{}_{}_history".format(*info), args=[obj.pk]))
    return urls


def _crawl_admin(email, *, one_zone=False):
    """The admin as ``email`` reads it; ``one_zone``: every time shown must be in its prefectures' zone."""
    user = User.objects.get(email=email)
    pages = []
    for language in LANGUAGES:
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(user)
        for url in _admin_urls(user):
            page, _response, html = _read(client, url, language, email)
            page.has_header = True  # the admin has its own header
            if one_zone and language == "fr" and TIME_OF_DAY.search(html):
                page.server_zone_times = _times_following_the_server_zone(client, url)
            pages.append(page)
    return pages


def _crawl_errors():
    """The error pages of wrong addresses, in both languages, as production serves them (DEBUG off)."""
    client, pages = Client(raise_request_exception=False), []
    with override_settings(DEBUG=False):
        for address in WRONG_ADDRESSES:
            for url in (address, "/en" + address):
                response = client.get(url)
                page = Page(url=url, language=_language(url), status=response.status_code)
                html = response.content.decode()
                page.has_header = 'class="fr-header' in html
                if page.language == "fr":
                    page.english = english_in(visible_text(html, language="fr"))
                pages.append(page)
    return pages


@pytest.fixture(scope="module")
def crawl(django_db_setup, django_db_blocker):
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        call_command("load_demo", stdout=io.StringIO())
        pages = {
            "public": _crawl_public(Client()),
            "coordinator": _crawl_admin("coordination@example.org"),
            "officer": _crawl_admin("qualite.974@example.org", one_zone=True),
            "errors": _crawl_errors(),
        }
        transaction.set_rollback(True)
    return pages


def _report(pages, what):
    return "\n".join(f"{page.url} ({page.language}, from {page.referrer}): {what(page)}" for page in pages)


@pytest.mark.parametrize("who", ["public", "coordinator", "officer"])
def test_no_page_fails(crawl, who):
    failed = [page for page in crawl[who] if page.status >= 500]
    assert not failed, _report(failed, lambda page: page.status)


def test_no_link_of_the_site_is_broken(crawl):
    broken = [page for page in crawl["public"] if page.status == 404]
    assert not broken, _report(broken, lambda page: page.status)


def test_the_crawl_reaches_every_kind_of_public_page(crawl):
    paths = {page.url for page in crawl["public"] if page.status == 200}
    for expected in ["/", "/en/", "/la-reunion/", "/en/la-reunion/", "/delais/", "/accessibilite/"]:
        assert expected in paths
    assert len(paths) > 40


def test_every_admin_list_and_object_page_is_crawled(crawl):
    pages = [page for page in crawl["coordinator"] if page.status == 200]
    assert len([page for page in pages if page.url.endswith("/change/")]) >= 0.8 * len(admin.site._registry)
    assert len(crawl["officer"]) > 40


def test_every_public_page_has_the_dsfr_header(crawl):
    bare = [page for page in crawl["public"] if page.status == 200 and not page.has_header]
    assert not bare, _report(bare, lambda page: "no DSFR header")


@pytest.mark.parametrize("who", ["public", "coordinator", "officer"])
def test_french_pages_show_no_english(crawl, who):
    english = [page for page in crawl[who] if page.english]
    assert not english, _report(english, lambda page: "; ".join(page.english))


@pytest.mark.parametrize("who", ["public", "officer"])
def test_every_time_about_la_reunion_is_in_its_zone(crawl, who):
    """La Réunion's public pages, and the administration of an officer of La Réunion alone: no time follows the
    server's zone (Paris)."""
    compared = [page for page in crawl[who] if page.server_zone_times is not None]
    assert compared, "no page with a time of day was crawled"
    moving = [page for page in compared if page.server_zone_times]
    assert not moving, _report(moving, lambda page: ", ".join(page.server_zone_times))


def test_every_error_page_is_a_dsfr_page_in_its_language(crawl):
    pages = crawl["errors"]
    assert {page.status for page in pages} == {404}
    bare = [page for page in pages if not page.has_header]
    assert not bare, _report(bare, lambda page: "no DSFR header")
    english = [page for page in pages if page.english]
    assert not english, _report(english, lambda page: "; ".join(page.english))
