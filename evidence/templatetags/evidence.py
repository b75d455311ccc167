"""The evidence library where another layer's page shows a prefecture: the officers' dashboard (``engagements``).

Templates may compose layers (Python imports may not). The dashboard asks for all its prefectures' counts at once
(``evidence_validity``, one query; the rules of ``models.validity_condition``, as the list's filter)
and reads one per board (``validity_of``).
"""

from collections import defaultdict

from django import template
from django.db.models import Count
from django.urls import reverse
from django.utils.http import urlencode

from ..enums import Validity
from ..models import Document, reminder_days, validity_condition

register = template.Library()


@register.simple_tag
def evidence_validity(boards):
    """``{prefecture pk: {"lapsed": n, "lapsing": n, "lapsed_url": …, "lapsing_url": …}}`` for the prefectures of
    ``boards`` (prefectures, or dicts/objects with a ``prefecture``), each judged by its own today."""
    prefectures = [p for p in (_prefecture(item) for item in boards) if p is not None]
    if not prefectures:
        return {}
    pks = [p.pk for p in prefectures]
    todays = defaultdict(list)  # the boards' prefectures are at hand: ``prefecture_todays`` without its query
    for prefecture in prefectures:
        todays[prefecture.today()].append(prefecture.pk)
    lapsed = validity_condition(Validity.LAPSED, todays)
    lapsing = validity_condition(Validity.LAPSING, todays)
    rows = (
        Document.objects.filter(prefecture_id__in=pks)
        .order_by()
        .values("prefecture_id")
        .annotate(lapsed=Count("pk", filter=lapsed), lapsing=Count("pk", filter=lapsing))
    )
    counts = {row["prefecture_id"]: row for row in rows}
    url = reverse("admin:evidence_document_changelist")
    return {
        pk: {
            "lapsed": counts.get(pk, {}).get("lapsed", 0),
            "lapsing": counts.get(pk, {}).get("lapsing", 0),
            "days": reminder_days(),
            "lapsed_url": f"{url}?{urlencode({'validity': Validity.LAPSED, 'prefecture__id__exact': pk})}",
            "lapsing_url": f"{url}?{urlencode({'validity': Validity.LAPSING, 'prefecture__id__exact': pk})}",
        }
        for pk in pks
    }


def _prefecture(item):
    if isinstance(item, dict):
        return item.get("prefecture")
    return getattr(item, "prefecture", item)


@register.filter
def validity_of(counts, prefecture):
    if not counts or prefecture is None:
        return None
    return counts.get(prefecture.pk)
