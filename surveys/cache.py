"""The public results page is cached whole (``qualipref.pagecache``): aggregating a million answers takes a second.

New answers show within ``SURVEYS_RESULTS_CACHE_SECONDS`` (ten minutes by default); anything an
officer changes in a survey — publishing or withdrawing its results, a question made public or
private, a choice, a distribution point, a deletion — clears the prefecture's page at once, after
the commit (``surveys.signals``).

An admin page saves a survey with its questions, choices and points in one transaction: the
signals only note what changed, and one step after the commit finds the prefectures concerned and
clears their pages (two queries, whatever the number of rows saved).
"""

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from qualipref.pagecache import generation_bump

PENDING = "_surveys_results_to_clear"  # on the (thread's) connection: what changed in the current transaction


def results_key(slug, lang):
    return f"surveys:results:{slug}:{lang}"


def results_generation(slug):
    """A prefecture's results pages, in every language, are cleared together (``qualipref.pagecache``)."""
    return f"surveys:results-generation:{slug}"


def clear_results_cache(*, prefectures=(), surveys=(), questions=()):
    """Forget, once the transaction commits, the public results pages (every language) of these prefectures
    and of those of these surveys and questions."""
    db = connections[DEFAULT_DB_ALIAS]
    pending = getattr(db, PENDING, None)
    if pending is None:
        pending = {"prefectures": set(), "surveys": set(), "questions": set()}
        setattr(db, PENDING, pending)
    pending["prefectures"].update(p for p in prefectures if p is not None)
    pending["surveys"].update(surveys)
    pending["questions"].update(questions)
    transaction.on_commit(_clear_pending)


def _clear_pending():
    db = connections[DEFAULT_DB_ALIAS]
    pending = getattr(db, PENDING, None)
    if pending is None:  # an earlier step of the same commit did it all
        return
    delattr(db, PENDING)
    from qualipref.models import Prefecture

    from .models import Survey

    owners = Survey.objects.filter(pk__in=pending["surveys"]) | Survey.objects.filter(
        questions__pk__in=pending["questions"]
    )
    prefectures = Prefecture.objects.filter(pk__in=pending["prefectures"]) | Prefecture.objects.filter(
        pk__in=owners.values("prefecture_id")
    )
    for slug in prefectures.values_list("slug", flat=True).distinct():
        generation_bump(results_generation(slug))
