"""Helpers shared by the report's sections: shares, rounding, top-N lists, choice labels, periods."""

from decimal import ROUND_HALF_UP, Decimal

TOP = 10


def _share(hit, total):
    if not total:
        return None
    return (Decimal(100) * Decimal(hit) / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _round(value, places="0.1"):
    return None if value is None else Decimal(value).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _period_dict(period):
    return {"kind": str(period.kind), "label": str(period), "start": period.start, "end": period.end}


def _top(lines, count):
    if len(lines) <= count:
        return lines, None
    rest = lines[count:]
    return lines[:count], {
        "groups": len(rest),
        "count": sum(line["count"] for line in rest),
        "previous": sum(line["previous"] for line in rest),
    }


def _choice_label(enum):
    def label(value):
        try:
            return enum(value).label
        except ValueError:
            return value

    return label
