"""The public pages are cached whole (``qualipref.pagecache``), all under one generation: publishing,
unpublishing or recomputing a published month clears them, for every prefecture: each prefecture's page
shows the national mean of the month, which any prefecture's published figures move. Renaming a
prefecture or a title type (``delays.signals``) clears them too.
"""

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from qualipref.pagecache import generation_bump

TIMEOUT = 6 * 3600
GENERATION = "delays:generation"


def clear_public_cache():
    """Forget every cached delays page, of every prefecture and of the network."""
    generation_bump(GENERATION)


def page_key(slug, lang):
    return f"delays:page:{slug}:{lang}"


def network_key(lang, code):
    return f"delays:network:{lang}:{code}"


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
