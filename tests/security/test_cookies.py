"""Cookie flags: production settings make every cookie Secure, HttpOnly and SameSite, and every cookie the
portal actually sets (session, CSRF, messages, language, survey, counter tablet) carries them."""

import re

import pytest
from django.urls import reverse

from complaints.services import case_answer, case_submit
from complaints.tracking_links import tracking_token_issue
from surveys import kiosk
from surveys.services import point_kiosk_enable
from tests.committee.factories import CommitteeFactory, member_with_account
from tests.qualipref.factories import PASSWORD
from tests.qualipref.test_settings import print_settings, production_env
from tests.surveys.factories import DistributionPointFactory, QuestionFactory, SurveyFactory

COOKIE_SETTINGS = [
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "LANGUAGE_COOKIE_SECURE",
    "LANGUAGE_COOKIE_HTTPONLY",
    "LANGUAGE_COOKIE_SAMESITE",
    "MESSAGE_STORAGE",
]


def test_production_settings_flag_every_cookie():
    lines = print_settings(*COOKIE_SETTINGS, **production_env())
    assert dict(zip(COOKIE_SETTINGS, lines, strict=True)) == {
        "SESSION_COOKIE_SECURE": "True",
        "SESSION_COOKIE_HTTPONLY": "True",
        "SESSION_COOKIE_SAMESITE": "'Lax'",
        "CSRF_COOKIE_SECURE": "True",
        "CSRF_COOKIE_HTTPONLY": "True",
        "CSRF_COOKIE_SAMESITE": "'Lax'",
        "LANGUAGE_COOKIE_SECURE": "True",
        "LANGUAGE_COOKIE_HTTPONLY": "True",
        "LANGUAGE_COOKIE_SAMESITE": "'Lax'",
        # Messages fall back to a cookie, which takes the session cookie's flags.
        "MESSAGE_STORAGE": "'django.contrib.messages.storage.fallback.FallbackStorage'",
    }


@pytest.fixture
def production_cookies(settings):
    """The production values (see the test above), in this process: DEBUG decides them at import."""
    for name in ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "LANGUAGE_COOKIE_SECURE", "LANGUAGE_COOKIE_HTTPONLY"):
        setattr(settings, name, True)
    settings.LANGUAGE_COOKIE_SAMESITE = "Lax"


class CookieJar:
    """Every Set-Cookie header seen, as sent."""

    def __init__(self, client):
        self.client = client
        self.headers = {}

    def request(self, method, url, data=None, **kwargs):
        response = getattr(self.client, method)(url, data or {}, secure=True, **kwargs)
        for name, morsel in response.cookies.items():
            if morsel.value:  # a deletion carries no value to protect
                self.headers[name] = morsel.OutputString()
        return response


def assert_flags(header):
    assert re.search(r";\s*Secure\b", header), header
    assert re.search(r";\s*HttpOnly\b", header), header
    assert re.search(r";\s*SameSite=(Lax|Strict)\b", header), header


@pytest.mark.django_db
def test_every_cookie_the_citizen_gets_is_secure_httponly_and_samesite(client, reunion, production_cookies):
    jar = CookieJar(client)
    form = reverse("complaints:new", args=[reunion.slug])
    jar.request("get", form)
    data = {
        "kind": "complaint",
        "topic": "counter",
        "subject": "Attente",
        "description": "Trois heures.",
        "name": "Marie Hoarau",
        "email": "marie@example.org",
        "consent": "on",
    }
    assert jar.request("post", form, data).status_code == 302
    case, token = case_submit(prefecture=reunion, data=data)
    case_answer(case=case, by=None, text="Voici notre réponse.")
    token = tracking_token_issue(case=case)  # the answer's e-mail replaced the first link: the citizen's live one
    jar.request("post", reverse("complaints:tracking", args=[token]), {"rating-rating": "5", "rating-comment": ""})

    survey = SurveyFactory(prefecture=reunion, slug="accueil")
    question = QuestionFactory(survey=survey, kind="yes_no")
    url = reverse("surveys:answer", args=[reunion.slug, survey.slug])
    assert jar.request("post", url, {f"q{question.pk}": "1"}).status_code == 302
    point = point_kiosk_enable(point=DistributionPointFactory(survey=survey), by=None)
    jar.request("get", kiosk.path(point))
    jar.request("post", reverse("set_language"), {"language": "en", "next": "/"})

    assert {
        "csrftoken",
        "sessionid",
        "messages",
        f"qp_survey_{survey.pk}",
        "django_language",
        kiosk.DEVICE_COOKIE,
    } <= set(jar.headers)
    for header in jar.headers.values():
        assert_flags(header)


@pytest.mark.django_db
def test_login_cookies_are_secure_httponly_and_samesite(client, reunion, officer, production_cookies):
    member = member_with_account(CommitteeFactory(prefecture=reunion))
    for url, email in [(reverse("admin:login"), officer.email), (reverse("committee:login"), member.email)]:
        client.logout()
        jar = CookieJar(client)
        jar.request("get", url)
        response = jar.request("post", url, {"username": email, "password": PASSWORD})
        assert response.status_code == 302, url
        assert {"csrftoken", "sessionid"} <= set(jar.headers), url
        for header in jar.headers.values():
            assert_flags(header)
