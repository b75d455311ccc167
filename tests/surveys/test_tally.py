"""The answers' tally (``surveys.tally``) always says what the raw answers say.

Each test compares the tally with a count of the answers made here by hand (one ``Counter`` over the rows, or one
plain aggregate per question), after submissions, deletions, a bulk load and its rebuild, concurrent submissions
and the migration that fills it.
"""

import datetime
import random
import threading
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.db.models import Count, F

from surveys.enums import QuestionKind
from surveys.models import RESPONDENTS, Answer, AnswerTally, Response
from surveys.results import Figures, figures, published_results, published_satisfaction, survey_results
from surveys.services import answers_delete, response_delete, response_submit
from surveys.tally import tally_rebuild

from .factories import DistributionPointFactory, questions_of, respond, survey_of_every_kind

D = datetime.date


def raw_tally():
    """The tally as it should be, counted from the rows in Python."""
    expected = Counter()
    for survey_id, point_id, day in Response.objects.values_list("survey_id", "point_id", "submitted_on"):
        expected[(survey_id, None, point_id, None, None, day.replace(day=1))] += 1
    ticked = set()
    rows = Answer.objects.values_list(
        "question__survey_id",
        "question_id",
        "point_id",
        "choice_id",
        "value",
        "submitted_on",
        "question__kind",
        "response_id",
    )
    for survey_id, question_id, point_id, choice_id, value, day, kind, response_id in rows:
        month = day.replace(day=1)
        expected[(survey_id, question_id, point_id, choice_id, value, month)] += 1
        if kind == QuestionKind.MULTIPLE_CHOICE:
            ticked.add((survey_id, question_id, point_id, None, RESPONDENTS, month, response_id))
    for *key, _response in ticked:
        expected[tuple(key)] += 1
    return expected


def stored_tally():
    rows = AnswerTally.objects.filter(count__gt=0).values_list(
        "survey_id", "question_id", "point_id", "choice_id", "value", "month", "count"
    )
    return Counter({tuple(key): count for *key, count in rows})


def assert_results_equal_raw(survey):
    """The officer's figures, by question, point and month, against plain aggregates of the answers."""
    found = survey_results(survey, officer=True)
    assert found.responses == Response.objects.filter(survey=survey).count()
    for result in found.questions:
        answers = Answer.objects.filter(question=result.question).order_by()
        raw = Figures.from_row(answers.aggregate(**figures()) if answers.exists() else None)
        assert_figures(result.figures, raw)
        if result.question.kind == QuestionKind.MULTIPLE_CHOICE:
            assert result.answers == answers.values("response").distinct().count()
        if result.question.has_choices:
            by_choice = dict(answers.values_list("choice").annotate(n=Count("id")))
            assert [bar.count for bar in result.distribution] == [
                by_choice.get(choice.pk, 0) for choice in result.question.choices.all()
            ]
        if result.is_scored:
            by_point = {row["point"]: row for row in answers.values("point").annotate(**figures())}
            assert len(result.by_point) == len(by_point)
            by_month = {
                row["submitted_on"].replace(day=1): row
                for row in answers.values("submitted_on").annotate(n=Count("id"))
            }
            assert [month for month, _f in result.by_month] == sorted(by_month)
            for month, month_figures in result.by_month:
                within = answers.filter(submitted_on__year=month.year, submitted_on__month=month.month)
                assert_figures(month_figures, Figures.from_row(within.aggregate(**figures())))


def assert_figures(found, expected):
    assert found.answers == expected.answers
    for name in ("mean", "satisfaction_rate", "nps", "yes_rate"):
        wanted = getattr(expected, name)
        assert getattr(found, name) == (None if wanted is None else pytest.approx(wanted, rel=1e-12))


def fill(survey, points, *, responses=60, seed=16):
    """Responses on several points and months, some questions skipped, as ``respond`` records them (tallied)."""
    rng = random.Random(seed)
    questions = list(questions_of(survey).values())
    for _ in range(responses):
        answers = {}
        for question in questions:
            if rng.random() < 0.15:
                continue
            choices = list(question.choices.all())
            answers[question] = {
                QuestionKind.SATISFACTION: lambda: rng.randint(1, 5),
                QuestionKind.RECOMMENDATION: lambda: rng.randint(0, 10),
                QuestionKind.YES_NO: lambda: rng.randint(0, 1),
                QuestionKind.SINGLE_CHOICE: lambda: rng.choice(choices),  # noqa: B023
                QuestionKind.MULTIPLE_CHOICE: lambda: rng.sample(choices, rng.randint(1, len(choices))),  # noqa: B023
                QuestionKind.FREE_TEXT: lambda: "Très bien.",
            }[question.kind]()
        on = D(2025, rng.randint(1, 6), rng.randint(1, 28))
        respond(survey, answers, point=rng.choice(points), on=on)


@pytest.fixture
def answered(survey, point):
    survey.results_public = True
    survey.save()
    fill(survey, [point, None, DistributionPointFactory(survey=survey, name="Hall")])
    return survey


def test_the_answering_service_keeps_the_tally(survey, point):
    questions = list(questions_of(survey).values())
    satisfaction, recommendation, single, multiple, yes_no, free = questions
    for value in (5, 4, 2):
        response_submit(
            survey=survey,
            questions=questions,
            point=point,
            answers={
                satisfaction.pk: value,
                recommendation.pk: 2 * value,
                single.pk: single.choices.first().pk,
                multiple.pk: [c.pk for c in multiple.choices.all()[:2]],
                yes_no.pk: value % 2,
                free.pk: "Merci.",
            },
        )
    assert stored_tally() == raw_tally()
    assert_results_equal_raw(survey)


