"""The citizen's side: the answering page, validation of every kind, one response per browser, limits."""

import datetime
import re

import pytest
from django.http import HttpRequest
from django.urls import reverse

from surveys.enums import QuestionKind
from surveys.models import Answer, Response
from surveys.views import COOKIE_MAX_AGE, COOKIE_SALT, cookie_name

from .factories import DistributionPointFactory, QuestionFactory, SurveyFactory, days_ago, questions_of

URL = "/la-reunion/enquetes/accueil/"


def valid_answers(survey, **overrides):
    """POST data answering every question of the ``survey`` fixture; ``overrides`` by kind (None drops it)."""
    q = questions_of(survey)
    single = q[QuestionKind.SINGLE_CHOICE].choices.all()
    multiple = q[QuestionKind.MULTIPLE_CHOICE].choices.all()
    data = {
        QuestionKind.SATISFACTION: "4",
        QuestionKind.RECOMMENDATION: "9",
        QuestionKind.SINGLE_CHOICE: str(single[1].pk),
        QuestionKind.MULTIPLE_CHOICE: [str(multiple[0].pk), str(multiple[1].pk)],
        QuestionKind.YES_NO: "1",
        QuestionKind.FREE_TEXT: "Merci pour votre accueil.",
    }
    data.update(overrides)
    return {f"q{q[kind].pk}": value for kind, value in data.items() if value is not None}


def checked_values(html, name):
    inputs = re.findall(r"<input[^>]*>", html)
    return {
        re.search(r'value="([^"]*)"', tag).group(1) for tag in inputs if f'name="{name}"' in tag and " checked" in tag
    }


def field_errors(response, survey, kind):
    question = questions_of(survey)[kind]
    return response.context["form"].errors.get(f"q{question.pk}", [])


def test_answering_page_is_one_accessible_form_with_a_fieldset_per_choice_question(client, survey):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr"' in html and 'name="viewport"' in html
    assert "Votre avis sur l&#x27;accueil" in html or "Votre avis sur l'accueil" in html
    # Scales and choices are radio or checkbox groups in a fieldset with a legend; free text has a real label.
    assert html.count('class="fr-fieldset') >= 5
    assert html.count("<legend") >= 5
    free_text = questions_of(survey)[QuestionKind.FREE_TEXT]
    assert f'for="id_q{free_text.pk}"' in html
    assert 'type="radio"' in html and 'type="checkbox"' in html
    # 0 to 10: eleven radio buttons side by side.
    recommendation = questions_of(survey)[QuestionKind.RECOMMENDATION]
    assert html.count(f'name="q{recommendation.pk}"') == 11


def test_english_version_of_the_answering_page(client, survey):
    html = client.get("/en" + URL).content.decode()
    assert '<html lang="en"' in html
    assert "Send my answers" in html
    assert "Your answers are anonymous" in html


