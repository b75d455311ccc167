"""The site crawled as a citizen, a national coordinator and a quality officer would read it, in French and in English.

One database (the demo's prefectures, loaded once for the module and rolled back at its end) and every page
rendered once per language; the tests then read what the crawl found.
"""

import contextlib
import io
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import transaction
from django.test import Client, RequestFactory, override_settings
from django.urls import NoReverseMatch, reverse

from qualipref.models import User

from .i18n_checks import english_in, visible_text

LANGUAGES = ("fr", "en")
# Not pages: files, feeds and endpoints a browser downloads, and what a click would change.
SKIPPED_PREFIXES = ("/admin/", "/static/", "/media/", "/i18n/", "/api/", "/en/api/", "/healthz")
SKIPPED_ENDINGS = (".csv", ".json", ".pdf", ".ics", ".svg", ".png", ".xlsx", ".zip", ".txt")
SKIPPED_PARTS = ("/deconnexion/", "/documents/", "/pieces-jointes/")
QUERIES_PER_PATH = 3
MAX_PUBLIC_PAGES = 400

# The database is set up for the tests that ask for it; the module's crawl reads it once, rolled back at its end.
pytestmark = pytest.mark.django_db


@dataclass
class Page:
    url: str
    language: str
    status: int
    english: list = field(default_factory=list)
    has_header: bool = True
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


def _crawl_public(client):
    """Every page the site map leads to, in both languages, following links breadth first."""
    queue = deque([("/plan-du-site/", ""), ("/en/plan-du-site/", "")])
    seen, per_path, pages = {url for url, _ in queue}, Counter(), []
    while queue and len(pages) < MAX_PUBLIC_PAGES:
        url, referrer = queue.popleft()
        page, response, html = _read(client, url, _language(url), referrer)
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


def _crawl_admin(email):
    user = User.objects.get(email=email)
    pages = []
    for language in LANGUAGES:
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(user)
        for url in _admin_urls(user):
            page, _response, _html = _read(client, url, language, email)
            page.has_header = True  # the admin has its own header
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
            "officer": _crawl_admin("qualite.974@example.org"),
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
