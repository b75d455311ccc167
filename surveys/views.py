"""The citizen's side: open surveys, the answering page, the thank-you page, short links, published results."""

import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from qualipref.models import Prefecture
from qualipref.pagecache import cached_page
from qualipref.ratelimits import submission_accepted, submission_time_left, too_many_requests
from qualipref.views import breadcrumb

from . import kiosk
from .cache import results_generation, results_key
from .enums import SurveyState, SurveyStatus
from .forms import SurveyAnswerForm
from .models import DistributionPoint, Survey
from .results import published_results
from .services import response_submit

# The one-response-per-browser cookie: signed, it only says "this survey was answered here".
COOKIE_PREFIX = "qp_survey_"
COOKIE_SALT = "surveys.answered"
COOKIE_MAX_AGE = datetime.timedelta(days=395)  # 13 months, as the privacy page promises
POINT_PARAMETER = "lieu"


def _point_code(raw):
    """A short-link code as typed or scanned, or "" when it cannot be one (a NUL byte must not reach the database)."""
    code = (raw or "").strip().lower()[:12]
    return code if code.isascii() and code.isalnum() else ""


def cookie_name(survey):
    return f"{COOKIE_PREFIX}{survey.pk}"


def has_answered(request, survey):
    return request.get_signed_cookie(cookie_name(survey), default=None, salt=COOKIE_SALT) == str(survey.pk)


