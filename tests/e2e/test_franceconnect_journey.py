"""FranceConnect in a real browser: a citizen logs in at the test OpenID Connect provider (tests/oidc_provider, in
a subprocess), files a complaint with their identity filled in, finds it in their space, and logs out."""

import re

import pytest
from playwright.sync_api import expect

from complaints.models import Case, Citizen
from tests.complaints.oidc import running_provider

from . import data
from .browser import field, tick

pytestmark = pytest.mark.e2e

FORM_URL = "/la-reunion/reclamations/nouvelle/"


@pytest.fixture
def franceconnect(live_server, settings, tmp_path):
    with running_provider(live_server.url, tmp_path=tmp_path) as provider:
        for name, value in provider.settings().items():
            setattr(settings, name, value)
        yield provider


def test_a_citizen_logs_in_files_finds_the_case_in_their_space_and_logs_out(web, franceconnect, transactional_db):
    data.reunion()
    web.goto(FORM_URL)
    web.get_by_role("button", name="S’identifier avec FranceConnect").click()

    # The provider's login page (standing in for FranceConnect's), then back on the form, filled in.
    web.wait_for_url(f"{franceconnect.base}/login/**")
    web.get_by_label("User name").fill("alice")
    web.get_by_label("Password").fill("secret")
    web.get_by_role("button", name="Log in").click()
    web.wait_for_url(f"**{FORM_URL}")
    expect(web.get_by_text("Vous êtes connecté avec FranceConnect en tant que Alice Martin")).to_be_visible()
    expect(field(web, "Votre nom")).to_have_value("Alice Martin")
    expect(field(web, "Votre adresse électronique")).to_have_value("alice.martin@example.org")

    field(web, "De quoi s’agit-il ?").select_option(label="Accueil au guichet")
    field(web, "Objet").fill("Trois heures d'attente")
    field(web, "Votre message").fill("J'ai attendu trois heures au guichet sans information.")
    tick(web, "J’accepte que la préfecture traite")
    web.get_by_role("button", name="Envoyer ma demande").click()
    expect(web.get_by_role("heading", name="Votre demande a bien été reçue")).to_be_visible()
    case = Case.objects.get()
    assert case.citizen == Citizen.objects.get()

    web.get_by_role("link", name="Mon espace").first.click()
    expect(web.get_by_role("heading", name="Mon espace")).to_be_visible()
    web.get_by_role("link", name=case.reference).click()
    expect(web.get_by_text("Trois heures d'attente")).to_be_visible()
    web.get_by_role("link", name="Retour à mon espace").click()

    web.get_by_role("button", name="Se déconnecter").click()
    web.wait_for_url(re.compile(r".*/franceconnect/deconnecte/.*"))
    expect(web.get_by_role("heading", name="Vous êtes déconnecté")).to_be_visible()
    web.goto("/mon-espace/")
    expect(web.get_by_role("button", name="S’identifier avec FranceConnect")).to_be_visible()
