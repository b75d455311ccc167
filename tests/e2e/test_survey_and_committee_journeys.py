"""A survey answered on a phone from the counter's QR code, and a committee member's login."""

import pytest
from playwright.sync_api import expect

from surveys.models import Answer, Response

from . import data
from .browser import field, question, tick
from .conftest import PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture
def reunion(transactional_db):
    return data.reunion()


def test_citizen_answers_a_survey_on_a_phone(phone, reunion):
    survey = data.survey(reunion)
    point = survey.points.get()
    phone.goto(f"/e/{point.code}/")  # the short link the QR code at the counter holds

    assert phone.get_by_role("heading", level=1).inner_text() == "Votre avis sur l'accueil"
    # Nothing wider than the phone: no sideways scrolling to reach an answer.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    # Sent too soon: each required question says what it needs, and nothing is recorded.
    phone.get_by_role("button", name="Envoyer mes réponses").tap()
    expect(phone.locator("#form-errors")).to_be_visible()
    assert phone.locator(".fr-message--error").count() == 4
    assert Response.objects.count() == 0
    tick(phone, "5 – Très satisfait", tap=True)
    tick(question(phone, "2. Nous recommanderiez-vous ?"), "9", exact=True, tap=True)
    tick(phone, "Permis de conduire", tap=True)
    tick(phone, "Site internet", tap=True)
    tick(question(phone, "5. Votre démarche a-t-elle abouti ?"), "Oui", exact=True, tap=True)
    field(phone, "6. Une remarque ?").fill("Accueil rapide, merci.")
    phone.get_by_role("button", name="Envoyer mes réponses").tap()

    phone.wait_for_url("**/merci/")
    assert phone.get_by_role("heading", level=1).inner_text() == "Merci pour vos réponses"
    response = Response.objects.get()
    assert response.survey == survey and response.point == point
    by_question = {a.question.position: a for a in Answer.objects.select_related("question", "choice")}
    assert by_question[1].value == 5 and by_question[2].value == 9 and by_question[5].value == 1
    assert by_question[3].choice.label == "Permis de conduire"
    assert by_question[4].choice.label == "Site internet"
    assert by_question[6].text == "Accueil rapide, merci."

    # Back on the survey, the same phone is told it has already answered: no second response.
    phone.goto(f"/e/{point.code}/")
    assert phone.get_by_role("button", name="Envoyer mes réponses").count() == 0
    assert Response.objects.count() == 1


def test_committee_member_logs_into_the_members_space(web, reunion):
    member = data.committee_member(reunion)
    web.goto("/comite/")
    assert "/comite/connexion/" in web.url  # the space asks who you are first

    field(web, "Adresse électronique").fill(member.email)
    web.locator("input[name=password]").fill("not the password")
    web.get_by_role("button", name="Se connecter").click()
    expect(web.get_by_role("alert")).to_be_visible()
    assert "/comite/connexion/" in web.url

    field(web, "Adresse électronique").fill(member.email)
    web.locator("input[name=password]").fill(PASSWORD)
    web.get_by_role("button", name="Se connecter").click()
    web.wait_for_url("**/comite/")
    assert web.get_by_role("heading", level=1).inner_text() == "Espace des membres"
    assert "Réunion plénière de printemps" in web.content()
    web.get_by_role("link", name="Réunion plénière de printemps").click()
    expect(web.get_by_role("heading", level=1)).to_contain_text("Réunion plénière de printemps")