def remember_answer(response, survey):
    """Until the survey closes, 13 months at most; HttpOnly, SameSite=Lax, Secure in production."""
    lifetime = min(survey.closes_at() - timezone.now(), COOKIE_MAX_AGE)
    response.set_signed_cookie(
        cookie_name(survey),
        str(survey.pk),
        salt=COOKIE_SALT,
        max_age=max(int(lifetime.total_seconds()), 60),
        path="/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def _survey_and_point(slug, survey_slug, code):
    """The survey (with its prefecture) and the distribution point named by ``code``: one query."""
    if code:
        point = (
            DistributionPoint.objects.select_related("survey__prefecture")
            .filter(code=code, survey__slug=survey_slug, survey__prefecture__slug=slug)
            .exclude(survey__status=SurveyStatus.DRAFT)
            .first()
        )
        if point is not None:
            return point.survey, point
    survey = get_object_or_404(
        Survey.objects.visible().select_related("prefecture"), prefecture__slug=slug, slug=survey_slug
    )
    return survey, None


def _survey_breadcrumb(survey):
    prefecture = survey.prefecture
    return breadcrumb(
        survey.title,
        (prefecture.name, prefecture.get_absolute_url()),
        (_("Satisfaction surveys"), reverse("surveys:list", kwargs={"slug": prefecture.slug})),
    )


def _unavailable(request, survey, state, *, status=200):
    """A closed, future or already answered survey says so, and offers the others open today."""
    prefecture = survey.prefecture
    others = Survey.objects.for_prefecture(prefecture).accepting_answers(prefecture.today()).exclude(pk=survey.pk)
    return render(
        request,
        "surveys/survey_unavailable.html",
        {
            "prefecture": prefecture,
            "survey": survey,
            "state": state,
            "others": others.order_by("closes_on", "title"),
            "page_title": survey.title,
            **_survey_breadcrumb(survey),
        },
        status=status,
    )


ANSWERED = "answered"


@never_cache
@require_http_methods(["GET", "POST"])
def survey_answer(request, slug, survey_slug):
    code = _point_code(request.POST.get(POINT_PARAMETER) or request.GET.get(POINT_PARAMETER))
    survey, point = _survey_and_point(slug, survey_slug, code)
    prefecture = survey.prefecture
    state = survey.state(prefecture.today())
    refused = 409 if request.method == "POST" else 200
    if state != SurveyState.OPEN:
        return _unavailable(request, survey, state, status=refused)
    if has_answered(request, survey):
        return _unavailable(request, survey, ANSWERED, status=refused)
    page = {
        "prefecture": prefecture,
        "survey": survey,
        "point": point,
        "point_parameter": POINT_PARAMETER,
        "page_title": survey.title,
        **_survey_breadcrumb(survey),
    }
    limit = {"group": "surveys-submit", "rate": settings.SURVEYS_SUBMIT_RATE}

    def done():
        return remember_answer(redirect("surveys:thanks", slug=prefecture.slug, survey_slug=survey.slug), survey)

    return _answer(request, survey, point, page=page, template="surveys/survey_answer.html", limit=limit, done=done)


def _answer(request, survey, point, *, page, template, limit, done):
    """The answering form, as the survey's page and a counter tablet share it: on a valid POST within ``limit``
    (``qualipref.ratelimits``), the answers recorded and ``done()``; else the page, with what was chosen."""
    questions = survey.questions_for_answering()
    form = SurveyAnswerForm(request.POST if request.method == "POST" else None, questions=questions)
    page = {**page, "form": form}
    if request.method == "POST":
        if time_left := submission_time_left(request, **limit):
            return too_many_requests(request, time_left, template=template, context=page, prefecture=survey.prefecture)
        if form.is_spam():
            form.add_error(None, _("Your answers could not be recorded. Please check the form and send it again."))
        elif form.is_valid():
            response_submit(survey=survey, questions=questions, answers=form.answers(), point=point)
            submission_accepted(request, **limit)
            return done()
    return render(request, template, page)


def _kiosk_point(token):
    point = kiosk.point_for(token)
    if point is None:
        raise Http404
    return point


def _kiosk_page(point, token, seconds):
    survey = point.survey
    return {
        "prefecture": survey.prefecture,
        "survey": survey,
        "point": point,
        "page_title": survey.title,
        "kiosk": {"seconds": seconds, "start_url": reverse("surveys:kiosk", kwargs={"token": token})},
    }


@never_cache
@require_http_methods(["GET", "POST"])
def kiosk_answer(request, token):
    """A counter tablet's survey (``surveys.kiosk``): any number of citizens answer in turn on one device."""
    point = _kiosk_point(token)
    survey = point.survey
    page = _kiosk_page(point, token, kiosk.IDLE_SECONDS)
    state = survey.state(survey.prefecture.today())
    if state != SurveyState.OPEN:
        response = render(
            request,
            "surveys/kiosk_unavailable.html",
            {**page, "state": state},
            status=409 if request.method == "POST" else 200,
        )
    else:
        limit = {"group": "surveys-kiosk", "rate": settings.SURVEYS_KIOSK_RATE, "key": kiosk.rate_key(request)}
        response = _answer(
            request,
            survey,
            point,
            page=page,
            template="surveys/kiosk_answer.html",
            limit=limit,
            done=lambda: redirect("surveys:kiosk_thanks", token=token),
        )
    return kiosk.remember_device(request, response)


@never_cache
@require_GET
def kiosk_thanks(request, token):
    point = _kiosk_point(token)
    return render(request, "surveys/kiosk_thanks.html", _kiosk_page(point, token, kiosk.THANKS_SECONDS))


@require_GET
def thanks(request, slug, survey_slug):
    survey = get_object_or_404(
        Survey.objects.visible().select_related("prefecture"), prefecture__slug=slug, slug=survey_slug
    )
    return render(
        request,
        "surveys/thanks.html",
        {
            "prefecture": survey.prefecture,
            "survey": survey,
            "page_title": _("Thank you for your answers"),
            **_survey_breadcrumb(survey),
        },
    )


@require_GET
def survey_list(request, slug):
    prefecture = get_object_or_404(Prefecture, slug=slug)
    today = prefecture.today()
    surveys = Survey.objects.for_prefecture(prefecture)
    return render(
        request,
        "surveys/survey_list.html",
        {
            "prefecture": prefecture,
            "surveys": surveys.accepting_answers(today).order_by("closes_on", "title"),
            "has_results": surveys.with_results_published().exists(),
            "page_title": _("Satisfaction surveys"),
            **breadcrumb(_("Satisfaction surveys"), (prefecture.name, prefecture.get_absolute_url())),
        },
    )


@require_GET
def public_results(request, slug):
    """Cached whole for visitors (``surveys.cache``): a million answers take a second to aggregate."""

    def build():
        prefecture = get_object_or_404(Prefecture, slug=slug)
        return render_to_string(
            "surveys/results_public.html",
            {
                "prefecture": prefecture,
                "published": published_results(prefecture),
                "page_title": _("Results of our satisfaction surveys"),
                **breadcrumb(
                    _("Survey results"),
                    (prefecture.name, prefecture.get_absolute_url()),
                    (_("Satisfaction surveys"), reverse("surveys:list", kwargs={"slug": prefecture.slug})),
                ),
            },
            request,
        )

    key = results_key(slug, get_language())
    return cached_page(
        request, key, build, timeout=settings.SURVEYS_RESULTS_CACHE_SECONDS, generation=results_generation(slug)
    )


@require_GET
def short_link(request, code):
    """``/e/<code>/`` from a poster: the survey's page, remembering the place the answer comes from."""
    point = get_object_or_404(
        DistributionPoint.objects.select_related("survey__prefecture").exclude(survey__status=SurveyStatus.DRAFT),
        code=_point_code(code) or None,
    )
    survey = point.survey
    url = reverse("surveys:answer", kwargs={"slug": survey.prefecture.slug, "survey_slug": survey.slug})
    return redirect(f"{url}?{urlencode({POINT_PARAMETER: point.code})}")
