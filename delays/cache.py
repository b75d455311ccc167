"""The public pages are cached whole (``qualipref.pagecache``), all under one generation: publishing,
unpublishing or recomputing a published month clears them, for every prefecture: each prefecture's page
shows the national mean of the month, which any prefecture's published figures move. Renaming a
prefecture or a title type (``delays.signals``) clears them too, once after the commit
(``qualipref.pagecache.clear_after_commit``).
"""

from qualipref.pagecache import clear_after_commit

TIMEOUT = 6 * 3600
GENERATION = "delays:generation"


def page_key(slug, lang):
    return f"delays:page:{slug}:{lang}"


def network_key(lang, code):
    return f"delays:network:{lang}:{code}"


def clear_public_cache_on_commit():
    """Once committed, forget the cached pages of *every* prefecture and of the network: each shows the
    national mean of the prefectures that published the month, which a change of published figures anywhere
    moves. Asked many times in one transaction (publishing thirty-six months at once), it clears once."""
    clear_after_commit(GENERATION)
