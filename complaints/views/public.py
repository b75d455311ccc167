"""The citizen's form: file a complaint or a suggestion, see the confirmation, get a lost link again."""

import time

from django.conf import settings
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from qualipref.links import page_url
from qualipref.models import Prefecture
from qualipref.pageshell import row_key, shell_render
from qualipref.ratelimits import submission_accepted, submission_time_left, too_many_requests
from qualipref.views import breadcrumb

from ..forms import CaseForm, LostLinkForm, empty_form_fields_html
from ..franceconnect import allow_provider_forms, current_citizen, is_enabled
from ..models import Case
from ..services import case_submit
from ..tracking_links import handover_forget, handover_give, handover_take, lost_link_request, tracking_path

# The session keeps which case was just filed, never its link (see complaints/tracking_links.py), and only for
# a while: the next person on a shared computer does not find the previous one's confirmation.
SESSION_KEY = "complaints:last_submission"
CONFIRMATION_SECONDS = 3600


@require_GET
def choose_prefecture(request):
    """The home page's entry: the prefecture chosen in its list leads to that prefecture's form."""
    prefecture = Prefecture.objects.filter(slug=request.GET.get("prefecture", "")[:100]).first()
    if prefecture is None:
        return redirect(reverse("home") + "#deposer")
    return redirect("complaints:new", slug=prefecture.slug)


@require_http_methods(["GET", "POST"])
def case_new(request, slug):
    prefecture = get_object_or_404(Prefecture, slug=slug)
    # A citizen logged in with FranceConnect finds their name and address filled in, and the case in their space.
    citizen = current_citizen(request)
    initial = {"name": citizen.full_name, "email": citizen.email} if citizen else None
    form = CaseForm(request.POST or None, request.FILES or None, prefecture=prefecture, initial=initial)
    page = {
        "prefecture": prefecture,
        "form": form,
        "citizen": citizen,
        "franceconnect": is_enabled(),
        "page_title": _("Send a complaint or a suggestion"),
        **breadcrumb(_("Complaints and suggestions"), (prefecture.name, prefecture.get_absolute_url())),
    }
    if request.method == "POST":
        limit = {"group": "complaints-submit", "rate": settings.COMPLAINTS_SUBMIT_RATE}
        if time_left := submission_time_left(request, **limit):
            return too_many_requests(
                request, time_left, template="complaints/case_form.html", context=page, prefecture=prefecture
            )
        if form.is_spam():
            form.add_error(None, _("Your request could not be processed. Please check the form and send it again."))
        elif form.is_valid():
            data = form.cleaned_data
            case, token = case_submit(
                prefecture=prefecture, data={**data, "citizen": citizen}, files=data["attachments"]
            )
            submission_accepted(request, **limit)
            request.session[SESSION_KEY] = {"case": case.pk, "filed_at": int(time.time())}
            confirmation = reverse("complaints:confirmation", kwargs={"slug": prefecture.slug})
            return handover_give(redirect(confirmation), case=case, token=token, path=confirmation)
    if form.is_bound or citizen:
        return allow_provider_forms(render(request, "complaints/case_form.html", page))
    # The empty form's page: the same for every visitor but their CSRF token and CSP nonce (qualipref/pageshell.py),
    # as long as the prefecture's row and the choices read here stay as they are.
    choices = form.choices_shown()
    page["fields_html"] = empty_form_fields_html(form, choices)
    return allow_provider_forms(
        shell_render(
            request, "complaints/case_form.html", page, key=(row_key(prefecture), choices, page["franceconnect"])
        )
    )


@never_cache
def confirmation(request, slug):
    """After a submission (Post/Redirect/Get): the reference, and the private link on the first display only (the
    browser brings it, see ``handover_give``); the link never appears in a URL we log, nor in the session."""
    prefecture = get_object_or_404(Prefecture, slug=slug)
    submission = request.session.get(SESSION_KEY)
    if not submission or time.time() - submission.get("filed_at", 0) > CONFIRMATION_SECONDS:
        request.session.pop(SESSION_KEY, None)
        return redirect("complaints:new", slug=prefecture.slug)
    case = get_object_or_404(Case.objects.select_related("service"), pk=submission["case"], prefecture=prefecture)
    token = handover_take(request, case=case)
    response = render(
        request,
        "complaints/confirmation.html",
        {
            "prefecture": prefecture,
            "case": case,
            "tracking_url": page_url(request, tracking_path(token)) if token else None,
            "page_title": _("Your request has been received"),
            **breadcrumb(_("Request received"), (prefecture.name, prefecture.get_absolute_url())),
        },
    )
    return handover_forget(request, response)


@require_http_methods(["GET", "POST"])
def lost_link(request, slug=None):
    """A new link by e-mail, which kills the old ones: from a prefecture's pages, or network-wide (the page a
    replaced link leads to, which names no prefecture). The reference alone finds the case."""
    prefecture = get_object_or_404(Prefecture, slug=slug) if slug else None
    form = LostLinkForm(request.POST or None)
    around = [(prefecture.name, prefecture.get_absolute_url())] if prefecture else []
    page = {
        "prefecture": prefecture,
        "form": form,
        "sent": False,
        "page_title": _("Get my tracking link again"),
        **breadcrumb(_("Lost link"), *around),
    }
    if request.method == "POST":
        limit = {"group": "complaints-lost-link", "rate": settings.COMPLAINTS_SUBMIT_RATE}
        if time_left := submission_time_left(request, **limit):
            return too_many_requests(
                request, time_left, template="complaints/lost_link.html", context=page, prefecture=prefecture
            )
        if form.is_valid() and not form.is_spam():
            # Answered before anything is looked up: the same work, time and page whether or not it matches.
            lost_link_request(reference=form.cleaned_data["reference"], email=form.cleaned_data["email"])
            submission_accepted(request, **limit)
            page["sent"] = True
    return render(request, "complaints/lost_link.html", page)
