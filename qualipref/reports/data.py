"""What an audit report says, gathered with a fixed number of aggregate queries whatever the volume of data.

``gather(prefecture, period)`` returns a plain dict (numbers, dates, strings): the PDF template only
displays it, the tests and the benchmark read it. Every figure is the same as the portal's elsewhere:
the complaints' figures use the engagements' measures (``engagements.indicators``), the delays their
published monthly statistics, the surveys their published answers. About thirty queries in all, each an
aggregate or a short top-N list; the per-case detail goes to the CSV (``case_rows``), streamed.
"""

from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from committee.enums import OPEN_ACTION_STATUSES, ActionStatus, Attendance, MeetingStatus, Verdict
from committee.models import ImprovementAction, Invitation, Meeting, SuggestionOpinion
from complaints.enums import Channel, Kind, Status, Topic
from complaints.models import Case
from delays.models import MonthlyDelay, mean_of
from surveys.enums import DETRACTORS_UP_TO, PROMOTERS_FROM, SATISFIED_FROM, QuestionKind
from surveys.models import Answer

from ..engagements.enums import Source
from ..engagements.indicators import (
    MEASURES,
    AnswerSatisfaction,
    CasesMeanDays,
    CasesOnTime,
    Figure,
    _context,
    compute,
    versions_in_force,
)
from ..engagements.models import MonthlyIndicator
from ..engagements.periods import add_months
from .models import previous_period

TOP = 10
# Engagement sources whose figures are the complaints' headline figures (same measure, every channel).
COMPLAINT_SOURCES = {
    Source.CASES_ON_TIME: "on_time",
    Source.CASES_MEAN_DAYS: "mean_days",
    Source.ANSWER_SATISFACTION: "satisfaction",
}
TOP_SITES = 15
TREND_MONTHS = 12
# The complaints' figures are measured on every channel at once (an engagement may narrow to one).
ALL_CHANNELS = SimpleNamespace(channel="")


