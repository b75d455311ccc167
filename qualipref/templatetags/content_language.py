"""Template filters marking text not in the page's language (RGAA 8.7); the rule is ``qualipref.content_language``.

``{{ question.text|fr }}``: content entered in French. ``{{ version|localized:"wording" }}``: a shipped referential's
wording, English when filled on an English page. ``localized_text`` gives the same as plain text, for attributes
and SVG titles, and ``is_shown_in_french`` says when to put ``lang="fr"`` on the element itself (``<option>``).
"""

from django import template

from .. import content_language

register = template.Library()


@register.filter
def fr(value):
    return content_language.french(value)


@register.filter
def localized(obj, field):
    return content_language.localized(obj, field)


@register.filter
def localized_text(obj, field):
    return content_language.english_of(obj, field) or getattr(obj, field)


@register.filter
def is_shown_in_french(obj, field):
    return not content_language.page_is_french() and not content_language.english_of(obj, field)
