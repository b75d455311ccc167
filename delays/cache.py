"""The public pages and open-data files are cached whole (``qualipref.pagecache``); publishing,
unpublishing or recomputing a published month clears them, for every prefecture: each prefecture's page
shows the national mean of the month, which any prefecture's published figures move.

Keys are explicit (no pattern deletion in Django's cache API): a prefecture's page and files in
each language, the network page for each title type, the national files.
"""

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction

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


PENDING = "_delays_public_cache_to_clear"  # on the (thread's) connection


def clear_public_cache_on_commit():
    """Once committed, forget the cached pages of *every* prefecture: each shows the national mean of the
    prefectures that published the month, which a change of published figures anywhere moves. Asked many
    times in one transaction (publishing thirty-six months at once), it clears once."""
    setattr(connections[DEFAULT_DB_ALIAS], PENDING, True)
    transaction.on_commit(_clear_if_pending)


def _clear_if_pending():
    db = connections[DEFAULT_DB_ALIAS]
    if getattr(db, PENDING, False):
        setattr(db, PENDING, False)
        clear_public_cache()