def _share(hit, total):
    if not total:
        return None
    return (Decimal(100) * Decimal(hit) / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _round(value, places="0.1"):
    return None if value is None else Decimal(value).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _period_dict(period):
    return {"kind": str(period.kind), "label": str(period), "start": period.start, "end": period.end}


def gather(prefecture, period, *, today=None):
    """Everything the report of ``prefecture`` for ``period`` shows, compared with the period before."""
    previous = previous_period(period)
    ctx = _context(prefecture, [previous, period], today)
    engagements = _engagements(prefecture, period, previous, ctx.today)
    return {
        "prefecture": {
            "name": prefecture.name,
            "of_name": prefecture.of_name,  # « de la Gironde », in the report's language
            "department_code": prefecture.department_code,
            "label": prefecture.label,
            "label_display": prefecture.get_label_display(),
            "label_awarded_on": prefecture.label_awarded_on,
            "certifying_body": prefecture.certifying_body,
            "next_audit_on": prefecture.next_audit_on,
            "answer_deadline_working_days": prefecture.answer_deadline_working_days,
        },
        "period": _period_dict(period),
        "previous": _period_dict(previous),
        "today": ctx.today,
        "gathered_at": timezone.now(),
        "engagements": engagements,
        "complaints": _complaints(prefecture, period, previous, ctx, engagements.pop("by_source")),
        "delays": _delays(prefecture, period, previous),
        "surveys": _surveys(prefecture, period, previous),
        "committee": _committee(prefecture, period, ctx),
        "actions": _actions(prefecture, period, ctx.today),
    }


# --- engagements -------------------------------------------------------------------------------------


def _add(values):
    values = [v for v in values if v is not None]
    return sum(values, Decimal(0)) if values else None


def _combine(kind, rows):
    """A period's figure from its months' figures, as the engine would compute it over the whole period."""
    if kind == "count":  # already over the twelve months ending with the month: the last month's
        last = rows[-1]
        return last.numerator, last.denominator, last.value
    numerator, denominator = _add(r.numerator for r in rows), _add(r.denominator for r in rows)
    if kind == "mean":
        return numerator, denominator, (numerator / denominator if numerator is not None and denominator else None)
    if kind == "manual" and not (numerator is not None and denominator):
        values = [r.value for r in rows if r.value is not None]
        return None, None, (sum(values) / len(values) if values else None)
    return numerator, denominator, (Decimal(100) * numerator / denominator if denominator else None)


def materialised(prefecture, periods):
    """``{period: [Figure]}`` from the monthly figures the portal stores every night (one query, plus one for
    the referential), or ``None`` when a month of a period lacks the figure of an engagement in force."""
    in_force = versions_in_force(periods)
    first, last = min(p.start for p in periods), max(p.end for p in periods)
    stored = {
        (row.engagement_id, row.month): row
        for row in MonthlyIndicator.objects.for_prefecture(prefecture).filter(month__gte=first, month__lte=last)
    }
    results = {period: [] for period in periods}
    derived = []
    for (engagement, period), version in in_force.items():
        rows = [stored.get((engagement.pk, month)) for month in period.months]
        if any(row is None for row in rows):
            return None
        if engagement.source == Source.RESULTS_PUBLISHED:
            derived.append((engagement, period, version))
            continue
        numerator, denominator, value = _combine(MEASURES[engagement.source].kind, rows)
        results[period].append(Figure(engagement, version, period, numerator, denominator, _round(value, "0.01")))
    # “Results published” is judged on the period's other figures, as the engine does.
    for engagement, period, version in derived:
        others = results[period]
        numerator, denominator = Decimal(sum(1 for f in others if f.has_value)), Decimal(len(others))
        value = _round(Decimal(100) * numerator / denominator, "0.01") if denominator else None
        results[period].append(Figure(engagement, version, period, numerator, denominator, value))
    order = {engagement.pk: i for i, (engagement, _period) in enumerate(in_force)}
    for figures in results.values():
        figures.sort(key=lambda figure: order[figure.engagement.pk])
    return results


def _engagements(prefecture, period, previous, today):
    """Each engagement in force: the period's figure, the previous one, a 12-month trend.

    The figures come from the nightly monthly figures when every month has them (a quick read), otherwise
    they are computed from the records (the indicator engine: one query per engagement).
    """
    figures = materialised(prefecture, [previous, period]) or compute(prefecture, [previous, period], today=today)
    before = {figure.engagement.pk: figure for figure in figures[previous]}
    first = add_months(period.last_month, -(TREND_MONTHS - 1))
    trend = {}
    for engagement_id, month, value in (
        MonthlyIndicator.objects.for_prefecture(prefecture)
        .filter(month__gte=first, month__lte=period.last_month)
        .values_list("engagement_id", "month", "value")
        .order_by()
    ):
        trend.setdefault(engagement_id, {})[month] = value
    months = [add_months(first, i) for i in range(TREND_MONTHS)]
    rows = []
    for figure in figures[period]:
        engagement, version = figure.engagement, figure.version
        previous_figure = before.get(engagement.pk)
        rows.append(
            {
                "code": engagement.code,
                "wording": version.wording,
                "measurement": version.measurement,
                "source": engagement.get_source_display(),
                "unit": version.unit,
                "unit_display": version.get_unit_display(),
                "comparator_display": version.get_comparator_display(),
                "target": version.target_value,
                "value": figure.value,
                "numerator": figure.numerator,
                "denominator": figure.denominator,
                "previous": previous_figure.value if previous_figure else None,
                "met": figure.met,
                "trend": [(month, trend.get(engagement.pk, {}).get(month)) for month in months],
            }
        )
    judged = [row for row in rows if row["met"] is not None]
    # The complaints' headline figures are engagements' measures: reused when measured on every channel.
    by_source = {}
    for which, key in ((period, "cur"), (previous, "prev")):
        for figure in figures[which]:
            if figure.engagement.source in COMPLAINT_SOURCES and not figure.engagement.channel:
                by_source[(COMPLAINT_SOURCES[figure.engagement.source], key)] = {
                    "numerator": figure.numerator,
                    "denominator": figure.denominator,
                    "value": _round(figure.value),
                }
    return {
        "by_source": by_source,
        "rows": rows,
        "met": sum(1 for row in judged if row["met"]),
        "judged": len(judged),
        "trend_from": first,
    }


# --- complaints ----------------------------------------------------------------------------------------


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


def _complaints(prefecture, period, previous, ctx, known):
    received = Q(received_on__gte=previous.start, received_on__lte=period.end)
    current = Q(received_on__gte=period.start, received_on__lte=period.end)
    before = Q(received_on__lte=previous.end)
    # One grouped query: every combination of kind, channel, topic and service, with both periods' counts.
    rows = list(
        Case.objects.for_prefecture(prefecture)
        .exclude(status=Status.REJECTED)
        .filter(received)
        .values("kind", "channel", "topic", service_name=F("service__name"))
        .annotate(current=Count("pk", filter=current), previous=Count("pk", filter=before))
        .order_by()
    )
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
        "by_topic": _dimension(rows, "topic", _choice_label(Topic)),
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
            "topic",
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
            topic,
            service or "",
            received_on.isoformat(),
            due_on.isoformat(),
            answered.isoformat() if answered else "",
            "" if answered is None or duration is None else duration,
            "" if answered is None else ("oui" if answered <= due_on else "non"),
            status,
            rating if rating is not None else "",
        ]


