"""Results computed in SQL, checked against figures computed here by hand; publication; free text never public."""

import datetime
import random
import statistics

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext

from surveys.enums import QuestionKind
from surveys.results import published_results, survey_results
from tests.qualipref.factories import SiteFactory

from .factories import DistributionPointFactory, QuestionFactory, SurveyFactory, questions_of, respond

SECRET_COMMENT = "Le guichetier m'a parlé de ma voisine"


def nps(values):
    promoters = sum(1 for v in values if v >= 9)
    detractors = sum(1 for v in values if v <= 6)
    return 100 * (promoters - detractors) / len(values)


@pytest.fixture
def answered(survey):
    """120 random responses over two places, two months and no place; returns what was answered."""
    rng = random.Random(974)
    q = questions_of(survey)
    single = list(q[QuestionKind.SINGLE_CHOICE].choices.all())
    multiple = list(q[QuestionKind.MULTIPLE_CHOICE].choices.all())
    points = [
        DistributionPointFactory(survey=survey, name="Guichet A", site=SiteFactory(prefecture=survey.prefecture)),
        DistributionPointFactory(survey=survey, name="Guichet B", site=SiteFactory(prefecture=survey.prefecture)),
        None,
    ]
    months = [datetime.date(2026, 3, 14), datetime.date(2026, 4, 2)]
    drawn = []
    for n in range(120):
        row = {
            "point": points[n % 3],
            "on": months[n % 2],
            QuestionKind.SATISFACTION: rng.randint(1, 5),
            QuestionKind.RECOMMENDATION: rng.randint(0, 10),
            QuestionKind.SINGLE_CHOICE: rng.choice(single),
            QuestionKind.MULTIPLE_CHOICE: rng.sample(multiple, rng.randint(0, 3)),
            QuestionKind.YES_NO: rng.randint(0, 1),
        }
        if n % 10 == 0:
            row[QuestionKind.FREE_TEXT] = f"{SECRET_COMMENT} ({n})"
        answers = {q[kind]: value for kind, value in row.items() if kind in q and value != []}
        respond(survey, answers, point=row["point"], on=row["on"])
        drawn.append(row)
    return drawn


def result_of(results, kind):
    return next(r for r in results.questions if r.kind == kind)


def test_satisfaction_figures_match_a_computation_by_hand(survey, answered):
    values = [row[QuestionKind.SATISFACTION] for row in answered]
    result = result_of(survey_results(survey, officer=True), QuestionKind.SATISFACTION)
    assert result.answers == 120
    assert result.figures.mean == pytest.approx(statistics.mean(values))
    assert result.figures.satisfaction_rate == pytest.approx(100 * sum(v >= 4 for v in values) / 120)
    assert [(bar.label[0], bar.count) for bar in result.distribution] == [
        (str(v), values.count(v)) for v in (5, 4, 3, 2, 1)
    ]
    assert sum(bar.percent for bar in result.distribution) == pytest.approx(100, abs=0.3)


def test_nps_is_promoters_minus_detractors(survey, answered):
    values = [row[QuestionKind.RECOMMENDATION] for row in answered]
    result = result_of(survey_results(survey), QuestionKind.RECOMMENDATION)
    assert result.figures.nps == pytest.approx(nps(values))
    assert result.figures.mean == pytest.approx(statistics.mean(values))
    assert [bar.count for bar in result.distribution] == [values.count(v) for v in range(11)]


def test_nps_of_known_answers(reunion):
    survey = SurveyFactory(prefecture=reunion)
    question = QuestionFactory(survey=survey, kind=QuestionKind.RECOMMENDATION)
    for value in [10, 9, 9, 8, 7, 6, 0, 10, 3, 9]:  # 5 promoters, 3 detractors out of 10
        respond(survey, {question: value})
    assert survey_results(survey).questions[0].figures.nps == pytest.approx(20.0)


def test_yes_rate_and_single_choice_distribution(survey, answered):
    results = survey_results(survey)
    yes = [row[QuestionKind.YES_NO] for row in answered]
    assert result_of(results, QuestionKind.YES_NO).figures.yes_rate == pytest.approx(100 * sum(yes) / 120)
    single = result_of(results, QuestionKind.SINGLE_CHOICE)
    chosen = [row[QuestionKind.SINGLE_CHOICE].label for row in answered]
    assert {bar.label: bar.count for bar in single.distribution} == {
        label: chosen.count(label) for label in ("Titre de séjour", "Permis de conduire", "Autre")
    }


def test_multiple_choice_shares_are_of_the_people_who_answered(survey, answered):
    result = result_of(survey_results(survey), QuestionKind.MULTIPLE_CHOICE)
    people = [row[QuestionKind.MULTIPLE_CHOICE] for row in answered if row[QuestionKind.MULTIPLE_CHOICE]]
    assert result.answers == len(people)
    for bar in result.distribution:
        ticked = sum(1 for choices in people if any(c.label == bar.label for c in choices))
        assert bar.count == ticked
        assert bar.percent == pytest.approx(round(100 * ticked / len(people), 1))