def test_valid_answers_are_recorded_anonymously_and_thank_the_citizen(client, survey):
    response = client.post(URL, valid_answers(survey), REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302
    assert response["Location"] == "/la-reunion/enquetes/accueil/merci/"
    recorded = Response.objects.get()
    assert recorded.survey == survey and recorded.point is None
    assert recorded.submitted_on == survey.prefecture.today()
    # Nothing identifies the person: the response has no other column.
    assert {f.name for f in Response._meta.concrete_fields} == {"id", "survey", "point", "submitted_on"}
    q = questions_of(survey)
    answers = {(a.question_id, a.value, a.choice_id, a.text) for a in Answer.objects.all()}
    single = q[QuestionKind.SINGLE_CHOICE].choices.all()[1]
    multiple = list(q[QuestionKind.MULTIPLE_CHOICE].choices.all())
    assert answers == {
        (q[QuestionKind.SATISFACTION].pk, 4, None, ""),
        (q[QuestionKind.RECOMMENDATION].pk, 9, None, ""),
        (q[QuestionKind.SINGLE_CHOICE].pk, None, single.pk, ""),
        (q[QuestionKind.MULTIPLE_CHOICE].pk, None, multiple[0].pk, ""),
        (q[QuestionKind.MULTIPLE_CHOICE].pk, None, multiple[1].pk, ""),
        (q[QuestionKind.YES_NO].pk, 1, None, ""),
        (q[QuestionKind.FREE_TEXT].pk, None, None, "Merci pour votre accueil."),
    }
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200


def test_the_answering_path_takes_at_most_six_queries(client, survey, point, django_assert_max_num_queries):
    data = {**valid_answers(survey), "lieu": point.code}
    with django_assert_max_num_queries(6):  # five, and the tally's upsert
        response = client.post(URL, data)
    assert response.status_code == 302
    assert Response.objects.get().point == point


def test_a_second_response_from_the_same_browser_is_refused(client, survey):
    assert client.post(URL, valid_answers(survey)).status_code == 302
    again = client.post(URL, valid_answers(survey))
    assert again.status_code == 409
    assert Response.objects.count() == 1
    page = client.get("/en" + URL)
    assert "You have already answered this survey" in page.content.decode()
    assert "Send my answers" not in page.content.decode()


def test_another_browser_may_answer(client, survey):
    client.post(URL, valid_answers(survey))
    client.cookies.clear()
    assert client.post(URL, valid_answers(survey)).status_code == 302
    assert Response.objects.count() == 2


def test_the_cookie_is_signed_httponly_lax_and_lasts_until_the_survey_closes(client, survey):
    survey.closes_on = survey.prefecture.today() + datetime.timedelta(days=10)
    survey.save()
    response = client.post(URL, valid_answers(survey))
    cookie = response.cookies[cookie_name(survey)]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/"
    assert 9 * 86400 < int(cookie["max-age"]) <= 11 * 86400
    request = HttpRequest()
    request.COOKIES[cookie_name(survey)] = cookie.value
    assert request.get_signed_cookie(cookie_name(survey), salt=COOKIE_SALT) == str(survey.pk)
    assert cookie.value != str(survey.pk)  # signed, not plain


def test_the_cookie_lasts_13_months_at_most(client, survey):
    survey.closes_on = survey.prefecture.today() + datetime.timedelta(days=800)
    survey.save()
    cookie = client.post(URL, valid_answers(survey)).cookies[cookie_name(survey)]
    assert int(cookie["max-age"]) <= COOKIE_MAX_AGE.total_seconds()


def test_a_forged_cookie_does_not_block_answering(client, survey):
    client.cookies[cookie_name(survey)] = str(survey.pk)  # unsigned
    assert client.post(URL, valid_answers(survey)).status_code == 302


def test_the_cookie_of_one_survey_does_not_block_another(client, survey):
    client.post(URL, valid_answers(survey))
    second = SurveyFactory(prefecture=survey.prefecture, slug="telephone")
    question = QuestionFactory(survey=second, kind=QuestionKind.YES_NO)
    response = client.post("/la-reunion/enquetes/telephone/", {f"q{question.pk}": "0"})
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("kind", "bad_value"),
    [
        (QuestionKind.SATISFACTION, "6"),
        (QuestionKind.SATISFACTION, "0"),
        (QuestionKind.SATISFACTION, "très"),
        (QuestionKind.RECOMMENDATION, "11"),
        (QuestionKind.RECOMMENDATION, "-1"),
        (QuestionKind.YES_NO, "2"),
        (QuestionKind.SINGLE_CHOICE, "999999"),
        (QuestionKind.MULTIPLE_CHOICE, ["999999"]),
        (QuestionKind.FREE_TEXT, "x" * 2001),
    ],
)
def test_every_kind_refuses_an_invalid_answer_and_keeps_the_others(client, survey, kind, bad_value):
    response = client.post(URL, valid_answers(survey, **{kind: bad_value}))
    assert response.status_code == 200
    assert field_errors(response, survey, kind)
    assert not Response.objects.exists()
    # What was typed elsewhere is kept.
    html = response.content.decode()
    if kind != QuestionKind.FREE_TEXT:
        assert "Merci pour votre accueil." in html
    satisfaction = questions_of(survey)[QuestionKind.SATISFACTION]
    if kind != QuestionKind.SATISFACTION:
        assert checked_values(html, f"q{satisfaction.pk}") == {"4"}


