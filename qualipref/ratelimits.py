"""Per-address rate limits for the public forms, counted in the cache (Redis in production).

Counting happens in django-ratelimit; this module adds the French 429 page that tells the
citizen when to try again.
"""

import datetime

from django.shortcuts import render
from django.utils import timezone
from django_ratelimit.core import get_usage

from .timezones import use_prefecture_time_zone


def usage(request, *, group, rate, increment=False):
    """``None`` when rate limiting is off, else ``{"should_limit", "time_left", …}``."""
    return get_usage(request, group=group, key="ip", rate=rate, method="POST", increment=increment)


def is_limited(request, *, group, rate, increment=False):
    """Seconds until the address may post again, or None.

    With ``increment`` this request counts (limited once past the limit); without, it only
    checks whether one more would be allowed (limited once the limit is reached).
    """
    found = usage(request, group=group, rate=rate, increment=increment)
    if not found:
        return None
    over = found["count"] > found["limit"] if increment else found["count"] >= found["limit"]
    return found["time_left"] if over else None


def too_many_requests(request, time_left, *, prefecture=None):
    # The time to come back, where the citizen is: the prefecture's zone, named on the page.
    use_prefecture_time_zone(prefecture)
    retry_at = timezone.localtime(timezone.now() + datetime.timedelta(seconds=time_left + 1))
    response = render(
        request,
        "429.html",
        {"retry_at": retry_at, "minutes": max(1, round(time_left / 60)), "prefecture": prefecture},
        status=429,
    )
    response["Retry-After"] = str(int(time_left) + 1)
    return response