def test_figures_by_place_and_by_month(survey, answered):
    result = result_of(survey_results(survey), QuestionKind.SATISFACTION)
    by_place = dict(result.by_point)
    for name in ("Guichet A", "Guichet B"):
        values = [row[QuestionKind.SATISFACTION] for row in answered if row["point"] and row["point"].name == name]
        figures = next(f for label, f in by_place.items() if label.startswith(name))
        assert figures.answers == len(values) == 40
        assert figures.mean == pytest.approx(statistics.mean(values))
        assert figures.satisfaction_rate == pytest.approx(100 * sum(v >= 4 for v in values) / len(values))
    assert by_place[gettext("Direct link")].answers == 40
    months = dict(result.by_month)
    assert list(months) == [datetime.date(2026, 3, 1), datetime.date(2026, 4, 1)]
    march = [row[QuestionKind.SATISFACTION] for row in answered if row["on"].month == 3]
    assert months[datetime.date(2026, 3, 1)].mean == pytest.approx(statistics.mean(march))
    recommendation = result_of(survey_results(survey), QuestionKind.RECOMMENDATION)
    april = [row[QuestionKind.RECOMMENDATION] for row in answered if row["on"].month == 4]
    assert dict(recommendation.by_month)[datetime.date(2026, 4, 1)].nps == pytest.approx(nps(april))


def test_officers_read_the_free_text(survey, answered):
    result = result_of(survey_results(survey, officer=True), QuestionKind.FREE_TEXT)
    assert len(result.texts) == 12
    assert all(SECRET_COMMENT in text for _day, text in result.texts)


def test_results_take_the_same_number_of_queries_whatever_the_number_of_answers(survey):
    q = questions_of(survey)
    respond(survey, {q[QuestionKind.SATISFACTION]: 4})
    with CaptureQueriesContext(connection) as few:
        survey_results(survey, officer=True)
    for n in range(30):
        respond(survey, {q[QuestionKind.SATISFACTION]: 1 + n % 5, q[QuestionKind.FREE_TEXT]: "ok"})
    with CaptureQueriesContext(connection) as many:
        survey_results(survey, officer=True)
    assert len(many) == len(few) <= 12


# --- publication ---------------------------------------------------------------------------------


def test_nothing_is_published_until_the_officer_chooses(survey, answered):
    assert published_results(survey.prefecture) == []


def test_published_results_hold_only_public_questions_and_never_free_text(survey, answered):
    q = questions_of(survey)
    q[QuestionKind.YES_NO].is_public = False
    q[QuestionKind.YES_NO].save()
    survey.results_public = True
    survey.save()
    [published] = published_results(survey.prefecture)
    assert published.survey == survey and published.responses == 120
    kinds = [result.kind for result in published.questions]
    assert kinds == [
        QuestionKind.SATISFACTION,
        QuestionKind.RECOMMENDATION,
        QuestionKind.SINGLE_CHOICE,
        QuestionKind.MULTIPLE_CHOICE,
    ]
    assert all(not result.texts for result in published.questions)
    satisfaction = [row[QuestionKind.SATISFACTION] for row in answered]
    assert published.questions[0].figures.satisfaction_rate == pytest.approx(
        100 * sum(v >= 4 for v in satisfaction) / 120
    )


def test_a_free_text_question_can_never_be_made_public(survey):
    question = questions_of(survey)[QuestionKind.FREE_TEXT]
    question.is_public = True
    question.full_clean()
    assert question.is_public is False


def test_the_public_results_page_shows_published_figures_and_no_comment(client, survey, answered):
    survey.results_public = True
    survey.save()
    html = client.get("/la-reunion/enquetes/resultats/").content.decode()
    assert "Êtes-vous satisfait de l&#x27;accueil ?" in html or "Êtes-vous satisfait de l'accueil ?" in html
    assert "Titre de séjour" in html
    assert SECRET_COMMENT.split("'")[0] not in html
    assert "Une remarque ?" not in html


def test_the_public_results_page_hides_unpublished_surveys(client, survey, answered):
    html = client.get("/en/la-reunion/enquetes/resultats/").content.decode()
    assert "No survey result has been published yet." in html
    assert "Êtes-vous satisfait" not in html


def test_a_draft_survey_is_never_published(reunion):
    survey = SurveyFactory(prefecture=reunion, draft=True, results_public=True)
    QuestionFactory(survey=survey)
    assert published_results(reunion) == []


def test_published_results_stay_within_their_prefecture(client, survey, answered, other):
    survey.results_public = True
    survey.save()
    foreign = SurveyFactory(prefecture=other, published=True, title="Enquête du Val-de-Marne")
    question = QuestionFactory(survey=foreign, kind=QuestionKind.SATISFACTION)
    respond(foreign, {question: 1})
    assert [p.survey for p in published_results(survey.prefecture)] == [survey]
    assert [p.survey for p in published_results(other)] == [foreign]
    html = client.get("/la-reunion/enquetes/resultats/").content.decode()
    assert "Enquête du Val-de-Marne" not in html


