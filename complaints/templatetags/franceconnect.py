"""``{% franceconnect_enabled as on %}``: whether the FranceConnect button and the citizen's space are shown."""

from django import template

from ..franceconnect import is_enabled

register = template.Library()


@register.simple_tag
def franceconnect_enabled():
    return is_enabled()
