"""The survey satisfaction indicator adds up the answers' tally (``surveys.tally``): its figures are those the raw
answers give, counted here by hand and listed by the drill-down, after submissions, deletions, a bulk load and its
rebuild, and a survey withdrawn from publication."""

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal

import pytest

from engagements.indicators import compute, drilldown
from engagements.periods import Period
from surveys.enums import PUBLIC_STATUSES, QuestionKind
from surveys.models import Answer, Response
from surveys.services import answers_delete, response_delete
from surveys.tally import tally_rebuild
from tests.surveys.factories import DistributionPointFactory, QuestionFactory, SurveyFactory, respond

from .factories import engagement

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2025, 9, 15)
CODE = "SATISFACTION-USAGERS"
MONTHS = [Period.month(D(2025, month, 1)) for month in range(1, 9)]
PERIODS = [*MONTHS, Period.quarter(2025, 1), Period.quarter(2025, 2), Period.quarter(2025, 3), Period.year(2025)]


def survey_with_questions(prefecture, **fields):
    survey = SurveyFactory(
        prefecture=prefecture, opens_on=D(2025, 1, 1), closes_on=D(2025, 8, 31), results_public=True, **fields
    )
    questions = [
        QuestionFactory(survey=survey, position=1, kind=QuestionKind.SATISFACTION, is_public=True),
        QuestionFactory(survey=survey, position=2, kind=QuestionKind.SATISFACTION, is_public=False),
        QuestionFactory(survey=survey, position=3, kind=QuestionKind.RECOMMENDATION, is_public=True),
        QuestionFactory(survey=survey, position=4, kind=QuestionKind.YES_NO, is_public=True),
    ]
    return survey, questions


def fill(survey, questions, points, *, responses, seed):
    rng = random.Random(seed)
    for _ in range(responses):
        values = {
            QuestionKind.SATISFACTION: lambda: rng.randint(1, 5),
            QuestionKind.RECOMMENDATION: lambda: rng.randint(0, 10),
            QuestionKind.YES_NO: lambda: rng.randint(0, 1),
        }
        answers = {question: values[question.kind]() for question in questions if rng.random() > 0.1}
        on = D(2025, rng.randint(1, 8), rng.randint(1, 28))
        respond(survey, answers, point=rng.choice(points), on=on)


@pytest.fixture
def answered(reunion, mainland):
    """La Réunion: a published survey on two points and the direct link, a survey whose results are not published,
    a draft; the mainland's published survey must not count for La Réunion."""
    published, questions = survey_with_questions(reunion)
    points = [DistributionPointFactory(survey=published, name=name) for name in ("Accueil", "Guichet 2")]
    fill(published, questions, [*points, None], responses=90, seed=16)
    unpublished, questions = survey_with_questions(reunion, slug="interne")
    unpublished.results_public = False
    unpublished.save()
    fill(unpublished, questions, [None], responses=20, seed=17)
    elsewhere, questions = survey_with_questions(mainland, slug="accueil-94")
    fill(elsewhere, questions, [None], responses=30, seed=18)
    return published


def raw_counts(prefecture, period):
    """(satisfied, rated) from the answers themselves: published satisfaction answers sent in the period."""
    rated = Answer.objects.filter(
        question__survey__prefecture=prefecture,
        question__survey__results_public=True,
        question__survey__status__in=PUBLIC_STATUSES,
        question__is_public=True,
        question__kind=QuestionKind.SATISFACTION,
        submitted_on__gte=period.start,
        submitted_on__lte=period.end,
    )
    return rated.filter(value__gte=4).count(), rated.count()


def assert_indicator_equals_raw(prefecture, *, rated_somewhere=True):
    """Every period's figure equals the raw count; ``rated_somewhere``: some period has rated answers."""
    found = compute(prefecture, PERIODS, today=TODAY, engagements=[engagement(CODE)])
    found_rated = False
    for period in PERIODS:
        [figure] = found[period]
        satisfied, rated = raw_counts(prefecture, period)
        assert (figure.numerator, figure.denominator) == (satisfied, rated), period
        share = None if not rated else (Decimal(100) * satisfied / rated).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert figure.value == share, period
        found_rated |= rated > 0
    assert found_rated == rated_somewhere  # the comparison compared something
    if not rated_somewhere:
        return
    for period in (MONTHS[2], PERIODS[-1]):  # the drill-down lists the answers counted, from the raw answers
        listed = drilldown(prefecture, engagement(CODE), period, today=TODAY)
        counted = list(listed.records.values_list("counted", flat=True))
        assert (sum(counted), len(counted)) == raw_counts(prefecture, period)
        assert (listed.figure.numerator, listed.figure.denominator) == raw_counts(prefecture, period)


def test_the_indicator_read_from_the_tally_equals_the_answers(reunion, mainland, answered):
    assert_indicator_equals_raw(reunion)
    assert_indicator_equals_raw(mainland)


def test_after_deletions_the_indicator_still_equals_the_answers(reunion, answered):
    for response in Response.objects.filter(survey=answered).order_by("pk")[:9]:
        response_delete(response=response, by=None)
    answers_delete(answers=Answer.objects.filter(question__survey=answered, value=5, submitted_on__month=3), by=None)
    assert_indicator_equals_raw(reunion)


def test_after_a_bulk_load_and_its_rebuild_the_indicator_equals_the_answers(reunion, answered):
    question = answered.questions.get(position=1)
    for day in (D(2025, 3, 31), D(2025, 7, 1)):
        response = Response.objects.create(survey=answered, submitted_on=day)
        Answer.objects.bulk_create(
            Answer(response=response, question=question, value=value, submitted_on=day) for value in (5, 4, 1, 2, 5)
        )
    tally_rebuild()  # answers inserted past the service, as the demo and the benchmarks do
    assert_indicator_equals_raw(reunion)


def test_a_survey_withdrawn_from_publication_leaves_both(reunion, answered):
    answered.results_public = False
    answered.save()
    found = compute(reunion, PERIODS, today=TODAY, engagements=[engagement(CODE)])
    assert all(figures[0].denominator == 0 for figures in found.values())
    assert_indicator_equals_raw(reunion, rated_somewhere=False)
