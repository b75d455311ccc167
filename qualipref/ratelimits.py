"""Per-address rate limits for the public forms, counted in the cache (Redis in production).

Counting happens in django-ratelimit; this module adds the French 429 page that tells the
citizen when to try again.
"""

import datetime

from django.shortcuts import render
from django.utils import timezone
from django_ratelimit.core import get_usage


def usage(request, *, group, rate, increment=False):
    """``None`` when rate limiting is off, else ``{"should_limit", "time_left", …}``."""
    return get_usage(request, group=group, key="ip", rate=rate, method="POST", increment=increment)


def is_limited(request, *, group, rate, increment=False):
    found = usage(request, group=group, rate=rate, increment=increment)
    if found and found["should_limit"]:
        return found["time_left"]
    return None


def too_many_requests(request, time_left, *, prefecture=None):
    retry_at = timezone.localtime(timezone.now() + datetime.timedelta(seconds=time_left + 1))
    response = render(
        request,
        "429.html",
        {"retry_at": retry_at, "minutes": max(1, round(time_left / 60)), "prefecture": prefecture},
        status=429,
    )
    response["Retry-After"] = str(int(time_left) + 1)
    return response
