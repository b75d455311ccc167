"""``{{ value|zoned }}``: a time in the current zone followed by its name (« 3 décembre 2026 07:30, heure de La
Réunion »), for pages whose reader may be elsewhere; ``{{ value|zoned:"TIME_FORMAT" }}`` for the time alone."""

from django import template

from ..timezones import format_zoned, zone_name

register = template.Library()


@register.filter
def zoned(value, format_name="DATETIME_FORMAT"):
    return format_zoned(value, format_name=format_name)


@register.simple_tag
def current_zone_name():
    """The name of the zone this page's times are in ("La Réunion time")."""
    return zone_name()
