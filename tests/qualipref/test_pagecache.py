"""Pages cached whole for visitors never hold what belongs to one visitor, and are served gzipped when asked."""

import gzip

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.cache import SessionStore
from django.core.cache import cache
from django.test import RequestFactory

from qualipref.pagecache import cached_page, generation_bump

from .factories import MembershipFactory


def visitor_request(user=None, nonce="nonce-1", **headers):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/page/", headers=headers)
    request.user = user or AnonymousUser()
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request.csp_nonce = nonce
    return request


def page(request):
    shown = " ".join(str(m) for m in get_messages(request))
    script = f'<script type="module" src="/static/dsfr.js" nonce="{request.csp_nonce}"></script>'
    return f"<html>\n    {script}\n    <p>{shown}</p>\n</html>"


def test_the_stored_page_holds_no_nonce_and_serves_every_visitor():
    first = cached_page(visitor_request(), "k", lambda: page(visitor_request()), timeout=60, generation="g")
    second = cached_page(
        visitor_request(nonce="nonce-2"), "k", lambda: pytest.fail("rebuilt"), timeout=60, generation="g"
    )
    for response in (first, second):
        html = response.content.decode()
        assert '<script type="module" src="/static/dsfr.js"></script>' in html and "nonce" not in html
        assert response.headers["Vary"] == "Accept-Encoding" and "Content-Encoding" not in response.headers


def test_a_browser_that_asks_for_gzip_gets_the_page_compressed_once():
    plain = cached_page(visitor_request(), "k", lambda: page(visitor_request()), timeout=60, generation="g")
    zipped = cached_page(
        visitor_request(**{"Accept-Encoding": "gzip, deflate, br"}),
        "k",
        lambda: pytest.fail("rebuilt"),
        timeout=60,
        generation="g",
    )
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content


def test_a_visitor_with_a_message_waiting_gets_it_on_a_fresh_page_never_stored():
    request = visitor_request()
    request._messages.add(20, "Votre message a bien été envoyé.")
    response = cached_page(request, "k", lambda: page(request), timeout=60, generation="g")
    assert "Votre message a bien été envoyé." in response.content.decode()
    assert cache.get("k") is None
    other = cached_page(visitor_request(), "k", lambda: page(visitor_request()), timeout=60, generation="g")
    assert "Votre message" not in other.content.decode()


@pytest.mark.django_db
def test_staff_get_a_fresh_page_never_stored():
    officer = MembershipFactory().user
    response = cached_page(visitor_request(officer), "k", lambda: "<p>fresh</p>", timeout=60, generation="g")
    assert response.content == b"<p>fresh</p>" and cache.get("k") is None


def test_a_client_without_gzip_never_gets_a_stale_inflated_page():
    def built(figure):
        return lambda: f"<html>\n    <p>{figure} jours</p>\n</html>"

    assert "20 jours" in cached_page(visitor_request(), "k", built(20), timeout=60, generation="g").content.decode()
    assert (
        "20 jours" in cached_page(visitor_request(), "k", built(99), timeout=60, generation="g").content.decode()
    )  # cached
    generation_bump("g")  # figures published: the page is cleared
    assert "21 jours" in cached_page(visitor_request(), "k", built(21), timeout=60, generation="g").content.decode()


def test_a_change_committed_while_a_page_is_built_is_never_hidden_by_it():
    """The page reads the database, an officer's change commits and clears, then the page is stored: the next
    visitor must not get the figures from before the change."""

    def built_while_cleared():
        generation_bump("g")  # the change's clearing, between the page's reading and its storing
        return "<html>\n    <p>20 jours</p>\n</html>"

    assert (
        "20 jours"
        in cached_page(visitor_request(), "k", built_while_cleared, timeout=60, generation="g").content.decode()
    )
    fresh = cached_page(visitor_request(), "k", lambda: "<p>21 jours</p>", timeout=60, generation="g")
    assert "21 jours" in fresh.content.decode()
    again = cached_page(visitor_request(), "k", lambda: pytest.fail("rebuilt"), timeout=60, generation="g")
    assert "21 jours" in again.content.decode()


def test_a_lost_generation_never_brings_an_old_page_back():
    cached_page(visitor_request(), "k", lambda: "<p>20 jours</p>", timeout=60, generation="g")
    cache.delete("g")  # evicted by the cache server
    assert (
        "21 jours"
        in cached_page(visitor_request(), "k", lambda: "<p>21 jours</p>", timeout=60, generation="g").content.decode()
    )
