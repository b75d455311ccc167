"""Database sessions without the key check and the one-statement transaction (qualipref/sessions.py): a session is
created, read, updated and deleted as with Django's backend; a key already taken is drawn again; inside a
transaction a failed insert leaves the transaction usable."""

import pytest
from django.conf import settings
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from qualipref import sessions
from qualipref.sessions import SessionStore


def test_the_portal_uses_this_store():
    assert settings.SESSION_ENGINE == "qualipref.sessions"


@pytest.mark.django_db(transaction=True)
def test_a_new_session_is_one_insert_and_reads_back():
    store = SessionStore()
    store["complaints:last_submission"] = {"case": 12, "filed_at": 1}
    with CaptureQueriesContext(connection) as queries:
        store.save()
    assert len(queries) == 1 and queries[0]["sql"].startswith('INSERT INTO "django_session"')
    assert SessionStore(store.session_key)["complaints:last_submission"] == {"case": 12, "filed_at": 1}
    again = SessionStore(store.session_key)
    again["more"] = 1
    again.save()
    assert SessionStore(store.session_key)["more"] == 1 and Session.objects.count() == 1
    again.delete()
    assert not Session.objects.exists()
    again["late"] = 1
    with pytest.raises(UpdateError):  # saved after being deleted elsewhere: as with Django's store
        again.save()


@pytest.mark.django_db(transaction=True)
def test_a_key_already_taken_is_drawn_again(monkeypatch):
    taken = SessionStore()
    taken["who"] = "first"
    taken.save()
    keys = iter([taken.session_key, "b" * 32])
    monkeypatch.setattr(sessions, "get_random_string", lambda length, chars: next(keys))
    store = SessionStore()
    store["who"] = "second"
    store.save()
    assert store.session_key == "b" * 32
    assert SessionStore(taken.session_key)["who"] == "first" and SessionStore("b" * 32)["who"] == "second"


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_a_taken_key_leaves_the_transaction_usable(monkeypatch):
    taken = SessionStore()
    taken.save()
    keys = iter([taken.session_key, "c" * 32])
    monkeypatch.setattr(sessions, "get_random_string", lambda length, chars: next(keys))
    with transaction.atomic():
        store = SessionStore()
        store["x"] = 1
        store.save()
        assert Session.objects.count() == 2  # the transaction still answers after the failed insert
    assert store.session_key == "c" * 32 and SessionStore("c" * 32)["x"] == 1
