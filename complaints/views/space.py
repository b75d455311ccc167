"""The citizen's space ("Mon espace"): log in with FranceConnect, see every case filed, log out.

Pages about a logged-in citizen are never cached (``never_cache``) and never shell-rendered; the header's link to
the space is the same for everyone, so cached public pages stay the same for everyone."""

import requests
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from qualipref.errors import error_page
from qualipref.ratelimits import is_limited
from qualipref.timezones import use_prefecture_time_zone
from qualipref.views import breadcrumb

from ..franceconnect import (
    LoginRefused,
    allow_provider_forms,
    current_citizen,
    is_enabled,
    login_finish,
    login_redirect,
    logout_redirect,
)
from ..models import Case
from .tracking import case_timeline


def _enabled_or_404():
    if not is_enabled():
        raise Http404


@never_cache
@require_GET
def space(request):
    """The citizen's cases, newest first; the FranceConnect button when nobody is logged in."""
    _enabled_or_404()
    citizen = current_citizen(request)
    cases = (
        Case.objects.of_citizen(citizen).select_related("prefecture", "service").order_by("-created_at")
        if citizen
        else None
    )
    return allow_provider_forms(
        render(
            request,
            "complaints/space/home.html",
            {"citizen": citizen, "cases": cases, "page_title": _("My space"), **breadcrumb(_("My space"))},
        )
    )


@never_cache
@require_GET
def space_case(request, reference):
    """One of the citizen's cases and its history (read only: replies go through the tracking link)."""
    _enabled_or_404()
    citizen = current_citizen(request)
    if citizen is None:
        return redirect(reverse("complaints:space"))
    case = get_object_or_404(
        Case.objects.of_citizen(citizen).select_related("prefecture", "service"), reference=reference
    )
    use_prefecture_time_zone(case.prefecture)
    return render(
        request,
        "complaints/space/case.html",
        {
            "citizen": citizen,
            "case": case,
            "prefecture": case.prefecture,
            "timeline": case_timeline(case),
            "attachments": case.attachments.all(),
            "page_title": _("Request %(reference)s") % {"reference": case.reference},
            **breadcrumb(case.reference, (_("My space"), reverse("complaints:space"))),
        },
    )


# Each start writes a session (state and nonce): enough for a citizen trying again, not for a loop.
LOGIN_LIMIT = {"group": "franceconnect-login", "rate": "30/h", "method": "GET"}


@never_cache
@require_GET
def franceconnect_login(request):
    _enabled_or_404()
    if is_limited(request, increment=True, **LOGIN_LIMIT):
        return error_page(request, 429, back_url=reverse("complaints:space"), back_label=_("Back to my space"))
    try:
        return login_redirect(request, next_url=request.GET.get("next", ""))
    except (requests.RequestException, ValueError):
        # FranceConnect's configuration could not be read: say so, rather than an error page about the portal.
        return error_page(
            request,
            503,
            page_title=_("FranceConnect cannot be reached"),
            explanation=_("FranceConnect does not answer at the moment: you are not logged in."),
            advice=_("Try again later. You can also file and follow your requests without logging in."),
            back_url=reverse("complaints:space"),
            back_label=_("Back to my space"),
        )


@never_cache
@require_GET
def franceconnect_callback(request):
    _enabled_or_404()
    try:
        next_url = login_finish(request)
    except LoginRefused:
        return error_page(
            request,
            403,
            page_title=_("The login with FranceConnect failed"),
            explanation=_("FranceConnect's answer could not be checked, or it had expired: you are not logged in."),
            advice=_("Try again. You can also file and follow your requests without logging in."),
            back_url=reverse("complaints:space"),
            back_label=_("Back to my space"),
        )
    return redirect(next_url)


@never_cache
@require_POST
def franceconnect_logout(request):
    """Ends the portal's session at once, then FranceConnect's (its end-session endpoint), which brings the citizen
    back to ``franceconnect_logged_out``."""
    return redirect(logout_redirect(request))


@never_cache
@require_GET
def franceconnect_logged_out(request):
    return render(
        request,
        "complaints/space/logged_out.html",
        {"page_title": _("You are logged out"), **breadcrumb(_("You are logged out"))},
    )