def test_published_results_take_a_fixed_number_of_queries(survey, answered, reunion, django_assert_max_num_queries):
    survey.results_public = True
    survey.save()
    for n in range(3):
        extra = SurveyFactory(prefecture=reunion, published=True)
        respond(extra, {QuestionFactory(survey=extra): 1 + n})
    with django_assert_max_num_queries(10):
        published = published_results(reunion)
    assert len(published) == 4


def test_the_public_results_page_is_cached_and_an_officer_change_clears_it(
    client, survey, answered, django_assert_num_queries, on_commit_immediately
):
    """Visitors share one cached page; new answers wait for it to expire, an officer's change clears it at once."""
    from surveys.services import survey_publish_results

    url = "/la-reunion/enquetes/resultats/"
    survey_publish_results(survey=survey, by=None, public=True)
    assert "120 réponses" in client.get(url).content.decode()
    respond(survey, {questions_of(survey)[QuestionKind.YES_NO]: 1})
    with django_assert_num_queries(0):
        html = client.get(url).content.decode()
    assert "120 réponses" in html  # the cached page, until SURVEYS_RESULTS_CACHE_SECONDS pass

    question = questions_of(survey)[QuestionKind.SATISFACTION]
    question.is_public = False
    question.save()  # as the admin's inline does
    html = client.get(url).content.decode()
    assert "121 réponses" in html and "Êtes-vous satisfait" not in html

    survey_publish_results(survey=survey, by=None, public=False)
    assert gettext("No survey result has been published yet.") in client.get(url).content.decode()


def test_an_officer_always_sees_the_results_page_fresh(client, survey, answered, on_commit_immediately):
    from surveys.services import survey_publish_results
    from tests.qualipref.factories import officer_of

    survey_publish_results(survey=survey, by=None, public=True)
    client.get("/la-reunion/enquetes/resultats/")
    respond(survey, {questions_of(survey)[QuestionKind.YES_NO]: 1})
    client.force_login(officer_of(survey.prefecture))
    assert "121 réponses" in client.get("/la-reunion/enquetes/resultats/").content.decode()


def test_a_survey_moved_to_another_prefecture_leaves_the_first_ones_page(
    client, survey, answered, other, on_commit_immediately
):
    from surveys.services import survey_publish_results

    survey_publish_results(survey=survey, by=None, public=True)
    assert "120 réponses" in client.get("/la-reunion/enquetes/resultats/").content.decode()
    survey.prefecture = other
    survey.save()
    html = client.get("/la-reunion/enquetes/resultats/").content.decode()
    assert "120 réponses" not in html and gettext("No survey result has been published yet.") in html


def test_a_prefecture_renamed_shows_on_its_page_and_its_old_address_keeps_no_page(
    client, survey, answered, on_commit_immediately
):
    from surveys.services import survey_publish_results

    survey_publish_results(survey=survey, by=None, public=True)
    assert "120 réponses" in client.get("/la-reunion/enquetes/resultats/").content.decode()
    prefecture = survey.prefecture
    prefecture.name, prefecture.slug = "La Réunion (974)", "reunion"
    prefecture.save()
    assert client.get("/la-reunion/enquetes/resultats/").status_code == 404
    assert "La Réunion (974)" in client.get("/reunion/enquetes/resultats/").content.decode()


def test_the_nightly_next_audit_date_leaves_the_results_page_cached_with_no_query(
    client, survey, answered, on_commit_immediately, django_assert_num_queries
):
    from qualipref.models import Prefecture
    from surveys.services import survey_publish_results

    survey_publish_results(survey=survey, by=None, public=True)
    assert "120 réponses" in client.get("/la-reunion/enquetes/resultats/").content.decode()  # cached
    respond(survey, {questions_of(survey)[QuestionKind.YES_NO]: 1})
    prefecture = Prefecture.objects.get(pk=survey.prefecture_id)
    prefecture.next_audit_on = datetime.date(2027, 3, 1)
    with django_assert_num_queries(2):  # the update and its history row: no address looked up, nothing cleared
        prefecture.save(update_fields=["next_audit_on"])
    assert "120 réponses" in client.get("/la-reunion/enquetes/resultats/").content.decode()


def test_saving_a_survey_with_many_rows_clears_its_page_once(
    client, survey, answered, django_capture_on_commit_callbacks
):
    """The signals only note what changed; after the commit one query finds the prefectures to clear."""
    from django.db import transaction

    from surveys.models import Choice
    from surveys.services import survey_publish_results

    with django_capture_on_commit_callbacks(execute=True):
        survey_publish_results(survey=survey, by=None, public=True)
    assert "120 réponses" in client.get("/la-reunion/enquetes/resultats/").content.decode()
    question = questions_of(survey)[QuestionKind.SINGLE_CHOICE]
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for position, choice in enumerate(question.choices.all(), start=10):
            choice.position = position
            choice.save()
        Choice.objects.create(question=question, label="Carte grise", position=20)
        question.save()
    assert len(callbacks) == 1  # asked by every row, registered once
    with CaptureQueriesContext(connection) as queries:
        for callback in callbacks:
            callback()
    assert len(queries) == 1
    respond(survey, {questions_of(survey)[QuestionKind.YES_NO]: 1})
    assert "121 réponses" in client.get("/la-reunion/enquetes/resultats/").content.decode()
