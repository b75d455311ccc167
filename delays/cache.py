"""The public pages and open-data files are cached whole (``qualipref.pagecache``); publishing,
unpublishing or recomputing a published month clears them, for every prefecture: each prefecture's page
shows the national mean of the month, which any prefecture's published figures move.

Keys are explicit (no pattern deletion in Django's cache API): a prefecture's page and files in
each language, the network page for each title type, the national files.
"""

from django.conf import settings
from django.core.cache import cache

TIMEOUT = 6 * 3600


def prefecture_keys(slug):
    keys = [f"delays:page:{slug}:{lang}" for lang, _name in settings.LANGUAGES]
    return keys + [f"delays:opendata:{slug}:{fmt}" for fmt in ("csv", "json")]


def network_keys(title_codes):
    keys = [f"delays:network:{lang}:{code}" for lang, _name in settings.LANGUAGES for code in ["", *title_codes]]
    return keys + [f"delays:opendata::{fmt}" for fmt in ("csv", "json")]


def clear_public_cache(*, prefecture_slugs=None):
    """Forget the cached pages of these prefectures (all when ``None``) and of the network."""
    from qualipref.models import Prefecture

    from .models import TitleType

    if prefecture_slugs is None:
        prefecture_slugs = list(Prefecture.objects.values_list("slug", flat=True))
    keys = network_keys(list(TitleType.objects.values_list("code", flat=True)))
    for slug in prefecture_slugs:
        keys += prefecture_keys(slug)
    cache.delete_many(keys)


def page_key(slug, lang):
    return f"delays:page:{slug}:{lang}"


def network_key(lang, code):
    return f"delays:network:{lang}:{code}"


def opendata_key(slug, fmt):
    return f"delays:opendata:{slug}:{fmt}"
