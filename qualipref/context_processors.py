from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, gettext
from dsfr.models import DsfrConfig

from .enums import ACCESSIBILITY_STATUS


def site(request):
    """What every page's DSFR frame needs, without a database query.

    django-dsfr's own context processor reads ``DsfrConfig`` from the database on every
    request; our header and footer come from settings, so an unsaved instance carries them.
    """
    config = DsfrConfig(
        language=get_language(),
        site_title=settings.QUALIPREF_SITE_TITLE,
        site_tagline=gettext("The quality label of the prefectures"),
        footer_brand="République française",
        footer_brand_html="République<br>française",
        header_brand="République française",
        header_brand_html="République<br>française",
        accessibility_status=ACCESSIBILITY_STATUS,
    )
    current = get_language()
    languages = [
        {
            "code": code,
            "name": name,
            "url": translate_url(request.path, code),
            "current": code == current,
        }
        for code, name in (("fr", "Français"), ("en", "English"))
    ]
    return {"SITE_CONFIG": config, "language_links": languages}
