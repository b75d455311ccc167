"""The public results page is cached whole (``qualipref.pagecache``): aggregating a million answers takes a second.

New answers show within ``SURVEYS_RESULTS_CACHE_SECONDS`` (ten minutes by default); anything an
officer changes in a survey — publishing or withdrawing its results, a question made public or
private, a choice, a distribution point, a deletion — clears the prefecture's page at once, after
the commit (``surveys.signals``).

An admin page saves a survey with its questions, choices and points in one transaction: the
signals only note what changed, and one step after the commit finds the prefectures concerned and
clears their pages (two queries, whatever the number of rows saved).
"""

from qualipref.pagecache import clear_after_commit


def results_key(slug, lang):
    return f"surveys:results:{slug}:{lang}"


def results_generation(slug):
    """A prefecture's results pages, in every language, are cleared together (``qualipref.pagecache``)."""
    return f"surveys:results-generation:{slug}"


def clear_results_cache(*, prefectures=(), surveys=(), questions=()):
    """Forget, once the transaction commits, the public results pages (every language) of these prefectures
    and of those of these surveys and questions."""
    items = [("prefecture", pk) for pk in prefectures if pk is not None]
    items += [("survey", pk) for pk in surveys] + [("question", pk) for pk in questions]
    clear_after_commit(find=_results_generations, items=items)


def clear_results_cache_of_slugs(slugs):
    """Forget, once the transaction commits, the public results pages of the prefectures at these addresses
    (a prefecture renamed: its old address too)."""
    clear_after_commit(*(results_generation(slug) for slug in slugs))


def _results_generations(items):
    """The generations of the prefectures of these items, found after the commit: two queries in all."""
    from qualipref.models import Prefecture

    from .models import Survey

    asked = {kind: {pk for k, pk in items if k == kind} for kind in ("prefecture", "survey", "question")}
    owners = Survey.objects.filter(pk__in=asked["survey"]) | Survey.objects.filter(questions__pk__in=asked["question"])
    prefectures = Prefecture.objects.filter(pk__in=asked["prefecture"]) | Prefecture.objects.filter(
        pk__in=owners.values("prefecture_id")
    )
    return [results_generation(slug) for slug in prefectures.values_list("slug", flat=True).distinct()]
