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
"""

import gzip
import re
import uuid
from functools import lru_cache

from django.contrib.messages import get_messages
from django.core.cache import cache
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
