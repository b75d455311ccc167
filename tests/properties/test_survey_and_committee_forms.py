"""Random input at the survey answering form and the committee's login and forgotten-password forms:
never a 500, and every valid set of answers is one response, exactly once."""

import urllib.parse

import pytest
from django.conf import settings
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from qualipref.mail import OutgoingEmail
from surveys.enums import QuestionKind
from surveys.models import Answer, Response
from tests.committee.factories import CommitteeFactory, member_with_account
from tests.surveys.factories import QuestionFactory, SurveyFactory

from .strategies import ANY_TEXT, EMAIL, valid_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(reunion):
    survey = SurveyFactory(prefecture=reunion, slug="accueil")
    QuestionFactory(survey=survey, position=1, kind=QuestionKind.SATISFACTION, required=False)
    QuestionFactory(survey=survey, position=2, kind=QuestionKind.RECOMMENDATION, required=False)
    QuestionFactory(
        survey=survey, position=3, kind=QuestionKind.SINGLE_CHOICE, choices=["A", "B", "C"], required=False
    )
    QuestionFactory(
        survey=survey, position=4, kind=QuestionKind.MULTIPLE_CHOICE, choices=["D", "E", "F"], required=False
    )
    QuestionFactory(survey=survey, position=5, kind=QuestionKind.YES_NO, required=False)
    QuestionFactory(survey=survey, position=6, kind=QuestionKind.FREE_TEXT, required=False)
    return survey


def questions(survey):
    return list(survey.questions.order_by("position").prefetch_related("choices"))


@st.composite
def valid_answers(draw, survey):
    """For each question, maybe an answer among those offered; at least one question answered."""
    satisfaction, recommendation, single, multiple, yes_no, free = questions(survey)
    answers = {
        satisfaction: draw(st.none() | st.integers(1, 5)),
        recommendation: draw(st.none() | st.integers(0, 10)),
        single: draw(st.none() | st.sampled_from([c.pk for c in single.choices.all()])),
        multiple: draw(st.lists(st.sampled_from([c.pk for c in multiple.choices.all()]), unique=True)),
        yes_no: draw(st.none() | st.sampled_from([0, 1])),
        free: draw(st.none() | valid_text(2000)),
    }
    if all(value in (None, []) for value in answers.values()):
        answers[satisfaction] = draw(st.integers(1, 5))
    return answers


def post_data(answers):
    data = {}
    for question, value in answers.items():
        if value not in (None, []):
            data[f"q{question.pk}"] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return data


@given(data=st.data())
def test_every_valid_set_of_answers_is_one_response_exactly_once(client, survey, data):
    answers = data.draw(valid_answers(survey))
    client.cookies.clear()  # another visitor each time
    before = Response.objects.count()
    response = client.post(reverse("surveys:answer", args=[survey.prefecture.slug, survey.slug]), post_data(answers))
    assert response.status_code == 302
    assert Response.objects.count() == before + 1
    recorded = Response.objects.order_by("-pk").first()
    stored = {}
    for answer in Answer.objects.filter(response=recorded):
        stored.setdefault(answer.question_id, []).append(answer)
    for question, value in answers.items():
        got = stored.get(question.pk, [])
        if value in (None, []):
            assert got == []
        elif question.kind == QuestionKind.FREE_TEXT:
            assert [a.text for a in got] == [value.strip()]
        elif question.kind == QuestionKind.MULTIPLE_CHOICE:
            assert sorted(a.choice_id for a in got) == sorted(value)
        elif question.kind == QuestionKind.SINGLE_CHOICE:
            assert [a.choice_id for a in got] == [value]
        else:
            assert [a.value for a in got] == [value]


@given(data=st.data(), values=st.lists(ANY_TEXT, min_size=1, max_size=7), hp=st.sampled_from(["", "x"]))
def test_any_input_to_the_survey_form_is_answered_never_a_500(client, survey, data, values, hp):
    names = [f"q{q.pk}" for q in questions(survey)] + ["lieu", "unknown"]
    post = {data.draw(st.sampled_from(names)): value for value in values}
    post["hp_website"] = hp
    client.cookies.clear()
    before = Response.objects.count()
    response = client.post(reverse("surveys:answer", args=[survey.prefecture.slug, survey.slug]), post)
    if response.status_code == 413:  # the request size limits: a body past DATA_UPLOAD_MAX_MEMORY_SIZE
        assert sum(len(str(v).encode()) for v in post.values()) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    else:
        assert response.status_code in {200, 302}
    assert Response.objects.count() == before + (response.status_code == 302)


@given(username=ANY_TEXT, password=ANY_TEXT, url=st.sampled_from(["committee:login", "admin:login"]))
@example(username="a" * 300, password="x", url="committee:login")  # was a 500 on PostgreSQL (axes' column)
@example(username="a" * 300, password="x", url="admin:login")
@example(username="nadia\x00@example.org", password="\x00", url="admin:login")
def test_any_input_to_a_login_form_is_answered_never_a_500(client, reunion, username, password, url):
    response = client.post(reverse(url), {"username": username, "password": password})
    # 429: django-axes locks an address and name out after five failures (the same name comes back often); 413: a
    # body past DATA_UPLOAD_MAX_MEMORY_SIZE (the request size limits).
    assert response.status_code in {200, 400, 413, 429}
    assert "_auth_user_id" not in client.session


@given(code=ANY_TEXT)
@example(code="\x00")  # was a 500 on PostgreSQL: NUL bytes reached the query
def test_any_short_link_code_is_a_page_or_a_404_never_a_500(client, survey, code):
    client.cookies.clear()
    short = client.get("/e/" + urllib.parse.quote(code[:500].replace("/", ""), safe="") + "/")
    assert short.status_code in {302, 404}
    answer_page = reverse("surveys:answer", args=[survey.prefecture.slug, survey.slug])
    assert client.get(answer_page, {"lieu": code[:2000]}).status_code == 200


@given(email=st.one_of(ANY_TEXT, EMAIL))
def test_any_input_to_the_forgotten_password_form_is_answered_never_a_500(client, reunion, email):
    before = OutgoingEmail.objects.count()
    response = client.post(reverse("committee:password_forgotten"), {"email": email})
    assert response.status_code in {200, 400, 413}
    assert OutgoingEmail.objects.count() == before  # nobody has these addresses


@given(case=st.sampled_from([str.upper, str.lower, lambda email: f"  {email} "]))
def test_a_member_asking_for_a_new_password_link_gets_exactly_one(client, reunion, case, on_commit_immediately):
    member = member_with_account(CommitteeFactory(prefecture=reunion))
    before = OutgoingEmail.objects.filter(to=member.email).count()
    assert client.post(reverse("committee:password_forgotten"), {"email": case(member.email)}).status_code == 200
    assert OutgoingEmail.objects.filter(to=member.email).count() == before + 1