def test_a_choice_of_another_question_is_refused(client, survey):
    q = questions_of(survey)
    foreign_choice = q[QuestionKind.MULTIPLE_CHOICE].choices.first()
    response = client.post(URL, valid_answers(survey, **{QuestionKind.SINGLE_CHOICE: str(foreign_choice.pk)}))
    assert field_errors(response, survey, QuestionKind.SINGLE_CHOICE)
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    "kind",
    [
        QuestionKind.SATISFACTION,
        QuestionKind.RECOMMENDATION,
        QuestionKind.SINGLE_CHOICE,
        QuestionKind.YES_NO,
    ],
)
def test_a_required_question_left_blank_gets_a_clear_error(client, survey, kind):
    response = client.get("/en" + URL)  # the error messages below are checked in English
    response = client.post("/en" + URL, valid_answers(survey, **{kind: None}))
    assert response.status_code == 200
    assert field_errors(response, survey, kind) == ["Choose an answer to this question."]
    assert "What you chose has been kept" in response.content.decode()
    assert not Response.objects.exists()


def test_required_multiple_choice_and_free_text_questions(client, survey):
    q = questions_of(survey)
    q[QuestionKind.MULTIPLE_CHOICE].required = True
    q[QuestionKind.MULTIPLE_CHOICE].save()
    q[QuestionKind.FREE_TEXT].required = True
    q[QuestionKind.FREE_TEXT].save()
    response = client.post(
        "/en" + URL,
        valid_answers(survey, **{QuestionKind.MULTIPLE_CHOICE: None, QuestionKind.FREE_TEXT: "   "}),
    )
    assert field_errors(response, survey, QuestionKind.MULTIPLE_CHOICE) == ["Tick at least one answer."]
    assert field_errors(response, survey, QuestionKind.FREE_TEXT) == ["Write an answer to this question."]


def test_optional_questions_may_be_left_blank(client, survey):
    data = valid_answers(survey, **{QuestionKind.MULTIPLE_CHOICE: None, QuestionKind.FREE_TEXT: None})
    assert client.post(URL, data).status_code == 302
    optional = [questions_of(survey)[k].pk for k in (QuestionKind.MULTIPLE_CHOICE, QuestionKind.FREE_TEXT)]
    assert not Answer.objects.filter(question_id__in=optional).exists()


def test_an_empty_response_is_refused_when_every_question_is_optional(client, reunion):
    survey = SurveyFactory(prefecture=reunion, slug="accueil")
    QuestionFactory(survey=survey, required=False)
    response = client.post("/en" + URL, {})
    assert response.context["form"].non_field_errors() == ["Answer at least one question before sending."]
    assert not Response.objects.exists()


def test_a_closed_survey_says_so_and_refuses_answers(client, survey):
    survey.status = "closed"
    survey.save()
    page = client.get("/en" + URL)
    assert page.status_code == 200
    assert "This survey is closed" in page.content.decode()
    assert "Send my answers" not in page.content.decode()
    assert client.post(URL, valid_answers(survey)).status_code == 409
    assert not Response.objects.exists()


def test_a_survey_past_its_closing_date_is_closed_even_if_still_marked_open(client, survey):
    survey.opens_on, survey.closes_on = days_ago(30), days_ago(1)
    survey.save()
    assert "This survey is closed" in client.get("/en" + URL).content.decode()
    assert client.post(URL, valid_answers(survey)).status_code == 409


def test_a_future_survey_says_when_it_opens(client, survey):
    survey.opens_on = survey.prefecture.today() + datetime.timedelta(days=5)
    survey.save()
    html = client.get("/en" + URL).content.decode()
    assert "This survey is not open yet" in html
    assert client.post(URL, valid_answers(survey)).status_code == 409
    assert not Response.objects.exists()


def test_a_closed_survey_points_to_the_surveys_open_now(client, survey):
    survey.status = "closed"
    survey.save()
    SurveyFactory(prefecture=survey.prefecture, slug="accueil-2027", title="Accueil 2027")
    assert "Accueil 2027" in client.get(URL).content.decode()


def test_a_draft_survey_is_not_found(client, survey):
    survey.status = "draft"
    survey.save()
    assert client.get(URL).status_code == 404
    assert client.post(URL, valid_answers(survey)).status_code == 404


def test_a_survey_is_found_only_under_its_own_prefecture(client, survey, other):
    assert client.get(f"/{other.slug}/enquetes/accueil/").status_code == 404


def test_the_short_link_leads_to_the_survey_and_marks_answers_with_the_place(client, survey, point):
    response = client.get(f"/e/{point.code}/")
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?lieu={point.code}"
    page = client.get(response["Location"])
    assert f'name="lieu" value="{point.code}"' in page.content.decode()
    client.post(URL, {**valid_answers(survey), "lieu": point.code})
    assert Response.objects.get().point == point
    assert set(Answer.objects.values_list("point", flat=True)) == {point.pk}


