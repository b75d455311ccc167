"""Times shown in the prefecture's own time zone: La Réunion's 07:30 is 07:30 in Saint-Denis, not Paris's 04:30.

One mechanism: Django's *current time zone* (``django.utils.timezone.activate``), which every ``|date``,
``|time``, form widget and admin field already follows.

* ``PrefectureTimeZoneMiddleware`` activates it for each request: from the prefecture's slug in the URL
  (``/<prefecture-slug>/…``), else from the user's prefectures when they all share one zone (an officer of
  La Réunion in the administration); it resets it after every request.
* ``use_prefecture_time_zone(prefecture)`` switches to a prefecture the view found itself (a tracking token's
  case, a member's committee, the object an admin page shows).
* ``prefecture_time(prefecture)`` is the context manager for what is rendered outside a request: e-mails,
  PDF reports.
* Where a reader may be elsewhere (the administration, e-mails, the 429 page), ``|zoned`` (template filter,
  ``qualipref.templatetags.timezones``) and ``format_zoned`` name the zone: « 07:30, heure de La Réunion ».
"""

import contextlib
import datetime
import functools
import zoneinfo

from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from .models import Prefecture

# How each French time zone is named after a time (« 07:30, heure de La Réunion »).
ZONE_NAMES = {
    "Europe/Paris": _("Paris time"),
    "Indian/Reunion": _("La Réunion time"),
    "Indian/Mayotte": _("Mayotte time"),
    "America/Guadeloupe": _("Guadeloupe time"),
    "America/Martinique": _("Martinique time"),
    "America/Cayenne": _("French Guiana time"),
    "America/Miquelon": _("Saint-Pierre-et-Miquelon time"),
    "Pacific/Noumea": _("New Caledonia time"),
    "Pacific/Tahiti": _("French Polynesia time"),
    "Pacific/Wallis": _("Wallis and Futuna time"),
}


def zone_name(zone=None):
    """The zone's name in the active language ("La Réunion time"), the current zone by default."""
    key = str(zone or timezone.get_current_timezone())
    return ZONE_NAMES.get(key, key)


def format_zoned(value, zone=None, format_name="DATETIME_FORMAT"):
    """``value`` (an aware datetime) in ``zone`` (the current one by default), followed by the zone's name."""
    if value is None:
        return ""
    zone = zoneinfo.ZoneInfo(zone) if isinstance(zone, str) else zone or timezone.get_current_timezone()
    local = timezone.localtime(value, zone) if timezone.is_aware(value) else value
    return _("%(time)s, %(zone)s") % {"time": formats.date_format(local, format_name), "zone": zone_name(zone)}


class _LazyZone(datetime.tzinfo):
    """The zone of a prefecture, looked up only when a time is shown: a page that shows none costs no query."""

    def __init__(self, find):
        self._find = find

    @functools.cached_property
    def zone(self):
        key = self._find()
        return zoneinfo.ZoneInfo(key) if key else timezone.get_default_timezone()

    def utcoffset(self, dt):
        return self.zone.utcoffset(dt)

    def dst(self, dt):
        return self.zone.dst(dt)

    def tzname(self, dt):
        return self.zone.tzname(dt)

    def fromutc(self, dt):
        return self.zone.fromutc(dt.replace(tzinfo=self.zone)).replace(tzinfo=self)

    def __str__(self):
        return str(self.zone)


def _zone_of_slug(slug):
    return Prefecture.objects.filter(slug=slug).values_list("time_zone", flat=True).first()


def _zone_of_user(user):
    if not user.is_authenticated or user.sees_all_prefectures or not user.prefecture_ids:
        return None
    zones = list(
        Prefecture.objects.filter(pk__in=user.prefecture_ids)
        .order_by()
        .values_list("time_zone", flat=True)
        .distinct()[:2]
    )
    return zones[0] if len(zones) == 1 else None


def use_prefecture_time_zone(prefecture):
    """Show this request's times in ``prefecture``'s zone (until the request ends)."""
    if prefecture is not None:
        timezone.activate(prefecture.tzinfo)


@contextlib.contextmanager
def prefecture_time(prefecture):
    """Within the block, times render in ``prefecture``'s zone (the default zone without a prefecture)."""
    with timezone.override(prefecture.tzinfo if prefecture is not None else None):
        yield


class PrefectureTimeZoneMiddleware:
    """Activates the time zone of the prefecture a request is about; after the authentication middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug, user = view_kwargs.get("slug"), request.user
        if slug:
            timezone.activate(_LazyZone(lambda: _zone_of_slug(slug)))
        elif user.is_authenticated:
            timezone.activate(_LazyZone(lambda: _zone_of_user(user)))