@pytest.mark.django_db
def test_figures_from_the_tally_equal_figures_from_the_answers(answered):
    assert stored_tally() == raw_tally()
    assert_results_equal_raw(answered)
    [published] = published_results(answered.prefecture)
    assert published.responses == 60


@pytest.mark.django_db
def test_deleted_responses_and_answers_leave_the_tally(answered):
    for response in Response.objects.filter(survey=answered).order_by("pk")[:7]:
        response_delete(response=response, by=None)
    answers_delete(answers=Answer.objects.filter(question__survey=answered, value__gte=4), by=None)
    multiple = answered.questions.get(kind=QuestionKind.MULTIPLE_CHOICE)
    answers_delete(answers=Answer.objects.filter(choice=multiple.choices.first()), by=None)
    assert stored_tally() == raw_tally()
    assert not AnswerTally.objects.filter(count__lte=0).exists()
    assert_results_equal_raw(answered)


@pytest.mark.django_db
def test_a_bulk_load_then_a_rebuild_gives_the_same_tally(answered):
    """Answers inserted by SQL, as the demo and the benchmarks do, are counted once the tally is rebuilt."""
    kept = stored_tally()
    response = Response.objects.create(survey=answered, submitted_on=D(2025, 7, 3))
    satisfaction = answered.questions.get(kind=QuestionKind.SATISFACTION)
    Answer.objects.bulk_create(
        Answer(response=response, question=satisfaction, value=value, submitted_on=D(2025, 7, 3))
        for value in (1, 5, 5)
    )
    assert stored_tally() == kept  # past the service: not counted yet
    tally_rebuild(answered)
    assert stored_tally() == raw_tally()
    assert_results_equal_raw(answered)
    call_command("tally_rebuild", stdout=open("/dev/null", "w"))  # noqa: SIM115 (every survey, same result)
    assert stored_tally() == raw_tally()


@pytest.mark.django_db
def test_published_satisfaction_reads_the_same_from_the_tally_and_the_answers(answered):
    """Whole months read the tally; a period of some days reads the answers; both agree with a plain count."""

    class Period:
        def __init__(self, start, end):
            self.start, self.end = start, end

    months = [Period(D(2025, 1, 1), D(2025, 3, 31)), Period(D(2025, 4, 1), D(2025, 4, 30))]
    days = [
        Period(D(2025, 1, 1), D(2025, 3, 31)),
        Period(D(2025, 4, 1), D(2025, 4, 29)),
        Period(D(2025, 4, 30), D(2025, 4, 30)),
    ]
    by_months = dict(published_satisfaction(answered.prefecture, months, by=F("question__survey_id")))
    by_days = dict(published_satisfaction(answered.prefecture, days, by=F("question__survey_id")))
    assert by_months.keys() == by_days.keys() == {answered.pk}
    quarter, april = by_months[answered.pk]
    assert quarter == by_days[answered.pk][0]
    assert april == by_days[answered.pk][1] + by_days[answered.pk][2]
    rated = Answer.objects.filter(question__kind=QuestionKind.SATISFACTION, submitted_on__month__lte=3)
    assert quarter.rated == rated.count()
    assert quarter.satisfied == rated.filter(value__gte=4).count()
    recommended = Answer.objects.filter(question__kind=QuestionKind.RECOMMENDATION, submitted_on__month=4)
    assert april.recommended == recommended.count()
    assert april.promoters == recommended.filter(value__gte=9).count()
    assert april.detractors == recommended.filter(value__lte=6).count()


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_neither_lose_nor_double_count(reunion):
    """Two transactions add to the same buckets at once: the row lock of the upsert makes them add up."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL (SQLite serialises writers)")
    survey = survey_of_every_kind(reunion)
    point = DistributionPointFactory(survey=survey)
    questions = list(questions_of(survey).values())
    satisfaction, recommendation, single, multiple, yes_no, _free = questions
    per_thread, barrier, errors = 25, threading.Barrier(2), []

    def submit(seed):
        try:
            barrier.wait()
            for n in range(per_thread):
                response_submit(
                    survey=survey,
                    questions=questions,
                    point=point if n % 2 else None,
                    answers={
                        satisfaction.pk: 1 + (n + seed) % 5,
                        recommendation.pk: 10 - (n % 3),
                        single.pk: single.choices.first().pk,
                        multiple.pk: [c.pk for c in multiple.choices.all()],
                        yes_no.pk: 1,
                    },
                )
        except Exception as error:  # noqa: BLE001 (reported below, in the test's thread)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(seed,)) for seed in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Response.objects.count() == 2 * per_thread
    assert stored_tally() == raw_tally()
    assert AnswerTally.objects.get(question=None, point=None).count == 2 * len(range(0, per_thread, 2))  # n even
    assert_results_equal_raw(survey)


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_tally_of_existing_answers(reunion):
    survey = survey_of_every_kind(reunion)
    fill(survey, [None, DistributionPointFactory(survey=survey)], responses=20)
    call_command("migrate", "surveys", "0003", verbosity=0)  # the tally as 0003 creates it: empty
    assert not AnswerTally.objects.exists()
    call_command("migrate", "surveys", verbosity=0)
    assert stored_tally() == raw_tally() != Counter()
