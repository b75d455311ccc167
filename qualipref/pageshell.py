"""A form page rendered once and served to every anonymous visitor, with their own CSRF token and CSP nonce.

An empty form page is the same for every visitor but for two values: the CSRF token (``{% csrf_token %}``, masked
afresh for each response) and a CSP nonce if the page carries one (one per response, which the policy header then
names; our pages' scripts are files of our origin, which ``script-src 'self'`` allows, so today they carry none and
no nonce is drawn). ``shell_render`` renders the page once with the request's own values, stores it with both
taken out (replaced by marks that cannot occur in a page: they hold a NUL), and for each later request puts the
request's token (and a nonce of its own, if the page had one) in their places: the stored HTML never carries
anyone's token or nonce, and each visitor gets the page as a fresh rendering would give it (tests compare them).

What else the page shows must be in the caller's ``key``, read from the database on each request (the prefecture's
row, the choices of services and sites): a change shows on the next page, in every process, with nothing to
clear. The language and the path (with the script prefix: the language switch's links, the menu's current entry)
are always part of the key. Staff and visitors with a message waiting (their header and alerts differ) always get
a page rendered for them, never stored. Per process, bounded, like ``complaints.forms.empty_form_fields_html``.
"""

import re
import threading

from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import translation

NONCE_ATTRIBUTE = re.compile(r' nonce="([^"]+)"')
CSRF_MARK = "\x00csrf-token\x00"
NONCE_MARK = "\x00csp-nonce\x00"
_SHELLS = {}
_SHELLS_MAX = 512
_shells_lock = threading.Lock()


def _personal(request):
    return request.user.is_authenticated or len(get_messages(request))  # len() leaves the messages unread


def row_key(instance):
    """Every stored value of a model instance's row: part of a shell's key when the page shows that row."""
    return tuple(getattr(instance, field.attname) for field in instance._meta.concrete_fields)


def shell_render(request, template, context, *, key):
    """``template`` rendered with ``context`` for ``request``, as ``render()`` would, from the stored shell when
    there is one for ``key`` (a tuple of everything the page shows that the database decides)."""
    if _personal(request):
        return HttpResponse(render_to_string(template, context, request))
    token = get_token(request)  # as {% csrf_token %} does: the response sets the CSRF cookie if needed
    full_key = (template, translation.get_language(), request.get_full_path(), key)
    shell = _SHELLS.get(full_key)
    if shell is None:
        html = render_to_string(template, {**context, "csrf_token": token}, request)
        # A nonce the page carries is the request's own (reading it now returns the one drawn while rendering).
        nonces = set(NONCE_ATTRIBUTE.findall(html))
        if token not in html or "\x00" in html or (nonces and nonces != {str(request.csp_nonce)}):
            return HttpResponse(html)  # not the page this expects: served as rendered, never stored
        shell = html.replace(token, CSRF_MARK)
        if nonces:
            shell = shell.replace(nonces.pop(), NONCE_MARK)
        with _shells_lock:
            if len(_SHELLS) >= _SHELLS_MAX:
                _SHELLS.clear()
            _SHELLS[full_key] = shell
    html = shell.replace(CSRF_MARK, token)
    if NONCE_MARK in shell:  # only then is a nonce drawn for this request (and named by its policy header)
        html = html.replace(NONCE_MARK, str(request.csp_nonce))
    return HttpResponse(html)


def shells_clear():
    """Forget every stored shell (tests; a process sees template changes only on restart anyway)."""
    with _shells_lock:
        _SHELLS.clear()
