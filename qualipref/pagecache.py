"""Public pages cached whole for visitors: no database query once a page is built.

A cached page is shared by every visitor, so it must hold nothing personal: staff (whose header
differs) and a visitor with a message waiting to be shown always get a fresh page, never stored; the
CSP nonce, which differs on every response, is kept in the cache as a placeholder and put back on
the way out. Each app owns its keys and clears them
when what the page shows changes (``delays.cache``, ``surveys.cache``).
"""

import re

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse

NONCE_PLACEHOLDER = "__qualipref_csp_nonce__"
INDENTATION = re.compile(r"\n\s+")


def cached_page(request, key, build, *, timeout):
    """The page under ``key`` from the cache, or ``build()`` (the rendered HTML, or ``Http404`` raised) cached
    for ``timeout`` seconds. Only for pages without ``<pre>`` or ``<textarea>``: indentation, a third of a
    page, is stripped."""
    if request.user.is_authenticated or len(get_messages(request)):  # len() leaves the messages unread
        return HttpResponse(build())
    html = cache.get(key)
    if html is None:
        html = INDENTATION.sub("\n", build())
        nonce = getattr(request, "csp_nonce", "")
        cache.set(key, html.replace(nonce, NONCE_PLACEHOLDER) if nonce else html, timeout)
        return HttpResponse(html)
    if NONCE_PLACEHOLDER in html:
        html = html.replace(NONCE_PLACEHOLDER, str(request.csp_nonce))
    return HttpResponse(html)