def test_a_code_typed_in_capitals_still_works(client, survey, point):
    assert client.get(f"/e/{point.code.upper()}/").status_code == 302


def test_an_unknown_or_foreign_place_code_is_ignored(client, survey):
    elsewhere = DistributionPointFactory(survey=SurveyFactory(prefecture=survey.prefecture, slug="autre"))
    client.post(URL, {**valid_answers(survey), "lieu": elsewhere.code})
    assert Response.objects.get().point is None
    assert client.get("/e/zzzzzz/").status_code == 404


def test_answers_are_rate_limited_per_address(client, survey, settings):
    settings.SURVEYS_SUBMIT_RATE = "2/h"
    for _ in range(2):
        client.cookies.clear()
        assert client.post(URL, valid_answers(survey), REMOTE_ADDR="198.51.100.7").status_code == 302
    client.cookies.clear()
    answers = valid_answers(survey, free_text="Un accueil chaleureux, merci.")
    limited = client.post(URL, answers, REMOTE_ADDR="198.51.100.7")
    assert limited.status_code == 429
    assert "Retry-After" in limited
    assert Response.objects.count() == 2
    # The answers come back in the form, under a message saying when they can be sent.
    html = limited.content.decode()
    assert "Un accueil chaleureux, merci.</textarea>" in html
    for name, value in answers.items():
        if isinstance(value, list) or name != f"q{questions_of(survey)[QuestionKind.FREE_TEXT].pk}":
            assert checked_values(html, name) == set(value if isinstance(value, list) else [value])
    assert "Votre demande n’a pas encore été envoyée" in html
    client.cookies.clear()
    assert client.post(URL, valid_answers(survey), REMOTE_ADDR="198.51.100.8").status_code == 302


def test_answers_with_errors_do_not_count_towards_the_limit(client, survey, settings):
    settings.SURVEYS_SUBMIT_RATE = "1/h"
    for _ in range(3):
        assert client.post(URL, valid_answers(survey, satisfaction=None)).status_code == 200
    assert client.post(URL, valid_answers(survey)).status_code == 302


def test_the_honeypot_refuses_robots(client, survey):
    response = client.post(URL, {**valid_answers(survey), "hp_website": "http://spam.example"})
    assert response.status_code == 200
    assert not Response.objects.exists()


def test_the_list_shows_only_the_surveys_open_today(client, survey, reunion):
    SurveyFactory(prefecture=reunion, title="Brouillon secret", draft=True)
    SurveyFactory(prefecture=reunion, title="Enquête terminée", closed=True)
    SurveyFactory(prefecture=reunion, title="Enquête future", opens_on=reunion.today() + datetime.timedelta(days=3))
    html = client.get(reverse("surveys:list", kwargs={"slug": "la-reunion"})).content.decode()
    assert survey.title.replace("'", "&#x27;") in html
    assert "Brouillon secret" not in html and "Enquête terminée" not in html and "Enquête future" not in html


def test_the_prefecture_home_links_to_its_surveys(client, reunion):
    assert "/la-reunion/enquetes/" in client.get("/la-reunion/").content.decode()


def test_a_question_changed_after_the_page_was_cached_is_asked_as_it_is_now(client, survey):
    client.get(URL)  # the questions are now cached
    question = questions_of(survey)[QuestionKind.SINGLE_CHOICE]
    Choice = question.choices.model
    Choice.objects.create(question=question, position=9, label="Naturalisation")
    question.text = "Quelle démarche avez-vous faite ?"
    question.save()
    html = client.get(URL).content.decode()
    assert "Naturalisation" in html and "Quelle démarche avez-vous faite ?" in html
    new_choice = question.choices.get(label="Naturalisation")
    client.post(URL, valid_answers(survey, **{QuestionKind.SINGLE_CHOICE: str(new_choice.pk)}))
    assert Answer.objects.filter(choice=new_choice).exists()


def test_with_the_questions_cached_a_submission_takes_four_queries(client, survey, point, django_assert_num_queries):
    client.get(URL)
    data = {**valid_answers(survey), "lieu": point.code}
    with django_assert_num_queries(4):  # the survey and its point, two INSERTs and the tally's upsert
        assert client.post(URL, data).status_code == 302
