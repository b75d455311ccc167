"""The citizen's private tracking page: status, timeline, answers; reply, add a document, rate the answer."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from qualipref.errors import error_page
from qualipref.ratelimits import is_limited, submission_accepted, submission_time_left, too_many_requests
from qualipref.timezones import use_prefecture_time_zone
from qualipref.workflow import TransitionRefused, refusal_message

from ..enums import PUBLIC_MESSAGE_KINDS, Kind
from ..forms import RatingForm, ReplyForm
from ..receipt import receipt_pdf
from ..services import REOPENABLE, can_rate, can_reopen, can_reply, case_citizen_reply, case_rate, reopen_until
from ..tracking_links import case_for_token


def link_gone(request):
    """A wrong, replaced or expired link: one page for all (404), which names no case and no prefecture, and leads
    to the network-wide lost-link form. A message or comment sent through it is given back, to copy."""
    typed = [request.POST.get(name, "").strip() for name in ("reply-text", "rating-comment")]
    return error_page(
        request,
        404,
        page_title=_("This tracking link no longer works"),
        explanation=_(
            "This link has been replaced by a more recent one: the link in the latest e-mail we sent you about your "
            "request. It may also have expired, or be incomplete."
        ),
        advice=_(
            "Use the link in our latest e-mail, or ask for a new one: it is sent to the address you gave, and every "
            "earlier link then stops working."
        ),
        back_url=reverse("complaints:lost_link"),
        back_label=_("Get a new link"),
        kept_text="\n\n".join(text for text in typed if text),
    )


def case_timeline(case):
    """Status changes and public messages, oldest first (internal notes never leave the admin)."""
    events = [("status", t.at, t) for t in case.transitions.all()]
    events += [("message", m.created_at, m) for m in case.messages.filter(kind__in=PUBLIC_MESSAGE_KINDS)]
    return sorted(events, key=lambda event: event[1])


# The page's two forms each send their name in the hidden field SENT_FORM: a rating sent without a
# score must still be taken for a rating, and the reply form is hidden on a closed case.
SENT_FORM, REPLY, RATING = "sent_form", "reply", "rating"


def _sent_form(data):
    """Which of the page's forms was sent: its hidden field says; a page without it (opened before the
    field existed) is recognised by its fields' prefix, since the rating form always sends its comment."""
    sent = data.get(SENT_FORM)
    if sent in {REPLY, RATING}:
        return sent
    return RATING if any(name.startswith("rating-") for name in data) else REPLY


TRACKING_LIMIT = {"group": "complaints-tracking", "rate": "30/h"}


def _tracking_page(case, token, reply_form, rating_form):
    return {
        "case": case,
        "prefecture": case.prefecture,
        "timeline": case_timeline(case),
        "attachments": case.attachments.all(),
        "reply_form": reply_form,
        "rating_form": rating_form if can_rate(case) else None,
        "can_reply": can_reply(case),
        "reopen_until": reopen_until(case) if can_reopen(case) else None,
        "closed": case.kind == Kind.COMPLAINT and case.status in REOPENABLE,
        "token": token,
        "sent_form": SENT_FORM,
        "page_title": _("Follow your request"),
        "max_attachments": settings.COMPLAINTS_MAX_ATTACHMENTS,
    }


@never_cache
@require_http_methods(["GET", "POST"])
def tracking(request, token):
    case = case_for_token(token)
    if case is None:
        return link_gone(request)
    use_prefecture_time_zone(case.prefecture)
    reply_form = ReplyForm(prefix="reply")
    rating_form = RatingForm(prefix="rating")
    if request.method == "POST":
        time_left = submission_time_left(request, **TRACKING_LIMIT)
        if _sent_form(request.POST) == RATING:
            rating_form = RatingForm(request.POST, prefix="rating")
        else:
            reply_form = ReplyForm(request.POST, request.FILES, prefix="reply")
        if time_left:
            page = _tracking_page(case, token, reply_form, rating_form)
            return too_many_requests(
                request, time_left, template="complaints/tracking.html", context=page, prefecture=case.prefecture
            )
        if _sent_form(request.POST) == RATING:
            if rating_form.is_valid():
                try:
                    case_rate(case=case, **rating_form.cleaned_data)
                except ValidationError as refused:
                    rating_form.add_error(None, refused)
                else:
                    submission_accepted(request, **TRACKING_LIMIT)
                    messages.success(request, _("Thank you: your opinion on the answer has been recorded."))
                    return redirect(request.path)
        elif reply_form.is_valid() and not reply_form.is_spam():
            try:
                case_citizen_reply(
                    case=case, text=reply_form.cleaned_data["text"], files=reply_form.cleaned_data["attachments"]
                )
            except (TransitionRefused, ValidationError) as refused:
                reply_form.add_error(None, refusal_message(refused))
            else:
                submission_accepted(request, **TRACKING_LIMIT)
                messages.success(request, _("Your message has been sent to the prefecture."))
                return redirect(request.path)
    case.refresh_from_db()
    return render(request, "complaints/tracking.html", _tracking_page(case, token, reply_form, rating_form))


# A receipt costs a PDF's rendering: enough for a citizen printing it again, not for a loop.
RECEIPT_LIMIT = {"group": "complaints-receipt", "rate": "20/h", "method": "GET"}


@never_cache
@require_GET
def tracking_receipt(request, token):
    """What the citizen filed, as a PDF (``complaints.receipt``)."""
    case = case_for_token(token)
    if case is None:
        return link_gone(request)
    if is_limited(request, increment=True, **RECEIPT_LIMIT):
        return error_page(
            request, 429, back_url=request.path.removesuffix("recu.pdf"), back_label=_("Back to your request")
        )
    response = HttpResponse(receipt_pdf(case), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="recu-{case.reference}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@require_GET
def tracking_attachment(request, token, pk):
    case = case_for_token(token)
    if case is None:
        return link_gone(request)
    return _serve(get_object_or_404(case.attachments, pk=pk))


def _serve(attachment):
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
