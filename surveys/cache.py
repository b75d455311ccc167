"""The public results page is cached whole (``qualipref.pagecache``): aggregating a million answers takes a second.

New answers show within ``SURVEYS_RESULTS_CACHE_SECONDS`` (ten minutes by default); anything an
officer changes in a survey — publishing or withdrawing its results, a question made public or
private, a choice, a distribution point, a deletion — clears the prefecture's page at once, after
the commit (``surveys.signals``).
"""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction


def results_key(slug, lang):
    return f"surveys:results:{slug}:{lang}"


def clear_results_cache(prefecture_id):
    """Forget the prefecture's public results page in every language, once the transaction commits."""
    from qualipref.models import Prefecture

    def clear():
        slug = Prefecture.objects.filter(pk=prefecture_id).values_list("slug", flat=True).first()
        if slug is not None:
            cache.delete_many([results_key(slug, lang) for lang, _name in settings.LANGUAGES])

    transaction.on_commit(clear)
