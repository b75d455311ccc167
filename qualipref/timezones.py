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
import zoneinfo

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
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

_CACHE_KEY = "prefecture-time-zones"


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


def _zones():
    """``{"pk": {id: zone}, "slug": {slug: zone}}`` of every prefecture, kept in the cache (a hundred rows)."""
    zones = cache.get(_CACHE_KEY)
    if zones is None:
        rows = Prefecture.objects.values_list("pk", "slug", "time_zone")
        zones = {"pk": {pk: zone for pk, _slug, zone in rows}, "slug": {slug: zone for _pk, slug, zone in rows}}
        cache.set(_CACHE_KEY, zones, 3600)
    return zones


@receiver([post_save, post_delete], sender=Prefecture, dispatch_uid="prefecture_time_zones_cache")
def _forget_zones(**kwargs):
    cache.delete(_CACHE_KEY)


def use_prefecture_time_zone(prefecture):
    """Show this request's times in ``prefecture``'s zone (until the request ends)."""
    if prefecture is not None:
        timezone.activate(prefecture.tzinfo)


@contextlib.contextmanager
def prefecture_time(prefecture):
    """Within the block, times render in ``prefecture``'s zone (the default zone without a prefecture)."""
    with timezone.override(prefecture.tzinfo if prefecture is not None else None):
        yield


def _zone_of_user(user):
    if not user.is_authenticated or user.sees_all_prefectures:
        return None
    zones = {_zones()["pk"].get(pk) for pk in user.prefecture_ids}
    return zones.pop() if len(zones) == 1 else None


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
        slug = view_kwargs.get("slug")
        zone = _zones()["slug"].get(slug) if slug else _zone_of_user(request.user)
        if zone:
            timezone.activate(zoneinfo.ZoneInfo(zone))
