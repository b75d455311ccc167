"""What an officer reads about a bad line, in words (translated at display time, stored as a reason code)."""

from django.utils.translation import gettext as _

from .enums import BadLineReason


def bad_line_message(bad_line, *, fields):
    """``fields``: the format's fields (``csvformats.CALL_FIELDS`` or ``TICKET_FIELDS``), to name the columns."""
    reason, detail = bad_line.reason, bad_line.detail
    R = BadLineReason  # noqa: N806

    def column(name):
        return fields.get(name, (name,))[0]

    if reason == R.FIELD_COUNT:
        found, _space, expected = detail.partition(" ")
        return _("%(found)s fields where the header has %(expected)s.") % {"found": found, "expected": expected}
    if reason == R.MISSING_VALUE:
        return _("the column “%(column)s” is empty.") % {"column": column(detail)}
    if reason == R.UNKNOWN_SITE:
        return _("unknown site “%(site)s” (use a site name as listed for the prefecture, or leave it empty).") % {
            "site": detail
        }
    if reason in (R.BAD_DATETIME, R.IN_FUTURE):
        name, _space, value = detail.partition(" ")
        if reason == R.IN_FUTURE:
            return _("“%(value)s” in “%(column)s” is still to come.") % {"value": value, "column": column(name)}
        return _(
            "“%(value)s” in “%(column)s” is not a date and time (write 2026-03-14 09:12 or 14/03/2026 09:12)."
        ) % {
            "value": value,
            "column": column(name),
        }
    if reason == R.BAD_RING_TIME:
        return _("“%(value)s” is not a ring time (a number of seconds or of rings, at most an hour).") % {
            "value": detail
        }
    if reason == R.UNKNOWN_OUTCOME:
        return _("unknown outcome “%(value)s” (write answered, lost or abandoned: repondu, perdu, abandonne).") % {
            "value": detail
        }
    if reason in (R.CALLED_BEFORE_ARRIVAL, R.WAIT_TOO_LONG):
        arrived, _space, called = detail.partition(" ")
        if reason == R.CALLED_BEFORE_ARRIVAL:
            return _("called at %(called)s, before arriving at %(arrived)s.") % {"called": called, "arrived": arrived}
        return _("arrived at %(arrived)s and called at %(called)s: more than twelve hours, check the times.") % {
            "called": called,
            "arrived": arrived,
        }
    if reason == R.ENDED_BEFORE_CALL:
        return _("ended at “%(value)s”, before being called (or never called).") % {"value": detail}
    if reason == R.DUPLICATE:
        return _("already counted (the same row in this file or in an earlier import).")
    return str(BadLineReason(reason).label)
