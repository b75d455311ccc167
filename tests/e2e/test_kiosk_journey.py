"""A counter tablet: the officer gives a point its kiosk link, then citizens answer in turn on the tablet."""

import re

import pytest
from playwright.sync_api import expect

from surveys import kiosk
from surveys.models import Response

from . import data
from .browser import admin_login, field, question, tick
from .conftest import PASSWORD
from .test_accessibility import Audit

pytestmark = pytest.mark.e2e

TABLET = {"viewport": {"width": 820, "height": 1180}, "is_mobile": True, "has_touch": True}
SEND = "Envoyer mes réponses"


@pytest.fixture
def reunion(transactional_db):
    return data.reunion()


def kiosk_link_from_the_admin(page, point_name):
    """The officer selects the point, runs the action, opens the point and reads its kiosk link."""
    page.goto("/admin/surveys/distributionpoint/")
    row = page.locator("#result_list tbody tr", has=page.get_by_role("link", name=point_name, exact=True))
    row.locator("input[name=_selected_action]").check()
    page.locator("select[name=action]").select_option("kiosk_enable")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_text("1 point a un nouveau lien de tablette d’accueil")).to_be_visible()
    page.get_by_role("link", name=point_name, exact=True).first.click()
    return page.locator("a[href*='/borne/']").first.get_attribute("href")


def answer_every_question(tablet):
    """Tap the first answer of every group of choices: what a hurried citizen does."""
    for group in tablet.locator(".qp-question fieldset").all():
        group.locator("label").first.tap()


def test_citizens_answer_in_turn_on_a_counter_tablet(new_tab, reunion, live_server):
    survey = data.survey(reunion)
    point = survey.points.get()
    officer = data.officer(reunion)
    admin = new_tab()
    admin_login(admin, officer.email, PASSWORD)
    link = kiosk_link_from_the_admin(admin, point.name)
    point.refresh_from_db()
    assert link == live_server.url + kiosk.path(point)

    tablet = new_tab(**TABLET)
    errors = []
    tablet.on("pageerror", lambda error: errors.append(f"{tablet.url}: {error}"))
    tablet.on("console", lambda message: message.type == "error" and errors.append(f"{tablet.url}: {message.text}"))
    tablet.clock.install()
    tablet.goto(link)
    expect(tablet.get_by_role("heading", level=1)).to_have_text("Votre avis sur l'accueil")
    # Nothing leads out of the survey, and the answers are big enough for a finger.
    hrefs = tablet.locator("a[href]").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert set(hrefs) == {"#content", kiosk.path(point), re.sub(r"^/", "/en/", kiosk.path(point))}  # language
    heights = tablet.locator(".qp-kiosk .fr-radio-group label").evaluate_all(
        "labels => labels.map(label => label.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 48, heights
    audit = Audit(tablet)
    audit("counter tablet: the survey")

    # The first citizen answers and is thanked; ten seconds later the survey starts again, blank.
    tick(tablet, "5 – Très satisfait", tap=True)
    tick(question(tablet, "2. Nous recommanderiez-vous ?"), "9", exact=True, tap=True)
    tick(tablet, "Permis de conduire", tap=True)
    tick(tablet, "Site internet", tap=True)
    tick(question(tablet, "5. Votre démarche a-t-elle abouti ?"), "Oui", exact=True, tap=True)
    field(tablet, "6. Une remarque ?").fill("Très bon accueil au guichet 3.")
    tablet.get_by_role("button", name=SEND).tap()
    tablet.wait_for_url("**/merci/")
    expect(tablet.get_by_role("heading", level=1)).to_have_text("Merci pour vos réponses")
    audit("counter tablet: thanks")
    tablet.clock.run_for(kiosk.THANKS_SECONDS * 1000 + 500)
    tablet.wait_for_url(link)
    expect(tablet.get_by_role("button", name=SEND)).to_be_visible()
    assert tablet.locator(".qp-question input:checked").count() == 0
    assert field(tablet, "6. Une remarque ?").input_value() == ""
    assert Response.objects.filter(point=point).count() == 1

    # The second citizen starts, then walks away: a minute later nothing of it is left on the screen.
    tick(tablet, "2 – Insatisfait", tap=True)
    field(tablet, "6. Une remarque ?").fill("Je reviens plus tard")
    tablet.clock.run_for((kiosk.IDLE_SECONDS - 5) * 1000)
    assert field(tablet, "6. Une remarque ?").input_value() == "Je reviens plus tard"  # still there: 55 s only
    tablet.clock.run_for(10_000)
    expect(field(tablet, "6. Une remarque ?")).to_have_value("")
    assert tablet.locator(".qp-question input:checked").count() == 0
    # Going back shows neither the abandoned answer nor the first one.
    tablet.go_back()
    assert "Je reviens plus tard" not in tablet.content()
    assert "Très bon accueil au guichet 3." not in tablet.content()

    # The third citizen answers as well: one tablet, many answers, no "already answered".
    tablet.goto(link)
    tick(tablet, "4 – Satisfait", tap=True)
    tick(question(tablet, "2. Nous recommanderiez-vous ?"), "7", exact=True, tap=True)
    tick(tablet, "Permis de conduire", tap=True)
    tick(tablet, "Site internet", tap=True)
    tick(question(tablet, "5. Votre démarche a-t-elle abouti ?"), "Non", exact=True, tap=True)
    tablet.get_by_role("button", name=SEND).tap()
    tablet.wait_for_url("**/merci/")
    assert Response.objects.filter(point=point).count() == 2
    audit.assert_clean()
    assert errors == []  # the DSFR's script, for one, finds the header it expects
