"""Per-address rate limits for the public forms, counted in the cache (Redis in production).

Counting happens in django-ratelimit. Every public form uses the same two limits: every POST counts towards
``ATTEMPTS_RATE``, which only stops hammering; only accepted submissions count towards the form's own rate, so
a citizen correcting a mistake is never blocked. Past a limit, nothing is stored and the form's page comes back
with what the citizen typed and, at the top, when it can be sent (HTTP 429).
"""

import datetime

from django.shortcuts import render
from django.utils import timezone
from django_ratelimit.core import get_usage

from .timezones import use_prefecture_time_zone

ATTEMPTS_RATE = "60/h"


def usage(request, *, group, rate, increment=False, key="ip", method="POST"):
    """``None`` when rate limiting is off, else ``{"should_limit", "time_left", …}``.

    ``key``: what is counted, the address by default, or django-ratelimit's ``key(group, request)`` callable
    (a counter tablet is counted as a device: ``surveys.kiosk.device_key``)."""
    return get_usage(request, group=group, key=key, rate=rate, method=method, increment=increment)


def is_limited(request, *, group, rate, increment=False, key="ip", method="POST"):
    """Seconds until the address may post again, or None.

    With ``increment`` this request counts (limited once past the limit); without, it only
    checks whether one more would be allowed (limited once the limit is reached).
    """
    found = usage(request, group=group, rate=rate, increment=increment, key=key, method=method)
    if not found:
        return None
    over = found["count"] > found["limit"] if increment else found["count"] >= found["limit"]
    return found["time_left"] if over else None


def submission_time_left(request, *, group, rate, key="ip"):
    """Seconds before this address may send the form ``group`` again, or None; this POST counts as an attempt."""
    return is_limited(request, group=f"{group}-attempts", rate=ATTEMPTS_RATE, increment=True, key=key) or is_limited(
        request, group=group, rate=rate, key=key
    )


def submission_accepted(request, *, group, rate, key="ip"):
    """Count one accepted submission of the form ``group`` (after it was stored)."""
    is_limited(request, group=group, rate=rate, increment=True, key=key)


def rate_limit_context(request, time_left, *, prefecture=None):
    # The time to come back, where the citizen is: the prefecture's zone, named on the page.
    use_prefecture_time_zone(prefecture)
    retry_at = timezone.localtime(timezone.now() + datetime.timedelta(seconds=time_left + 1))
    return {
        "retry_at": retry_at,
        "minutes": max(1, round(time_left / 60)),
        "prefecture": prefecture,
        "files_dropped": bool(request.FILES),
    }


def too_many_requests(request, time_left, *, template, context, prefecture=None):
    """The form's page again, with what was typed, and at the top when it can be sent: 429, Retry-After."""
    rate_limit = rate_limit_context(request, time_left, prefecture=prefecture)
    response = render(request, template, {**context, "rate_limit": rate_limit}, status=429)
    response["Retry-After"] = str(int(time_left) + 1)
    return response
