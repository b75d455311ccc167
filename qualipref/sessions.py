"""Django's database sessions, two round trips shorter where a session is created or saved outside a transaction.

Django's own store asks the database whether a new random key is free before inserting it, then inserts it in a
transaction of its own (BEGIN, INSERT, COMMIT): four round trips for the session a citizen's first form gets. The
question is redundant (the insert fails on the primary key if the key is taken, and ``create()`` then draws
another: ``CreateError``, as in Django), and so is the transaction around one statement in autocommit, which is
atomic by itself. Inside a transaction (``atomic``), the save keeps Django's savepoint: a failed insert must not
break the surrounding transaction. Everything else is Django's ``db`` backend (``SESSION_ENGINE``).
"""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import DatabaseError, IntegrityError, connections, router
from django.utils.crypto import get_random_string


class SessionStore(DatabaseSessionStore):
    def _get_new_session_key(self):
        # Only ``create()`` draws a key in this backend, and inserts it with ``must_create``: a key taken fails there.
        return get_random_string(32, VALID_KEY_CHARS)

    def save(self, must_create=False):
        if self.session_key is None:
            return self.create()
        obj = self.create_model_instance(self._get_session(no_load=must_create))
        using = router.db_for_write(self.model, instance=obj)
        if not connections[using].get_autocommit():
            return super().save(must_create=must_create)  # in a transaction: Django's savepoint
        try:
            obj.save(force_insert=must_create, force_update=not must_create, using=using)
        except IntegrityError:
            if must_create:
                raise CreateError from None
            raise
        except DatabaseError:
            if not must_create:
                raise UpdateError from None
            raise
