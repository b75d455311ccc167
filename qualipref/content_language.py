"""Text the portal did not write in the page's language says so (RGAA 8.7): the one mechanism, used by the
template filters of ``qualipref.templatetags.content_language`` and by forms whose labels come from the database.

Content entered in French (survey questions, committee texts, what a prefecture typed) is wrapped in
``<span lang="fr">`` on a page in another language and left bare on a French page. A wording of a referential the
portal ships (engagements, title types) reads its English field ``<field>_en`` on an English page when it is
filled, and falls back to the French, marked as above.
"""

from django.conf import settings
from django.utils.html import conditional_escape, format_html
from django.utils.translation import get_language, get_supported_language_variant


def portal_language():
    """The portal's language closest to the active one (``en`` under ``/en/``), French for any other: what an API
    schema is generated in, and the language a citizen's case keeps."""
    try:
        return get_supported_language_variant(get_language() or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


def page_is_french():
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0] == "fr"


def french(value):
    """``value`` entered in French, escaped, inside ``<span lang="fr">`` unless the page is French."""
    if value is None or value == "" or page_is_french():
        return conditional_escape(value)
    return format_html('<span lang="fr">{}</span>', value)


def english_of(obj, field):
    """The English wording ``<field>_en`` of ``obj`` when the page is not French and it is filled, else ``None``."""
    if page_is_french():
        return None
    return getattr(obj, f"{field}_en", "") or None


def localized(obj, field):
    """``obj``'s wording ``field`` for this page: the English one, else the French marked ``lang="fr"``."""
    english = english_of(obj, field)
    return conditional_escape(english) if english else french(getattr(obj, field))
