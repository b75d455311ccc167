"""Counter tablets: a distribution point's kiosk link, the tablet it runs on, and how answers from it are counted.

An officer gives a point a kiosk link (``point_kiosk_enable``): a URL signed with the Django secret that names the
point and its ``kiosk_key``. A tablet opened on it shows the survey in kiosk mode: no one-answer-per-browser
cookie (many citizens answer on one device), big touch targets, no link leading out, and the survey starting again
after each answer or after a minute without a touch. A new key revokes every link given before; an empty one
(``point_kiosk_disable``) ends kiosk mode. Answers are limited per tablet (``SURVEYS_KIOSK_RATE``): the tablet
keeps a random device identifier in a signed cookie, since every tablet of a prefecture may share one address.
"""

import secrets

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare

from .enums import SurveyStatus
from .models import DistributionPoint

SALT = "surveys.kiosk"
DEVICE_COOKIE = "qp_kiosk_device"
DEVICE_SALT = "surveys.kiosk.device"
DEVICE_MAX_AGE = 395 * 24 * 3600  # 13 months, as the privacy page promises for the portal's cookies
# Seconds without a touch before the survey starts again, on the form and on the thank-you page.
IDLE_SECONDS = 60
THANKS_SECONDS = 10


def new_key():
    return secrets.token_urlsafe(16)


def token(point):
    """The signed part of the point's kiosk link (``point.kiosk_key`` must be set)."""
    return signing.Signer(salt=SALT).sign_object([point.pk, point.kiosk_key])


def path(point):
    return reverse("surveys:kiosk", kwargs={"token": token(point)})


def point_for(value):
    """The distribution point a kiosk link names, with its survey and prefecture, or None when the link was
    altered, revoked, or its survey is still a draft."""
    try:
        pk, key = signing.Signer(salt=SALT).unsign_object(value)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if not isinstance(pk, int) or not isinstance(key, str) or not key:
        return None
    point = (
        DistributionPoint.objects.select_related("survey__prefecture")
        .exclude(survey__status=SurveyStatus.DRAFT)
        .filter(pk=pk)
        .first()
    )
    if point is None or not point.kiosk_key or not constant_time_compare(point.kiosk_key, key):
        return None
    return point


def device(request):
    """The tablet's identifier from its signed cookie, or None before the first page sets it."""
    return request.get_signed_cookie(DEVICE_COOKIE, default=None, salt=DEVICE_SALT)


def remember_device(request, response):
    """Give the tablet its identifier on its first kiosk page (kept 13 months, for kiosk pages only)."""
    if device(request) is None:
        response.set_signed_cookie(
            DEVICE_COOKIE,
            secrets.token_urlsafe(12),
            salt=DEVICE_SALT,
            max_age=DEVICE_MAX_AGE,
            path="/",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response


def rate_key(request):
    """What the tablet's answers are counted by: its identifier, or its address while it has none (a POST that did
    not come from a kiosk page) — django-ratelimit's ``key``."""
    found = device(request)
    return (lambda group, request: f"kiosk-device:{found}") if found else "ip"
