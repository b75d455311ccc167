"""axe-core (bundled by axe-playwright-python) on every public page, with and without form errors shown.

No "serious" or "critical" violation is allowed; the lesser ones are printed (``pytest -s``) for the
accessibility statement's list of known issues.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import expect

from complaints.services import case_answer, case_submit

from . import data
from .browser import field, question, tick
from .conftest import PASSWORD

pytestmark = pytest.mark.e2e

BLOCKING = {"serious", "critical"}
# How our DSFR templates show errors: the form's alert, a fieldset's message, an input's error text.
ERRORS = ".fr-alert--error, .fr-message--error, .fr-error-text"
AXE = Axe()

PUBLIC_PAGES = [
    "/",
    "/en/",
    "/la-reunion/",
    "/mentions-legales/",
    "/donnees-personnelles/",
    "/accessibilite/",
    "/plan-du-site/",
    "/la-reunion/reclamations/nouvelle/",
    "/la-reunion/reclamations/lien-perdu/",
    "/reclamations/lien-perdu/",
    "/la-reunion/enquetes/",
    "/la-reunion/enquetes/accueil/",
    "/la-reunion/enquetes/resultats/",
    "/la-reunion/comite/",
    "/comite/connexion/",
    "/comite/mot-de-passe/oublie/",
    "/delais/",
    "/la-reunion/delais/",
    "/delais/donnees-ouvertes/",
    "/reseau/",
    "/la-reunion/resultats/",
    "/reseau/donnees-ouvertes/",
]


class Audit:
    """Runs axe on pages and keeps what blocks; prints the rest."""

    def __init__(self, page):
        self.page = page
        self.blocking = []

    def __call__(self, name):
        violations = AXE.run(self.page).response["violations"]
        for violation in violations:
            targets = [" ".join(node["target"]) for node in violation["nodes"]][:5]
            line = f"{name}: {violation['id']} ({violation['impact']}) {violation['help']} – {targets}"
            if violation["impact"] in BLOCKING:
                self.blocking.append(line)
            else:
                print("axe (minor):", line)

    def visit(self, url, name=None):
        response = self.page.goto(url)
        assert response.status == 200, (url, response.status)
        self(name or url)

    def assert_clean(self):
        assert self.blocking == [], "\n".join(self.blocking)


@pytest.fixture
def reunion(transactional_db):
    prefecture = data.reunion()
    data.officer(prefecture)
    survey = data.survey(prefecture)
    data.survey_results(survey)
    data.public_committee(prefecture)
    data.published_delays(prefecture)
    return prefecture


def test_public_pages_have_no_serious_violation(web, phone, reunion):
    audit = Audit(web)
    for url in PUBLIC_PAGES:
        audit.visit(url)
    on_phone = Audit(phone)
    for url in ["/la-reunion/", "/la-reunion/reclamations/nouvelle/", "/la-reunion/enquetes/accueil/"]:
        on_phone.visit(url, f"{url} (phone)")
    audit.blocking += on_phone.blocking
    audit.assert_clean()


def test_forms_with_their_errors_shown_have_no_serious_violation(web, reunion):
    audit = Audit(web)
    for url, button in [
        ("/la-reunion/reclamations/nouvelle/", "Envoyer ma demande"),
        ("/la-reunion/reclamations/lien-perdu/", None),
        ("/la-reunion/enquetes/accueil/", "Envoyer mes réponses"),
        ("/comite/connexion/", "Se connecter"),
        ("/comite/mot-de-passe/oublie/", None),
    ]:
        web.goto(url)
        submit = web.get_by_role("button", name=button) if button else web.locator("#content button[type=submit]")
        submit.click()
        expect(web.locator(ERRORS).first).to_be_visible()
        audit(f"{url} (errors shown)")
    audit.assert_clean()


def test_pages_after_a_submission_have_no_serious_violation(web, reunion, settings):
    audit = Audit(web)
    # The confirmation, then the tracking page of an answered case (timeline, document, rating form).
    web.goto("/la-reunion/reclamations/nouvelle/")
    field(web, "De quoi s’agit-il ?").select_option(label="Accueil au guichet")
    field(web, "Objet").fill("Attente")
    field(web, "Votre message").fill("Trois heures d'attente.")
    field(web, "Documents").set_input_files({"name": "a.pdf", "mimeType": "application/pdf", "buffer": data.PDF_BYTES})
    field(web, "Votre nom").fill("Marie Hoarau")
    field(web, "Votre adresse électronique").fill("marie@example.org")
    tick(web, "J’accepte que la préfecture traite")
    web.get_by_role("button", name="Envoyer ma demande").click()
    web.wait_for_url("**/confirmation/")
    expect(web.locator("#tracking-link")).to_be_visible()
    audit("confirmation")
    web.reload()
    expect(web.locator("#content")).to_contain_text("affiché qu’une fois")
    expect(web.locator("#tracking-link")).to_have_count(0)
    audit("confirmation (reloaded: the link was shown once)")

    from complaints.models import Case

    case_answer(case=Case.objects.get(), by=None, text="Nous avons renforcé l'accueil.")
    tracking_link = [line for line in mail.outbox[-1].body.split() if "/suivi/" in line][0]
    audit.visit(tracking_link, "tracking page (answered, rating form)")
    web.get_by_role("button", name="Envoyer mon message").click()  # an empty reply
    expect(web.locator(ERRORS).first).to_be_visible()
    audit("tracking page (errors shown)")

    # The survey's thank-you page.
    web.goto("/la-reunion/enquetes/accueil/")
    tick(web, "5 – Très satisfait")
    tick(question(web, "2. Nous recommanderiez-vous ?"), "9", exact=True)
    tick(web, "Permis de conduire")
    tick(question(web, "5. Votre démarche a-t-elle abouti ?"), "Oui", exact=True)
    web.get_by_role("button", name="Envoyer mes réponses").click()
    web.wait_for_url("**/merci/")
    audit("survey thanks")

    # The form a citizen gets back past the rate limit (429), with what was typed.
    settings.COMPLAINTS_SUBMIT_RATE = "1/h"
    case, _token = case_submit(
        prefecture=reunion,
        data={"kind": "suggestion", "topic": "other", "subject": "Idée", "description": "Une idée."},
    )
    for _attempt in range(2):
        web.goto("/la-reunion/reclamations/lien-perdu/")
        field(web, "Référence de votre demande").fill(case.reference)
        field(web, "L’adresse électronique que vous avez indiquée").fill("x@example.org")
        web.locator("#content button[type=submit]").click()
    expect(web.locator("#rate-limited")).to_contain_text("pas encore été envoyée")
    audit("lost link refused past the limit (429)")
    audit.assert_clean()


def test_members_space_and_lockout_pages_have_no_serious_violation(web, reunion):
    from committee.models import Meeting

    audit = Audit(web)
    web.goto("/comite/connexion/")
    field(web, "Adresse électronique").fill(data.MEMBER_EMAIL)
    web.locator("input[name=password]").fill(PASSWORD)
    web.get_by_role("button", name="Se connecter").click()
    web.wait_for_url("**/comite/")
    audit("members' space")
    audit.visit(f"/comite/reunions/{Meeting.objects.filter(status='planned').first().pk}/", "members' meeting page")
    web.context.clear_cookies()

    for _attempt in range(6):  # django-axes locks the account out after five failures
        web.goto("/comite/connexion/")
        field(web, "Adresse électronique").fill(data.MEMBER_EMAIL)
        web.locator("input[name=password]").fill("wrong password")
        web.get_by_role("button", name="Se connecter").click()
    expect(web.get_by_role("heading", level=1)).to_be_visible()
    audit("lockout page")
    audit.assert_clean()


def test_the_password_link_pages_have_no_serious_violation(web, reunion):
    """A member's invitation link: first the button (a mail service checking the link uses nothing), then the form."""
    from committee.models import Committee
    from committee.services import member_account_invite
    from tests.committee.factories import MemberFactory

    member = MemberFactory(committee=Committee.objects.filter(prefecture=reunion).first(), email="invite@example.org")
    member_account_invite(member=member)
    link = re.search(r"https?://[^/\s]+(/comite/mot-de-passe/[^/\s]+/[^/\s]+/)", mail.outbox[-1].body).group(1)
    audit = Audit(web)
    web.goto(link)
    audit("password link (its button)")
    web.get_by_role("button", name="Choisir mon mot de passe").click()
    expect(web.locator("input[name=new_password1]")).to_be_visible()
    audit("password link (the form)")
    audit.assert_clean()


