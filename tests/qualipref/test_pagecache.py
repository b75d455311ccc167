"""Pages cached whole for visitors never hold what belongs to one visitor."""

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.cache import SessionStore
from django.core.cache import cache
from django.test import RequestFactory

from qualipref.pagecache import NONCE_PLACEHOLDER, cached_page

from .factories import MembershipFactory


def visitor_request(user=None):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/page/")
    request.user = user or AnonymousUser()
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request.csp_nonce = "nonce-1"
    return request


def page(request):
    shown = " ".join(str(m) for m in get_messages(request))
    return f'<html>\n    <script nonce="{request.csp_nonce}"></script>\n    <p>{shown}</p>\n</html>'


def test_a_visitor_gets_the_stored_page_with_their_own_nonce():
    first = cached_page(visitor_request(), "k", lambda: page(visitor_request()), timeout=60)
    assert 'nonce="nonce-1"' in first.content.decode()
    assert NONCE_PLACEHOLDER in cache.get("k") and "nonce-1" not in cache.get("k")
    second_request = visitor_request()
    second_request.csp_nonce = "nonce-2"
    second = cached_page(second_request, "k", lambda: pytest.fail("rebuilt"), timeout=60)
    assert 'nonce="nonce-2"' in second.content.decode()


def test_a_visitor_with_a_message_waiting_gets_it_on_a_fresh_page_never_stored():
    request = visitor_request()
    request._messages.add(20, "Votre message a bien été envoyé.")
    response = cached_page(request, "k", lambda: page(request), timeout=60)
    assert "Votre message a bien été envoyé." in response.content.decode()
    assert cache.get("k") is None
    other = cached_page(visitor_request(), "k", lambda: page(visitor_request()), timeout=60)
    assert "Votre message" not in other.content.decode()


@pytest.mark.django_db
def test_staff_get_a_fresh_page_never_stored():
    officer = MembershipFactory().user
    response = cached_page(visitor_request(officer), "k", lambda: "<p>fresh</p>", timeout=60)
    assert response.content == b"<p>fresh</p>" and cache.get("k") is None
