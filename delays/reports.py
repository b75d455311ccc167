"""What an officer reads about a bad row, in words (translated at display time, stored as a reason code)."""

from django.utils.translation import gettext as _

from .csvformat import FIELDS
from .enums import BadRowReason


def bad_row_message(bad_row, *, prefecture_code=None):
    reason, detail = bad_row.reason, bad_row.detail
    code = prefecture_code or bad_row.delivery_import.prefecture.department_code
    R = BadRowReason  # noqa: N806
    if reason == R.FIELD_COUNT:
        found, _space, expected = detail.partition(" ")
        return _("%(found)s fields where the header has %(expected)s.") % {"found": found, "expected": expected}
    if reason == R.MISSING_VALUE:
        return _("the column “%(column)s” is empty.") % {"column": FIELDS.get(detail, (detail,))[0]}
    if reason == R.OTHER_PREFECTURE:
        return _("department %(found)s, not %(expected)s: this row belongs to another prefecture.") % {
            "found": detail,
            "expected": code,
        }
    if reason == R.UNKNOWN_TITLE:
        return _("unknown title code “%(code)s”.") % {"code": detail}
    if reason == R.UNKNOWN_SITE:
        return _("unknown site “%(site)s” (use a site name as listed for the prefecture, or leave it empty).") % {
            "site": detail
        }
    if reason in (R.BAD_FILED_DATE, R.BAD_DELIVERED_DATE):
        column = FIELDS["filed" if reason == R.BAD_FILED_DATE else "delivered"][0]
        return _("“%(value)s” in “%(column)s” is not a date (write 2026-03-14 or 14/03/2026).") % {
            "value": detail,
            "column": column,
        }
    delivered, _space, filed = detail.partition(" ")
    if reason == R.DELIVERED_BEFORE_FILED:
        return _("delivered on %(delivered)s, before it was filed on %(filed)s.") % {
            "delivered": delivered,
            "filed": filed,
        }
    if reason == R.DELIVERED_IN_FUTURE:
        return _("delivered on %(delivered)s, a date still to come.") % {"delivered": delivered}
    if reason == R.DELAY_TOO_LONG:
        return _("filed on %(filed)s and delivered on %(delivered)s: more than ten years apart, check the dates.") % {
            "delivered": delivered,
            "filed": filed,
        }
    return str(BadRowReason(reason).label)
