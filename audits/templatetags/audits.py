"""The label's cycle where other layers' pages show a prefecture: the officers' dashboard and the network page.

Templates may compose layers (Python imports may not): the dashboard of ``engagements`` and the network page load
these tags. Each page asks for all its prefectures' positions at once (``label_cycles``, three queries) and reads
one per row (``cycle_of``).
"""

from django import template

from ..cycle import prefecture_positions

register = template.Library()


@register.simple_tag
def label_cycles(prefectures):
    """``{prefecture pk: CyclePosition}`` of ``prefectures`` (prefectures, or rows/boards with a ``prefecture``)."""
    found = [_prefecture(item) for item in prefectures]
    return prefecture_positions([p for p in found if p is not None])


def _prefecture(item):
    if isinstance(item, dict):
        return item.get("prefecture")
    return getattr(item, "prefecture", item)


@register.filter
def cycle_of(positions, prefecture):
    """The position of ``prefecture``'s current cycle, or ``None`` when it has none."""
    if not positions or prefecture is None:
        return None
    return positions.get(prefecture.pk)


@register.inclusion_tag("audits/_cycle_position.html")
def cycle_position(position, fallback=None, show_reason=False):
    """A cycle's position in a few words, the sites it covers when not all, and the next audit due (``fallback``
    the date when there is no cycle). ``show_reason``: the reason of a suspension or withdrawal too (for those who
    keep the label; the public network page shows the status and its date only)."""
    return {"position": position, "fallback": fallback, "show_reason": show_reason}
