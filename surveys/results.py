"""Survey results, read from the answers' tally (``AnswerTally``, kept by ``surveys.tally``) in a fixed number of
queries whose cost does not grow with the number of answers.

Per question: the number of answers, the distribution, the mean, the satisfaction rate (share of 4 and 5
on the five-point scale), the NPS (% of 9–10 minus % of 0–6) and the share of “yes”; the same figures by
distribution point and by month. Free-text answers are read only for officers (``survey_results(…,
officer=True)``); ``published_results(prefecture)`` is what the public and the other apps may read.

This module owns the rule of satisfaction and NPS: which answers count, who is satisfied, who promotes, who
detracts (``SATISFIED``, ``PROMOTERS``, ``DETRACTORS``). The label's indicator and the report read it through
``satisfaction_counts`` (on answers, or on the tally's rows) and ``published_satisfaction`` (on the tally for whole
months), counts aggregated in SQL, exact rates in ``Satisfaction``; they only round the figures as they show them.
"""

import datetime
from dataclasses import dataclass, field, fields
from decimal import Decimal

from django.db.models import Avg, Count, FloatField, Q, Sum
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext_lazy as _

from .enums import (
    DETRACTORS_UP_TO,
    PROMOTERS_FROM,
    PUBLIC_STATUSES,
    SATISFIED_FROM,
    VALUE_RANGES,
    QuestionKind,
)
from .models import RESPONDENTS, Answer, AnswerTally, DistributionPoint, Question, Survey

# Officers see the latest free-text answers of each question; the CSV export holds them all.
TEXTS_SHOWN = 50

SCALE_LABELS = {
    QuestionKind.SATISFACTION: {
        1: _("1 – Very dissatisfied"),
        2: _("2 – Dissatisfied"),
        3: _("3 – Neither satisfied nor dissatisfied"),
        4: _("4 – Satisfied"),
        5: _("5 – Very satisfied"),
    },
    QuestionKind.YES_NO: {1: _("Yes"), 0: _("No")},
}


# The rule, in one place. Rated: answers to a five-point satisfaction question; satisfied: 4 or 5. Recommended:
# answers to a 0–10 recommendation question; promoters answer 9–10, detractors 0–6; NPS = % promoters − % detractors.
RATED = Q(question__kind=QuestionKind.SATISFACTION)
RECOMMENDED = Q(question__kind=QuestionKind.RECOMMENDATION)
SATISFIED = Q(value__gte=SATISFIED_FROM)
PROMOTERS = Q(value__gte=PROMOTERS_FROM)
DETRACTORS = Q(value__lte=DETRACTORS_UP_TO)


def _share(condition):
    """Percentage of the group's rows that meet ``condition``."""
    return Cast(Count("id", filter=condition), FloatField()) * 100.0 / Cast(Count("id"), FloatField())


def figures():
    """The aggregates of one group of answers; rates are meaningful only for the kinds that have them."""
    return {
        "answers": Count("id"),
        "mean": Avg("value"),
        "satisfaction_rate": _share(SATISFIED),
        "nps": _share(PROMOTERS) - _share(DETRACTORS),
        "yes_rate": _share(Q(value=1)),
    }


def satisfaction_counts(within=None, *, prefix="", tallied=False):
    """The counts behind the satisfaction rate and the NPS of the answers meeting ``within``, as SQL aggregates.

    For one ``aggregate()`` or a grouped ``annotate()`` of answers, or of tally rows (``tallied``: each row weighs
    its count, and no row counts 0), keyed ``<prefix>rated``, ``…satisfied``, ``…recommended``, ``…promoters``
    and ``…detractors``; ``Satisfaction.from_row`` reads them back.
    """
    within = Q() if within is None else within

    def total(condition):
        if tallied:
            return Coalesce(Sum("count", filter=within & condition), 0)
        return Count("pk", filter=within & condition)

    return {
        f"{prefix}rated": total(RATED),
        f"{prefix}satisfied": total(RATED & SATISFIED),
        f"{prefix}recommended": total(RECOMMENDED),
        f"{prefix}promoters": total(RECOMMENDED & PROMOTERS),
        f"{prefix}detractors": total(RECOMMENDED & DETRACTORS),
    }