# --- delays ------------------------------------------------------------------------------------------------


def _delays(prefecture, period, previous):
    current = Q(month__gte=period.start, month__lte=period.end)
    before = Q(month__gte=previous.start, month__lte=previous.end)
    published = MonthlyDelay.objects.published().all_sites()
    rows = list(
        published.filter(prefecture=prefecture, month__gte=previous.start, month__lte=period.end)
        .values("title_type_id", code=F("title_type__code"), label=F("title_type__label"))
        .annotate(
            n=Sum("count", filter=current),
            total=Sum("total_days", filter=current),
            prev_n=Sum("count", filter=before),
            prev_total=Sum("total_days", filter=before),
            months=Count("pk", filter=current),
            position=F("title_type__position"),
        )
        .order_by("title_type__position", "title_type__code")
    )
    national = {
        row["title_type_id"]: mean_of(row["total"], row["n"])
        for row in published.filter(title_type_id__in=[r["title_type_id"] for r in rows])
        .filter(current)
        .values("title_type_id")
        .annotate(n=Sum("count"), total=Sum("total_days"))
        .order_by()
    }
    titles = [
        {
            "code": row["code"],
            "label": row["label"],
            "count": row["n"] or 0,
            "months": row["months"],
            "mean": mean_of(row["total"], row["n"]),
            "previous_mean": mean_of(row["prev_total"], row["prev_n"]),
            "national_mean": national.get(row["title_type_id"]),
        }
        for row in rows
    ]
    return {"titles": titles}


# --- surveys -------------------------------------------------------------------------------------------------


def _survey_figures(row, prefix=""):
    satisfied, rated = row[f"{prefix}sat_hit"], row[f"{prefix}sat_n"]
    promoters, detractors, recommended = row[f"{prefix}promoters"], row[f"{prefix}detractors"], row[f"{prefix}rec_n"]
    nps = None
    if recommended:
        nps = _round(Decimal(100) * (Decimal(promoters) - Decimal(detractors)) / Decimal(recommended), "1")
    return {
        "satisfaction_answers": rated,
        "satisfaction": _share(satisfied, rated),
        "nps_answers": recommended,
        "nps": nps,
    }


def _surveys(prefecture, period, previous):
    """Satisfaction (share of 4 and 5) and NPS of the published surveys, per site, in one grouped query."""
    satisfaction, recommendation = (
        Q(question__kind=QuestionKind.SATISFACTION),
        Q(question__kind=QuestionKind.RECOMMENDATION),
    )
    counts = {}
    for prefix, which in (("", period), ("prev_", previous)):
        within = Q(submitted_on__gte=which.start, submitted_on__lte=which.end)
        counts |= {
            f"{prefix}sat_n": Count("pk", filter=within & satisfaction),
            f"{prefix}sat_hit": Count("pk", filter=within & satisfaction & Q(value__gte=SATISFIED_FROM)),
            f"{prefix}rec_n": Count("pk", filter=within & recommendation),
            f"{prefix}promoters": Count("pk", filter=within & recommendation & Q(value__gte=PROMOTERS_FROM)),
            f"{prefix}detractors": Count("pk", filter=within & recommendation & Q(value__lte=DETRACTORS_UP_TO)),
        }
    rows = list(
        Answer.objects.published()
        .for_prefecture(prefecture)
        .filter(
            question__kind__in=[QuestionKind.SATISFACTION, QuestionKind.RECOMMENDATION],
            submitted_on__gte=previous.start,
            submitted_on__lte=period.end,
        )
        .values(site=F("point__site__name"))
        .annotate(**counts)
        .order_by()
    )
    totals = {key: sum(row[key] for row in rows) for key in counts}
    sites = [{"site": row["site"], **_survey_figures(row)} for row in rows if row["sat_n"] or row["rec_n"]]
    sites.sort(key=lambda s: (-(s["satisfaction_answers"] + s["nps_answers"]), s["site"] or ""))
    shown, others = _top(
        [{**s, "count": s["satisfaction_answers"] + s["nps_answers"], "previous": 0} for s in sites], TOP_SITES
    )
    return {
        "sites": shown,
        "other_sites": others,
        "total": _survey_figures(totals),
        "previous_total": _survey_figures(totals, "prev_"),
    }


