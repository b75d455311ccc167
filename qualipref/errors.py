"""The error pages (400, 403, 404, 413, 500 and the CSRF failure): DSFR pages after the State design system's
"page d'erreur" models, in the visitor's language, with the header, a plain explanation and a way back.

The 400 and 500 pages render statically: no context processor, no session, no user, so nothing queries a
database that may be the very thing that failed, and nothing reads a Host header Django has just refused.
"""

from urllib.parse import urlsplit

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponse
from django.template import loader
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .context_processors import site

# status: title, what happened, what to do, pictogram (dsfr/dist/artwork/pictograms/system/).
PAGES = {
    400: (
        _("Bad request"),
        _("The portal could not understand the request it received."),
        _("Check the address you typed or followed, then try again from the home page."),
        "error",
    ),
    403: (
        _("Access denied"),
        _("You are not allowed to see this page."),
        _(
            "If you work for a prefecture, log in with the account it gave you; otherwise, the page you are "
            "looking for is not public."
        ),
        "padlock",
    ),
    404: (
        _("Page not found"),
        _("The page you are looking for cannot be found. We apologise for the inconvenience."),
        _(
            "If you typed the address, check that it is right; the page may also no longer exist. A private "
            "tracking link stops working after a year: you can ask for a new one from your prefecture's "
            "complaint form."
        ),
        "technical-error",
    ),
    413: (
        _("Too large to be sent"),
        _("What you sent is larger than this page accepts: it was not read, and nothing was recorded."),
        _(
            "Use your browser's Back button: what you typed is usually still there. Attach fewer or smaller files "
            "(the form says how large they may be), then send it again."
        ),
        "error",
    ),
    429: (
        _("Too many requests"),
        _("This address has asked for this page many times in a short while."),
        _("Try again in an hour; nothing you sent before has been lost."),
        "error",
    ),
    503: (
        _("Service unavailable"),
        _("A service this page depends on does not answer at the moment."),
        _("Try again later."),
        "technical-error",
    ),
    500: (
        _("Unexpected error"),
        _("Sorry, the service has run into a problem. We are working to solve it as quickly as possible."),
        _("Try reloading the page, or try again later."),
        "technical-error",
    ),
}


def _render(request, status, *, static=False, **extra):
    title, explanation, advice, pictogram = PAGES[status]
    context = {
        "status": status,
        "page_title": title,
        "explanation": explanation,
        "advice": advice,
        "pictogram": pictogram,
        "home_url": reverse("home"),
        "sitemap_url": reverse("sitemap"),
        **extra,
    }
    template = loader.get_template("error.html")
    if static:
        context |= {"request": request, "LANGUAGE_CODE": get_language(), **site(request)}
        html = template.render(context)
    else:
        html = template.render(context, request)
    return HttpResponse(html, status=status)


def error_page(request, status, **words):
    """An error page in the portal's style with its own words: ``page_title``, ``explanation``, ``advice``, and a way
    on (``back_url``, ``back_label``) — e.g. a tracking link that no longer works (complaints/views/tracking.py)."""
    return _render(request, status, **words)


def bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        return request_too_large(request)
    return _render(request, 400, static=True)


def request_too_large(request, *, limit=None):
    """413: a body larger than its page accepts (``qualipref.request_limits``), or more fields, files or text than
    Django's ``DATA_UPLOAD_MAX_*`` allow. Rendered without reading the body, the session or the database: what was
    typed is still in the browser, and the page says how to send it again."""
    extra = {}
    if limit:
        extra["explanation"] = _(
            "What you sent is larger than this page accepts (%(limit)s at most): it was not read, and nothing was "
            "recorded."
        ) % {"limit": filesizeformat(limit)}
    return _render(
        request, 413, static=True, back_url=_same_site_path(request, request.META.get("HTTP_REFERER", "")), **extra
    )


def permission_denied(request, exception=None):
    return _render(request, 403)


def page_not_found(request, exception=None):
    return _render(request, 404)


def server_error(request):
    return _render(request, 500, static=True)


def _same_site_path(request, url):
    """The path of ``url`` when it is an address of this site, else ``""`` (never a link to another site)."""
    if not url or not url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return ""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def csrf_failure(request, reason=""):
    """A form sent without its security token (a page left open too long, cookies blocked): say so, and how to
    keep what was typed (the browser's Back button) before opening the form again (a new token)."""
    return _render(
        request,
        403,
        page_title=_("Form expired"),
        explanation=_(
            "For your security, this form could not be accepted: the page was probably open for too long, or "
            "your browser refuses this site's cookies."
        ),
        advice=_(
            "Use your browser's Back button: what you typed is usually still there. Copy it, open the form again, "
            "paste it and send it. If this happens again, allow this site's cookies in your browser."
        ),
        back_url=_same_site_path(request, request.META.get("HTTP_REFERER", "")),
    )