@dataclass(frozen=True)
class Satisfaction:
    """Satisfaction rate and NPS of a set of answers, exact: each reader rounds them as it shows them."""

    rated: int = 0
    satisfied: int = 0
    recommended: int = 0
    promoters: int = 0
    detractors: int = 0

    @classmethod
    def from_row(cls, row, prefix=""):
        return cls(**{f.name: row[f"{prefix}{f.name}"] for f in fields(cls)})

    def __add__(self, other):
        return Satisfaction(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    @property
    def satisfaction_rate(self):
        """Percentage of the rated answers that are satisfied (a ``Decimal``), None without any."""
        if not self.rated:
            return None
        return Decimal(100) * Decimal(self.satisfied) / Decimal(self.rated)

    @property
    def nps(self):
        """Percentage of promoters minus percentage of detractors (a ``Decimal``), None without any answer."""
        if not self.recommended:
            return None
        return Decimal(100) * (Decimal(self.promoters) - Decimal(self.detractors)) / Decimal(self.recommended)


def published_answers(prefecture):
    """The answers of ``prefecture`` whose results it chose to publish (never free text)."""
    return Answer.objects.published().for_prefecture(prefecture)


def published_tally(prefecture):
    """The tally rows of ``prefecture``'s published answers: ``published_answers`` counted by bucket."""
    return (
        AnswerTally.objects.for_prefecture(prefecture)
        .filter(
            question__survey__results_public=True,
            question__is_public=True,
            question__survey__status__in=PUBLIC_STATUSES,
            question__isnull=False,
        )
        .exclude(question__kind=QuestionKind.FREE_TEXT)
    )


def whole_months(start, end):
    """Whether the days ``start``–``end`` are whole months: what the tally, counted by month, can answer."""
    return start.day == 1 and (end + datetime.timedelta(days=1)).day == 1


def published_satisfaction(prefecture, periods, *, by):
    """Satisfaction and NPS of ``prefecture``'s published answers in each of ``periods``, grouped ``by``. One query.

    ``periods``: anything with ``start`` and ``end`` days; ``by``: an expression of the answer that the tally also
    has, such as ``F("point__site__name")``. Returns ``[(group, [Satisfaction of each period])]``, groups in no
    given order. Periods made of whole months (months, quarters, years) read the tally; any other period, the
    answers themselves, with the same result.
    """
    tallied = all(whole_months(period.start, period.end) for period in periods)
    source = published_tally(prefecture) if tallied else published_answers(prefecture)
    day = "month" if tallied else "submitted_on"
    aggregates = {}
    for index, period in enumerate(periods):
        within = Q(**{f"{day}__gte": period.start, f"{day}__lte": period.end})
        aggregates |= satisfaction_counts(within, prefix=f"p{index}_", tallied=tallied)
    rows = (
        source.filter(
            question__kind__in=[QuestionKind.SATISFACTION, QuestionKind.RECOMMENDATION],
            **{
                f"{day}__gte": min(period.start for period in periods),
                f"{day}__lte": max(period.end for period in periods),
            },
        )
        .values(group=by)
        .annotate(**aggregates)
        .order_by()
    )
    prefixes = [f"p{index}_" for index in range(len(periods))]
    return [(row["group"], [Satisfaction.from_row(row, prefix) for prefix in prefixes]) for row in rows]


@dataclass
class Figures:
    answers: int = 0
    mean: float | None = None
    satisfaction_rate: float | None = None
    nps: float | None = None
    yes_rate: float | None = None

    @classmethod
    def from_row(cls, row):
        if row is None:
            return cls()
        number = lambda key: None if row[key] is None else float(row[key])  # noqa: E731 (PostgreSQL: Decimal)
        return cls(
            answers=row["answers"],
            mean=number("mean"),
            satisfaction_rate=number("satisfaction_rate"),
            nps=number("nps"),
            yes_rate=number("yes_rate"),
        )

    @classmethod
    def from_counts(cls, counts):
        """The figures of a group from its tally: ``{value: number of answers}`` (``None`` for no value).

        The same arithmetic as ``figures()`` in SQL: shares as floating-point ``count × 100.0 / total``."""
        total = sum(counts.values())
        if not total:
            return cls()
        valued = sum(n for value, n in counts.items() if value is not None)

        def share(test):
            return (
                float(sum(n for value, n in counts.items() if value is not None and test(value)))
                * 100.0
                / float(total)
            )

        return cls(
            answers=total,
            mean=sum(value * n for value, n in counts.items() if value is not None) / valued if valued else None,
            satisfaction_rate=share(lambda v: v >= SATISFIED_FROM),
            nps=share(lambda v: v >= PROMOTERS_FROM) - share(lambda v: v <= DETRACTORS_UP_TO),
            yes_rate=share(lambda v: v == 1),
        )


@dataclass
class Bar:
    label: str
    count: int
    percent: float


@dataclass
class QuestionResult:
    question: Question
    number: int
    figures: Figures
    answers: int = 0  # people who answered (for a multiple choice: not the number of ticks)
    distribution: list = field(default_factory=list)
    by_point: list = field(default_factory=list)  # [(label, Figures)]
    by_month: list = field(default_factory=list)  # [(first day of the month, Figures)]
    texts: list = field(default_factory=list)

    @property
    def kind(self):
        return self.question.kind

    @property
    def is_scored(self):
        return self.question.kind in VALUE_RANGES

    @property
    def headline(self):
        """The figure a reader looks for first: ``(label, value, unit)``, or None."""
        return headline(self.question.kind, self.figures)

    def _rows(self, groups):
        rows = []
        for label, figures in groups:
            found = headline(self.question.kind, figures)
            rows.append((label, figures.answers, found[1] if found else None, figures.mean))
        return rows

    @property
    def point_rows(self):
        """``(place, answers, headline value, mean)`` for each distribution point."""
        return self._rows(self.by_point)

    @property
    def month_rows(self):
        """``(first day of the month, answers, headline value, mean)``, oldest first."""
        return self._rows(self.by_month)


def headline(kind, figures):
    if not figures.answers:
        return None
    if kind == QuestionKind.SATISFACTION:
        return (_("satisfied (4 or 5 out of 5)"), figures.satisfaction_rate, "%")
    if kind == QuestionKind.RECOMMENDATION:
        return (_("net promoter score"), figures.nps, "")
    if kind == QuestionKind.YES_NO:
        return (_("answered yes"), figures.yes_rate, "%")
    return None


@dataclass
class SurveyResults:
    survey: Survey
    responses: int
    questions: list
    months: list = field(default_factory=list)
    points: list = field(default_factory=list)

    @property
    def scored(self):
        return [result for result in self.questions if result.is_scored]


def _percent(count, total):
    return round(100.0 * count / total, 1) if total else 0.0


def _distribution(question, counts, total):
    """Every possible answer in order, with its count (0 when nobody chose it)."""
    if question.kind in VALUE_RANGES:
        low, high = VALUE_RANGES[question.kind]
        labels = SCALE_LABELS.get(question.kind, {})
        values = range(high, low - 1, -1) if question.kind != QuestionKind.RECOMMENDATION else range(low, high + 1)
        return [
            Bar(str(labels.get(v, v)), counts.get((v, None), 0), _percent(counts.get((v, None), 0), total))
            for v in values
        ]
    if question.has_choices:
        return [
            Bar(choice.label, counts.get((None, choice.pk), 0), _percent(counts.get((None, choice.pk), 0), total))
            for choice in question.choices.all()
        ]
    return []


def _question_results(questions, *, point_labels, with_texts):
    """Results of ``questions`` (choices prefetched), possibly from several surveys: three queries, and one per
    free-text question for officers.

    Counts come from the tally (``AnswerTally``), so the cost does not grow with the number of answers; only the
    officers' latest free-text answers are read from the answers."""
    ids = [q.pk for q in questions]
    if not ids:
        return []
    tally = AnswerTally.objects.filter(question_id__in=ids).order_by()

    values, respondents, counts = {}, {}, {}
    for row in tally.values("question_id", "value", "choice_id").annotate(n=Sum("count")):
        question_id, value, n = row["question_id"], row["value"], row["n"]
        if value == RESPONDENTS:
            respondents[question_id] = n
            continue
        by_value = values.setdefault(question_id, {})
        by_value[value] = by_value.get(value, 0) + n
        counts.setdefault(question_id, {})[(value, row["choice_id"])] = n
    summary = {question_id: Figures.from_counts(by_value) for question_id, by_value in values.items()}

    by_point, by_month = {}, {}
    scored = [q.pk for q in questions if q.kind in VALUE_RANGES]
    if scored:
        rows = tally.filter(question_id__in=scored)
        grouped = {}
        for row in rows.values("question_id", "point_id", "value").annotate(n=Sum("count")):
            grouped.setdefault((row["question_id"], row["point_id"]), {})[row["value"]] = row["n"]
        for (question_id, point_id), by_value in grouped.items():
            by_point.setdefault(question_id, {})[point_id] = Figures.from_counts(by_value)
        grouped = {}
        for row in rows.values("question_id", "month", "value").annotate(n=Sum("count")):
            grouped.setdefault((row["question_id"], row["month"]), {})[row["value"]] = row["n"]
        for (question_id, month), by_value in grouped.items():
            by_month.setdefault(question_id, {})[month] = Figures.from_counts(by_value)

    texts = {}
    free = [q.pk for q in questions if q.kind == QuestionKind.FREE_TEXT] if with_texts else []
    for question_id in free:
        # One query per free-text question, newest first and stopped at TEXTS_SHOWN: it reads the latest answers
        # (the primary key backwards), where a window over all of a question's answers read them all.
        latest = (
            Answer.objects.filter(question_id=question_id)
            .exclude(text="")
            .order_by("-id")
            .values_list("text", "submitted_on")[:TEXTS_SHOWN]
        )
        texts[question_id] = [(submitted_on, text) for text, submitted_on in latest]

    results = []
    for number, question in enumerate(questions, start=1):
        figures_ = summary.get(question.pk, Figures())
        total = respondents.get(question.pk, figures_.answers)
        results.append(
            QuestionResult(
                question=question,
                number=number,
                figures=figures_,
                answers=total,
                distribution=_distribution(question, counts.get(question.pk, {}), total),
                by_point=sorted(
                    (
                        (point_labels.get(point_id, _("Direct link")), f)
                        for point_id, f in by_point.get(question.pk, {}).items()
                    ),
                    key=lambda item: str(item[0]),
                ),
                by_month=sorted(by_month.get(question.pk, {}).items()),
                texts=texts.get(question.pk, []),
            )
        )
    return results


def _point_labels(points):
    return {
        point.pk: f"{point.name} ({point.site.name})"
        if point.site and point.site.name not in point.name
        else point.name
        for point in points
    }


def _with_numbers(results):
    """Number the questions within each survey (results of several surveys come in one list)."""
    numbers = {}
    for result in results:
        numbers[result.question.survey_id] = numbers.get(result.question.survey_id, 0) + 1
        result.number = numbers[result.question.survey_id]
    return results


def survey_results(survey, *, officer=False):
    """Everything about one survey's answers. ``officer``: also the questions kept private and the free text."""
    questions = list(survey.questions.prefetch_related("choices"))
    if not officer:
        questions = [q for q in questions if q.is_public and q.kind != QuestionKind.FREE_TEXT]
    points = list(DistributionPoint.objects.filter(survey=survey).select_related("site"))
    results = _with_numbers(_question_results(questions, point_labels=_point_labels(points), with_texts=officer))
    months = sorted({month for result in results for month, _figures in result.by_month})
    responses = AnswerTally.objects.filter(survey=survey, question=None).aggregate(n=Coalesce(Sum("count"), 0))["n"]
    return SurveyResults(survey=survey, responses=responses, questions=results, months=months, points=points)


def published_results(prefecture):
    """The results ``prefecture`` chose to publish, one ``SurveyResults`` per survey, newest first.

    Only surveys whose results are published, only their public questions, never free text. This is
    what the public results page shows. Eight queries at most.
    """
    surveys = list(
        Survey.objects.for_prefecture(prefecture)
        .with_results_published()
        .select_related("prefecture")
        .order_by("-opens_on", "title")
    )
    if not surveys:
        return []
    questions = list(
        Question.objects.filter(survey__in=surveys, is_public=True)
        .exclude(kind=QuestionKind.FREE_TEXT)
        .order_by("survey", "position", "pk")
        .prefetch_related("choices")
    )
    points = DistributionPoint.objects.filter(survey__in=surveys).select_related("site")
    results = _with_numbers(_question_results(questions, point_labels=_point_labels(points), with_texts=False))
    responses = dict(
        AnswerTally.objects.filter(survey__in=surveys, question=None)
        .values("survey")
        .annotate(n=Sum("count"))
        .values_list("survey", "n")
    )
    by_survey = {}
    for result in results:
        by_survey.setdefault(result.question.survey_id, []).append(result)
    published = []
    for survey in surveys:
        survey_questions = by_survey.get(survey.pk, [])
        months = sorted({month for result in survey_questions for month, _figures in result.by_month})
        published.append(
            SurveyResults(
                survey=survey, responses=responses.get(survey.pk, 0), questions=survey_questions, months=months
            )
        )
    return published
