"""Pages cached whole for visitors never hold what belongs to one visitor, and are served gzipped when asked."""

import gzip
import re

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.cache import SessionStore
from django.core.cache import cache
from django.test import RequestFactory

from qualipref import pagecache
from qualipref.pagecache import cached_page, clear_after_commit, generation_bump, shows_change

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


# Clearing after the commit, once per transaction (``clear_after_commit``).


def served(figure, generation="g"):
    """The page ``k`` as a visitor gets it, built with ``figure`` if it is not (or no longer) cached."""
    html = cached_page(
        visitor_request(), "k", lambda: f"<p>{figure} jours</p>", timeout=60, generation=generation
    ).content.decode()
    return re.search(r"(\d+) jours", html).group(1)


def prefectures_of(items):
    """A ``find`` function: what the apps look up after the commit (the prefectures of surveys, say)."""
    prefectures_of.calls.append(set(items))
    return [f"g-{item}" for item in items]


@pytest.fixture
def bumps(monkeypatch):
    """The generations bumped, in order (each also really bumped)."""
    bumped = []

    def bump(generation):
        bumped.append(generation)
        generation_bump(generation)

    monkeypatch.setattr(pagecache, "generation_bump", bump)
    prefectures_of.calls = []
    return bumped


@pytest.mark.django_db
def test_asked_many_times_in_a_transaction_it_clears_once_after_the_commit(bumps, django_capture_on_commit_callbacks):
    from django.db import transaction

    assert served(20) == "20"
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for _ in range(36):  # thirty-six months published at once
            clear_after_commit("g")
            clear_after_commit("h", find=prefectures_of, items=["a", "b"])
        with transaction.atomic():  # a savepoint released: its asks are the transaction's
            clear_after_commit(find=prefectures_of, items=["c"])
        assert served(21) == "20"  # not before the commit: a page rebuilt now would read the old rows
    assert len(callbacks) == 1 and not bumps
    callbacks[0]()
    assert bumps == ["g", "g-a", "g-b", "g-c", "h"]  # each once
    assert prefectures_of.calls == [{"a", "b", "c"}]  # one look-up for the whole transaction
    assert served(21) == "21"


@pytest.mark.django_db
def test_what_a_rolled_back_savepoint_asked_is_never_cleared(bumps, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            clear_after_commit("g")
            raise RuntimeError("the change fails")
        clear_after_commit("h")  # asked again after the rollback: registered anew
    assert len(callbacks) == 1 and bumps == ["h"]


@pytest.mark.django_db(transaction=True)
def test_nothing_is_cleared_on_rollback_and_at_once_outside_a_transaction(bumps):
    from django.db import transaction

    assert served(20) == "20"
    with pytest.raises(RuntimeError), transaction.atomic():
        clear_after_commit("g")
        raise RuntimeError("the change fails")
    assert not bumps and served(21) == "20"
    clear_after_commit("g")  # autocommit: nothing to wait for
    assert bumps == ["g"] and served(21) == "21"
    with transaction.atomic():  # the rolled-back transaction left nothing pending behind
        clear_after_commit("g")
        clear_after_commit("g")
    assert bumps == ["g", "g"] and served(22) == "22"


@pytest.mark.django_db
def test_with_the_cache_down_clearing_breaks_nothing(settings, django_capture_on_commit_callbacks, caplog):
    from django.db import transaction

    from tests.faults.conftest import closed_port

    settings.CACHES = {
        "default": {
            "BACKEND": "qualipref.cache.ResilientRedisCache",  # production's, on a Redis that does not answer
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
    prefectures_of.calls = []
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        clear_after_commit("g", find=prefectures_of, items=["a"])
    clear_after_commit("g")
    assert prefectures_of.calls == [{"a"}] and "Error calling" not in caplog.text
    assert served(20) == "20" and served(21) == "21"  # no cache: every page is built


@pytest.mark.parametrize(
    ("update_fields", "shown"),
    [
        (None, True),  # a creation or a full save
        (frozenset({"help_text"}), False),  # only what the page does not show
        (frozenset({"help_text", "text"}), True),
        (frozenset(), False),
    ],
)
def test_a_save_clears_pages_only_when_it_touches_a_field_they_show(update_fields, shown):
    """What the receivers ask (``post_save``'s keyword arguments); a deletion has no ``update_fields``: it clears."""
    assert shows_change({"text", "kind"}, update_fields=update_fields, created=False) is shown
    assert shows_change({"text", "kind"}, origin=None) is True  # post_delete


@pytest.mark.django_db
def test_a_survey_question_saved_with_fields_the_results_page_does_not_show_clears_nothing(
    bumps, django_capture_on_commit_callbacks
):
    """The surveys' receivers look at ``update_fields``: an officer's new hint leaves the prefecture's page."""
    from surveys.cache import results_generation
    from tests.surveys.factories import QuestionFactory

    with django_capture_on_commit_callbacks(execute=True):  # its creation clears, once committed
        question = QuestionFactory()
    generation = results_generation(question.survey.prefecture.slug)
    assert generation in bumps
    bumps.clear()
    with django_capture_on_commit_callbacks(execute=True):
        question.help_text, question.required = "Une indication", False
        question.save(update_fields=["help_text", "required"])
    assert bumps == []
    with django_capture_on_commit_callbacks(execute=True):
        question.text = "Êtes-vous satisfait de notre accueil ?"
        question.save(update_fields=["text"])
    assert bumps == [generation]
