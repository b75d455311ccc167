"""Public pages cached whole for visitors: no database query, no rendering, no compression once a page is built.

A cached page is shared by every visitor, so it must hold nothing personal: staff (whose header
differs) and a visitor with a message waiting to be shown always get a fresh page, never stored.

It holds no CSP nonce either: the only scripts of our pages are the DSFR's own files, served from our
origin, which the policy's ``script-src 'self'`` allows (there is no inline script anywhere), so the
nonce attributes are taken out before the page is stored. A page is stored gzipped, once: every
browser asks for gzip, and a 70 KB page of figures shrinks to a tenth of it, which is also all that
crosses from the cache. A client that does not ask for gzip gets it inflated, and each process keeps
the last pages it inflated (keyed by their compressed bytes, so a page rebuilt is a new entry, never a
stale one). Nothing secret and nothing a visitor typed is in these pages: compressing them leaks nothing.

Clearing is by generation, not by deleting keys: a page is stored with the generation of its group of pages
(``generation``, a cache key) as read *before* the page was built, and is served only while that generation
is still current. Deleting keys left a race: a page built from the database just before an officer's change
committed, and stored just after the change cleared the cache, stayed in the cache with the old figures for
its whole lifetime. Bumping a generation (``generation_bump``) also clears pages whose keys nobody could list
(a prefecture's old address after a rename).

Clearing waits for the commit (``clear_after_commit``), once per transaction: a page rebuilt before the
commit would read the old rows again, a rolled-back change has nothing to clear, and an admin page saving
a survey with forty rows, or an import publishing thirty-six months, clears each page once. The apps say
which generations to bump (``delays.cache``, ``surveys.cache``); their signal receivers ask only when a save
touches a field their pages show (``shows_change``): the nightly save of a prefecture's next audit date
clears nothing.
"""

import gzip
import re
import uuid
from functools import lru_cache

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.text import compress_string

INDENTATION = re.compile(r"\n\s+")
NONCE_ATTRIBUTE = re.compile(r' nonce="[^"]*"')
ACCEPTS_GZIP = re.compile(r"\bgzip\b")
# Inflated pages kept per process for clients without gzip: about 70 KB each, so a few megabytes at most.
INFLATED_PAGES = 64


@lru_cache(maxsize=INFLATED_PAGES)
def _inflated(gzipped):
    return gzip.decompress(gzipped)


def generation_bump(generation):
    """Every page stored under ``generation`` is out of date from now on."""
    cache.set(generation, uuid.uuid4().hex, timeout=None)


class _Pending:
    """What the current transaction asked to clear, cleared by one ``on_commit`` callback (``flush``)."""

    def __init__(self):
        self.generations = set()
        self.found_later = {}  # a function finding generations after the commit -> the items it is given
        self.flushed = False

    def flush(self):
        self.flushed = True
        generations = set(self.generations)
        for find, items in self.found_later.items():
            generations.update(find(items))
        self.generations, self.found_later = set(), {}
        for generation in sorted(generations):
            generation_bump(generation)


PENDING = "_qualipref_pages_to_clear"  # on the (thread's) connection


def clear_after_commit(*generations, find=None, items=()):
    """Bump these generations once the current transaction commits; at once outside a transaction, never if
    it rolls back. However many times it is asked during a transaction, one callback clears everything
    asked, each generation once.

    ``find`` (with ``items``): for generations known only through a query (the prefectures of these surveys),
    a module-level function given, after the commit, every item asked with it during the transaction (a set)
    and returning generations: one query for the whole transaction, whatever the number of rows saved.

    Fail-soft like the cache itself: with the cache down nothing is cleared and nothing breaks (a page
    is neither stored nor read then), and a failure after the commit is logged, never shown to the user
    whose change is saved."""
    connection = transaction.get_connection()
    pending = getattr(connection, PENDING, None)
    # Still waiting in this transaction? Not after a commit, a rollback (Django drops its callbacks) or the
    # rollback of the savepoint that asked first (what it asked goes with it).
    waiting = (
        pending is not None
        and not pending.flushed
        and any(func == pending.flush for _, func, _ in connection.run_on_commit)
    )
    if not waiting:
        pending = _Pending()
        setattr(connection, PENDING, pending)
    pending.generations.update(generations)
    if find is not None:
        pending.found_later.setdefault(find, set()).update(items)
    if not waiting:  # last: outside a transaction, it clears at once
        transaction.on_commit(pending.flush, robust=True)


def shows_change(fields, update_fields=None, **kwargs):
    """Whether a save or a deletion (a ``post_save``/``post_delete`` receiver's keyword arguments) may change a
    page showing these ``fields`` of the row: a creation, a deletion, a full save, or a save whose
    ``update_fields`` names one of them."""
    return update_fields is None or not set(fields).isdisjoint(update_fields)


def _current(generation, found):
    """The generation's value; a missing one (never set, or evicted) starts a new one, so that no page stored
    under an earlier value may come back."""
    if found is None:
        cache.add(generation, uuid.uuid4().hex, timeout=None)
        found = cache.get(generation)
    return found


def cached_page(request, key, build, *, timeout, generation):
    """The page under ``key`` from the cache, or ``build()`` (the rendered HTML, or ``Http404`` raised) cached
    for ``timeout`` seconds and while ``generation`` stays as it was. Only for pages without ``<pre>`` or
    ``<textarea>``: indentation, a third of a page, is stripped."""
    if request.user.is_authenticated or len(get_messages(request)):  # len() leaves the messages unread
        return HttpResponse(build())
    found = cache.get_many([key, generation])  # one round trip
    current = _current(generation, found.get(generation))
    stored = found.get(key)
    if stored is not None and stored[0] == current:
        gzipped = stored[1]
    else:
        gzipped = compress_string(NONCE_ATTRIBUTE.sub("", INDENTATION.sub("\n", build())).encode())
        cache.set(key, (current, gzipped), timeout)
    if ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")):
        response = HttpResponse(gzipped)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(_inflated(gzipped))
    patch_vary_headers(response, ("Accept-Encoding",))
    return response
