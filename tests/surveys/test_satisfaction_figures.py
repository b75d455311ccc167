"""Satisfaction and NPS read the same wherever they are shown: survey results, the label's indicator, the report.

The figures below were computed by each reader before ``surveys.results`` became the one place computing
them, on a dataset with several surveys, distribution points on two sites and a direct link, five months,
two satisfaction and two recommendation questions, yes/no questions, a private question, an unpublished, a
draft and another prefecture's survey, partial responses and deleted answers. They are pinned: any change of
the rule or of a reader's rounding shows here.
"""

import datetime
import json
from pathlib import Path

import pytest

from engagements.indicators import compute, drilldown
from engagements.periods import Period
from reports.data import gather
from surveys.enums import QuestionKind
from surveys.models import Answer, Response
from surveys.results import published_results, survey_results
from surveys.services import answers_delete, response_delete
from tests.engagements.factories import engagement
from tests.qualipref.factories import PrefectureFactory, SiteFactory

from .factories import DistributionPointFactory, QuestionFactory, SurveyFactory, respond

pytestmark = pytest.mark.django_db

# Written once from the three readers as they were, before they shared one computation.
PINNED = json.loads((Path(__file__).parent / "satisfaction_figures.json").read_text())

D = datetime.date
TODAY = D(2025, 7, 15)
MONTHS = [Period.month(D(2025, month, 1)) for month in range(1, 7)]
QUARTERS = [Period.quarter(2025, 1), Period.quarter(2025, 2)]

# Per response: (satisfaction, second satisfaction, recommendation, second recommendation, yes/no, private).
# None: the question was skipped (a partial response).
ANSWERS = [
    (5, 4, 10, 9, 1, 5),
    (4, None, 9, 3, 0, 1),
    (3, 2, 7, None, 1, 4),
    (1, 5, 6, 10, None, 2),
    (2, 3, 0, 8, 1, 5),
    (5, 5, 8, 6, 0, 3),
    (4, 1, 10, 7, 1, None),
    (None, 4, 5, 9, 1, 4),
]


@pytest.fixture
def dataset():
    reunion = PrefectureFactory(reunion=True)
    other = PrefectureFactory(department_code="94", name="Val-de-Marne", slug="val-de-marne")
    saint_denis = SiteFactory(prefecture=reunion, name="Préfecture de Saint-Denis")
    saint_pierre = SiteFactory(prefecture=reunion, name="Sous-préfecture de Saint-Pierre")

    def survey(prefecture, slug, **fields):
        found = SurveyFactory(
            prefecture=prefecture, slug=slug, opens_on=D(2024, 12, 1), closes_on=D(2025, 8, 31), **fields
        )
        kinds = [
            QuestionKind.SATISFACTION,
            QuestionKind.SATISFACTION,
            QuestionKind.RECOMMENDATION,
            QuestionKind.RECOMMENDATION,
            QuestionKind.YES_NO,
            QuestionKind.SATISFACTION,
        ]
        questions = [
            QuestionFactory(survey=found, position=n, kind=kind, is_public=n != 6, required=False)
            for n, kind in enumerate(kinds, start=1)
        ]
        QuestionFactory(survey=found, position=7, kind=QuestionKind.FREE_TEXT, is_public=False, required=False)
        return found, questions

    def fill(found, questions, points, *, shift=0):
        for index in range(30):
            values = ANSWERS[(index + shift) % len(ANSWERS)]
            on = D(2025, 1 + index % 6, 1 + (index * 7) % 28)
            answers = {q: v for q, v in zip(questions, values, strict=True) if v is not None}
            respond(found, answers, point=points[index % len(points)], on=on)

    reception, questions = survey(reunion, "accueil", results_public=True)
    desk = DistributionPointFactory(survey=reception, name="Guichet 1", site=saint_denis)
    hall = DistributionPointFactory(survey=reception, name="Hall", site=saint_pierre)
    fill(reception, questions, [desk, hall, None])
    closed, questions = survey(reunion, "titres", results_public=True, status="closed")
    counter = DistributionPointFactory(survey=closed, name="Accueil titres", site=saint_pierre)
    fill(closed, questions, [counter, None], shift=3)
    unpublished, questions = survey(reunion, "permis", results_public=False)
    fill(unpublished, questions, [None], shift=1)
    draft, questions = survey(reunion, "brouillon", results_public=True, status="draft")
    fill(draft, questions, [None], shift=2)
    elsewhere, questions = survey(other, "accueil-94", results_public=True)
    fill(elsewhere, questions, [None], shift=5)

    # Deleted answers and responses count nowhere.
    answers_delete(
        answers=Answer.objects.filter(question__survey=reception, submitted_on__month=2, value__gte=9), by=None
    )
    answers_delete(answers=Answer.objects.filter(question__survey=closed, submitted_on__month=5, value=5), by=None)
    response_delete(
        response=Response.objects.filter(survey=reception, submitted_on__month=3).order_by("pk").first(), by=None
    )
    return reunion, reception, closed


def _number(value):
    return None if value is None else str(value)


def _results(found):
    return [
        [
            result.question.position,
            str(result.question.kind),
            result.answers,
            [_number(getattr(result.figures, name)) for name in ("answers", "mean", "satisfaction_rate", "nps")],
            [[str(label), f.answers, _number(f.satisfaction_rate), _number(f.nps)] for label, f in result.by_point],
            [[str(month), f.answers, _number(f.satisfaction_rate), _number(f.nps)] for month, f in result.by_month],
        ]
        for result in found.questions
        if result.question.kind in (QuestionKind.SATISFACTION, QuestionKind.RECOMMENDATION)
    ]


def figures_of_every_reader(reunion, reception, closed):
    """What each of the three readers shows, as JSON-ready lists (exact values as strings)."""
    indicators = compute(reunion, MONTHS + QUARTERS, today=TODAY, engagements=[engagement("SATISFACTION-USAGERS")])
    drilled = drilldown(reunion, engagement("SATISFACTION-USAGERS"), QUARTERS[1], today=TODAY)
    report = gather(reunion, QUARTERS[1])["surveys"]
    return {
        "officer": [_results(survey_results(found, officer=True)) for found in (reception, closed)],
        "published": [[found.survey.slug, found.responses, _results(found)] for found in published_results(reunion)],
        "indicator": [
            [str(period), *(_number(getattr(f, name)) for name in ("numerator", "denominator", "value"))]
            for period, found in indicators.items()
            for f in found
        ],
        "drilldown": sorted([a.value, a.counted] for a in drilled.records),
        "report": json.loads(json.dumps(report, default=str)),
    }


def test_every_reader_shows_the_pinned_figures(dataset):
    found = figures_of_every_reader(*dataset)
    assert found == PINNED
