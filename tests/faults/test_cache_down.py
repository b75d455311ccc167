"""The cache (Redis) unreachable: every public page and form still works. Rate limits fail open
(``RATELIMIT_FAIL_OPEN``): a citizen is never refused because the counter cannot be read."""

import pytest
from django.urls import reverse

from complaints.models import Case, Message
from complaints.services import case_submit
from surveys.models import Response
from tests.committee.factories import CommitteeFactory, member_with_account
from tests.qualipref.factories import PASSWORD
from tests.surveys.factories import QuestionFactory, SurveyFactory

from .test_redis_down import COMPLAINT

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_immediately", "cache_down")]


def test_complaint_form_works_without_the_cache(client, reunion):
    url = reverse("complaints:new", args=[reunion.slug])
    assert client.get(url).status_code == 200
    response = client.post(url, COMPLAINT)
    assert response.status_code == 302
    assert Case.objects.get().reference in client.get(response["Location"]).content.decode()
    # Errors are shown as usual, and a second complaint goes through: the limit fails open.
    assert client.post(url, {**COMPLAINT, "subject": ""}).status_code == 200
    assert client.post(url, COMPLAINT).status_code == 302
    assert Case.objects.count() == 2


def test_tracking_page_and_lost_link_work_without_the_cache(client, reunion):
    case, token = case_submit(prefecture=reunion, data=COMPLAINT)
    tracking = reverse("complaints:tracking", args=[token])
    assert client.post(tracking, {"reply-text": "Voici mon récépissé."}).status_code == 302
    assert Message.objects.get().body == "Voici mon récépissé."
    lost = reverse("complaints:lost_link", args=[reunion.slug])
    assert client.post(lost, {"reference": case.reference, "email": case.email}).status_code == 200


def test_survey_answers_are_recorded_without_the_cache(client, reunion):
    survey = SurveyFactory(prefecture=reunion, slug="accueil")
    question = QuestionFactory(survey=survey, kind="yes_no")
    url = reverse("surveys:answer", args=[reunion.slug, survey.slug])
    assert client.get(url).status_code == 200
    assert client.post(url, {f"q{question.pk}": "1"}).status_code == 302
    assert Response.objects.count() == 1


def test_committee_login_works_without_the_cache(client, reunion):
    member = member_with_account(CommitteeFactory(prefecture=reunion))
    url = reverse("committee:login")
    assert client.post(url, {"username": member.email, "password": PASSWORD}).status_code == 302
    assert client.post(reverse("committee:password_forgotten"), {"email": member.email}).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/la-reunion/",
        "/plan-du-site/",
        "/delais/",
        "/la-reunion/delais/",
        "/la-reunion/enquetes/",
        "/la-reunion/comite/",
    ],
)
def test_public_pages_work_without_the_cache(client, reunion, url):
    CommitteeFactory(prefecture=reunion)
    assert client.get(url).status_code == 200


def test_health_check_reports_the_cache_down(client, reunion):
    response = client.get(reverse("healthz"))
    assert response.status_code == 503 and response.json()["cache"] == "error"
