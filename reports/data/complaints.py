"""The report's complaints section: counts by kind, channel, topic and service, headline figures, CSV rows."""

from types import SimpleNamespace

from django.db.models import Count, F, Q

from complaints.enums import Channel, Kind, Status
from complaints.models import Case
from engagements.indicators import AnswerSatisfaction, CasesMeanDays, CasesOnTime, _context
from qualipref.content_language import page_is_french

from .common import TOP, _choice_label, _round, _share, _top

# The complaints' figures are measured on every channel at once (an engagement may narrow to one).
ALL_CHANNELS = SimpleNamespace(channel="")


def _dimension(rows, key, labels):
    totals = {}
    for row in rows:
        current, before = totals.get(row[key], (0, 0))
        totals[row[key]] = (current + row["current"], before + row["previous"])
    lines = [
        {
            "key": value,
            "label": labels(value),
            "count": current,
            "previous": before,
            "change": _share(current - before, before),
        }
        for value, (current, before) in totals.items()
    ]
    return sorted(lines, key=lambda line: (-line["count"], -line["previous"], str(line["label"])))


def _complaints(prefecture, period, previous, ctx, known):
    received = Q(received_on__gte=previous.start, received_on__lte=period.end)
    current = Q(received_on__gte=period.start, received_on__lte=period.end)
    before = Q(received_on__lte=previous.end)
    # One grouped query: every combination of kind, channel, topic and service, with both periods' counts.
    rows = list(
        Case.objects.for_prefecture(prefecture)
        .exclude(status=Status.REJECTED)
        .filter(received)
        .values(
            "kind",
            "channel",
            topic_name=F("topic__name"),
            topic_name_en=F("topic__name_en"),
            service_name=F("service__name"),
        )
        .annotate(current=Count("pk", filter=current), previous=Count("pk", filter=before))
        .order_by()
    )
    # The prefecture's own topics, by their wording in the report's language.
    french = page_is_french()
    for row in rows:
        row["topic"] = (row["topic_name"] if french else row["topic_name_en"] or row["topic_name"]) or "—"
    by_service, other_services = _top(_dimension(rows, "service_name", lambda name: name or "—"), TOP)

    # On time, mean working days, satisfaction: the engagements' figures, or (for those the referential
    # lacks) one aggregate with the engagements' own measures, both periods.
    measures = {"on_time": CasesOnTime(), "mean_days": CasesMeanDays(), "satisfaction": AnswerSatisfaction()}
    figures = {f"{name}_{key}": value for (name, key), value in known.items()}
    aggregates = {}
    for name, measure in measures.items():
        for key, which in (("cur", period), ("prev", previous)):
            if f"{name}_{key}" not in figures:
                aggregates.update(measure.aggregates(f"{name}_{key}", ctx, ALL_CHANNELS, None, which))
    if aggregates:
        rated_from, rated_until = ctx.local_bounds(previous.start, period.end)
        row = (
            CasesMeanDays()
            .base(ctx, ALL_CHANNELS)
            .filter(received | Q(rated_at__gte=rated_from, rated_at__lt=rated_until))
            .order_by()
            .aggregate(**aggregates)
        )
        for name, measure in measures.items():
            for key in ("cur", "prev"):
                if f"{name}_{key}" in figures:
                    continue
                numerator, denominator, value = measure.figure(f"{name}_{key}", row)
                figures[f"{name}_{key}"] = {"numerator": numerator, "denominator": denominator, "value": _round(value)}
    return {
        "total": sum(row["current"] for row in rows),
        "previous_total": sum(row["previous"] for row in rows),
        "complaints": sum(row["current"] for row in rows if row["kind"] == Kind.COMPLAINT),
        "by_kind": _dimension(rows, "kind", _choice_label(Kind)),
        "by_channel": _dimension(rows, "channel", _choice_label(Channel)),
        "by_topic": _dimension(rows, "topic", str),
        "by_service": by_service,
        "other_services": other_services,
        "on_time": figures["on_time_cur"],
        "on_time_previous": figures["on_time_prev"],
        "mean_days": figures["mean_days_cur"],
        "mean_days_previous": figures["mean_days_prev"],
        "satisfaction": figures["satisfaction_cur"],
        "satisfaction_previous": figures["satisfaction_prev"],
    }


CSV_COLUMNS = [
    "reference",
    "type",
    "canal",
    "objet",
    "service",
    "recue_le",
    "echeance",
    "repondue_le",
    "delai_jours_ouvres",
    "dans_le_delai",
    "statut",
    "note_reponse",
]


def case_rows(prefecture, period, *, today=None):
    """The complaints measured in the period, one per row (no personal data): the detail behind the figures."""
    ctx = _context(prefecture, [period], today)
    queryset = (
        CasesMeanDays()
        .base(ctx, ALL_CHANNELS)
        .filter(received_on__gte=period.start, received_on__lte=period.end)
        .order_by("received_on", "reference")
        .values_list(
            "reference",
            "kind",
            "channel",
            "topic__code",
            "service__name",
            "received_on",
            "due_on",
            "answered_day",
            "duration",
            "status",
            "rating",
        )
    )
    for (
        reference,
        kind,
        channel,
        topic,
        service,
        received_on,
        due_on,
        answered,
        duration,
        status,
        rating,
    ) in queryset.iterator(chunk_size=5000):
        yield [
            reference,
            kind,
            channel,
            topic or "",
            service or "",
            received_on.isoformat(),
            due_on.isoformat(),
            answered.isoformat() if answered else "",
            "" if answered is None or duration is None else duration,
            "" if answered is None else ("oui" if answered <= due_on else "non"),
            status,
            rating if rating is not None else "",
        ]
