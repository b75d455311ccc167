"""Text the portal did not write in the page's language says so (RGAA 8.7): one mechanism for every template.

``{{ question.text|fr }}``: content entered in French (survey questions, committee texts, what a prefecture typed)
is wrapped in ``<span lang="fr">`` on a page in another language, and left bare on a French page.

``{{ version|localized:"wording" }}``: a wording of a referential the portal ships (engagements, title types) reads
its English field ``<field>_en`` on an English page when it is filled, and falls back to the French, marked as
above. ``localized_text`` gives the same wording as plain text, for attributes and SVG titles (no markup there).
"""

from django import template
from django.conf import settings
from django.utils.html import conditional_escape, format_html
from django.utils.translation import get_language

register = template.Library()


def page_is_french():
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0] == "fr"


@register.filter(needs_autoescape=True)
def fr(value, autoescape=True):
    """``value`` entered in French, inside ``<span lang="fr">`` unless the page is French."""
    if value is None or value == "" or page_is_french():
        return conditional_escape(value) if autoescape else value
    return format_html('<span lang="fr">{}</span>', value)


@register.filter
def localized_text(obj, field):
    """The English wording ``<field>_en`` of ``obj`` on a page not in French when it is filled, else the French."""
    if not page_is_french():
        english = getattr(obj, f"{field}_en", "")
        if english:
            return english
    return getattr(obj, field)


@register.filter(needs_autoescape=True)
def localized(obj, field, autoescape=True):
    """As ``localized_text``, the French fallback marked ``lang="fr"`` on a page in another language."""
    if not page_is_french() and getattr(obj, f"{field}_en", ""):
        text = getattr(obj, f"{field}_en")
        return conditional_escape(text) if autoescape else text
    return fr(getattr(obj, field), autoescape)
