"""Django's ``date`` filter, with « 1er » for the first day of a month in French (``qualipref.dates``).

Loaded as a template builtin after Django's own (settings ``TEMPLATES``), so every ``|date`` in a page, an e-mail,
a PDF or the administration writes « 1er juillet »."""

from django import template
from django.template.defaultfilters import date as django_date

from qualipref.dates import format_date

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    if getattr(value, "day", None) != 1:
        return django_date(value, arg)
    try:
        return format_date(value, arg)
    except AttributeError:  # as Django's filter: a value it cannot format gives an empty string
        return ""