# --- committee and improvement actions -------------------------------------------------------------------------


def _committee(prefecture, period, ctx):
    in_period = Q(date__gte=period.start, date__lte=period.end)
    meetings = Meeting.objects.for_prefecture(prefecture)
    by_status = dict(
        meetings.filter(in_period).values("status").annotate(n=Count("pk")).values_list("status", "n").order_by()
    )
    held = list(
        meetings.filter(in_period, status=MeetingStatus.HELD)
        .annotate(
            invited=Count("invitations"),
            present=Count("invitations", filter=Q(invitations__attendance=Attendance.PRESENT)),
        )
        .order_by("date")
        .values("title", "date", "invited", "present", working_group_theme=F("working_group__theme"))[: TOP + 2]
    )
    attendance = Invitation.objects.filter(
        meeting__in=meetings.filter(in_period, status=MeetingStatus.HELD)
    ).aggregate(
        invited=Count("pk"),
        present=Count("pk", filter=Q(attendance=Attendance.PRESENT)),
        excused=Count("pk", filter=Q(attendance=Attendance.EXCUSED)),
        recorded=Count("pk", filter=~Q(attendance=Attendance.UNKNOWN)),
    )
    start, end = ctx.local_bounds(period.start, period.end)
    opinions = SuggestionOpinion.objects.for_prefecture(prefecture).filter(recorded_at__gte=start, recorded_at__lt=end)
    verdicts = dict(opinions.values("verdict").annotate(n=Count("pk")).values_list("verdict", "n").order_by())
    latest = list(
        opinions.order_by("-recorded_at").values(
            "verdict", "recorded_at", reference=F("case__reference"), subject=F("case__subject")
        )[:TOP]
    )
    for opinion in latest:
        opinion["verdict_display"] = _choice_label(Verdict)(opinion["verdict"])
    return {
        "held": by_status.get(MeetingStatus.HELD, 0),
        "planned": by_status.get(MeetingStatus.PLANNED, 0),
        "cancelled": by_status.get(MeetingStatus.CANCELLED, 0),
        "meetings": held,
        "attendance": {**attendance, "share": _share(attendance["present"], attendance["recorded"])},
        "opinions": [{"label": label, "count": verdicts.get(value, 0)} for value, label in Verdict.choices],
        "opinions_total": sum(verdicts.values()),
        "latest_opinions": latest,
    }


def _actions(prefecture, period, today):
    actions = ImprovementAction.objects.for_prefecture(prefecture)
    done_in_period = Q(status=ActionStatus.DONE, done_on__gte=period.start, done_on__lte=period.end)
    # Still open today although due by the period's end (and before today).
    overdue = Q(status__in=OPEN_ACTION_STATUSES, due_on__lte=period.end, due_on__lt=today)
    due_in_period = Q(due_on__gte=period.start, due_on__lte=period.end) & ~Q(status=ActionStatus.ABANDONED)
    counts = actions.aggregate(
        done=Count("pk", filter=done_in_period),
        overdue=Count("pk", filter=overdue),
        open=Count("pk", filter=Q(status__in=OPEN_ACTION_STATUSES)),
        due=Count("pk", filter=due_in_period),
        due_done=Count("pk", filter=due_in_period & Q(status=ActionStatus.DONE)),
    )
    columns = ("title", "due_on", "done_on", "status", "indicator")
    done = list(actions.filter(done_in_period).order_by("-done_on", "title").values(*columns)[:TOP])
    late = list(
        actions.filter(overdue).order_by("due_on", "title").values(*columns, service_name=F("service__name"))[:TOP]
    )
    for row in late:
        row["days_late"] = (today - row["due_on"]).days
        row["status_display"] = _choice_label(ActionStatus)(row["status"])
    return {
        **counts,
        "due_done_share": _share(counts["due_done"], counts["due"]),
        "done_list": done,
        "late_list": late,
    }