def test_error_pages_are_styled_dsfr_pages_with_no_serious_violation(web, reunion):
    audit = Audit(web)
    for url, heading in [
        ("/page-inconnue/", "Page non trouvée"),
        ("/en/page-inconnue/", "Page not found"),
        ("/suivi/lien-inconnu/", "Ce lien de suivi ne fonctionne plus"),
        ("/en/suivi/unknown-link/", "This tracking link no longer works"),
    ]:
        assert web.goto(url).status == 404
        expect(web.get_by_role("heading", level=1)).to_have_text(heading)
        # The DSFR's stylesheet applies: its primary button is "bleu France".
        assert web.locator("#content .fr-btn").first.evaluate("e => getComputedStyle(e).backgroundColor") == (
            "rgb(0, 0, 145)"
        )
        audit(f"{url} (404)")

    # A form sent after the browser lost its security cookie: the CSRF page leads back to the form.
    web.goto("/la-reunion/reclamations/lien-perdu/")
    web.context.clear_cookies()
    web.locator("input[name=reference]").fill("974-2026-000001")
    web.locator("input[name=email]").fill("marie@example.org")
    web.locator("#content button[type=submit]").click()
    expect(web.get_by_role("heading", level=1)).to_have_text("Formulaire expiré")
    audit("CSRF failure page")
    web.get_by_role("link", name="Rouvrir le formulaire").click()
    web.wait_for_url("**/la-reunion/reclamations/lien-perdu/")
    audit.assert_clean()
