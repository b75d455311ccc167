"""The pages every French public website must have: legal notice, personal data, accessibility statement."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

TITLES = {
    "legal_notice": "Legal notice",
    "personal_data": "Personal data and cookies",
    "accessibility": "Accessibility statement",
}


def _page(client, name, language):
    with translation.override(language):
        url = reverse(name)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _h1(name, language):
    # The h1 is the page title, translated by the catalogue of the language (French comes with locale/fr).
    with translation.override(language):
        return f"<h1>{escape(translation.gettext(TITLES[name]))}</h1>"


def _table(html, caption):
    start = html.index(f"<caption>{caption}</caption>")
    return html[start : html.index("</table>", start)]


def _footer(html):
    return html[html.index("<footer") : html.index("</footer>")]


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("legal_notice", "/mentions-legales/"),
        ("personal_data", "/donnees-personnelles/"),
        ("accessibility", "/accessibilite/"),
    ],
)
def test_legal_pages_have_french_urls_at_the_root_and_english_ones_under_en(name, url):
    # A request leaves its language active in the thread: name the language of every reverse().
    with translation.override("fr"):
        assert reverse(name) == url
    with translation.override("en"):
        assert reverse(name) == f"/en{url}"


@pytest.mark.django_db
def test_legal_notice_in_french_names_publisher_host_licence_and_contact(client):
    html = _page(client, "legal_notice", "fr")

    assert _h1("legal_notice", "fr") in html
    assert '<html lang="fr"' in html
    for text in [
        "Éditeur du site",
        "Direction du management de l’administration territoriale et de l’encadrement supérieur",
        "Le directeur de la publication est le ministre de l’Intérieur.",
        "Direction du numérique (DNUM)",
        "Responsabilité de chaque préfecture sur ses pages",
        "Licence Ouverte / Open Licence version 2.0 (etalab-2.0)",
        "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
        "Liens hypertextes",
        "mailto:qualipref@example.org",
    ]:
        assert text in html
    assert "Director of publication" not in html


@pytest.mark.django_db
def test_legal_notice_in_english(client):
    html = _page(client, "legal_notice", "en")

    assert "<h1>Legal notice</h1>" in html
    assert '<html lang="en"' in html
    for text in [
        "Publisher",
        "The director of publication is the Minister of the Interior",
        "Each prefecture is responsible for its own pages",
        "Direction du numérique (DNUM)",
        "Licence Ouverte / Open Licence version 2.0 (etalab-2.0)",
        "mailto:qualipref@example.org",
        'href="/en/donnees-personnelles/"',
    ]:
        assert text in html
    assert "Directeur de la publication" not in html


@pytest.mark.django_db
def test_personal_data_in_french_states_controllers_retention_rights_and_cnil(client):
    html = _page(client, "personal_data", "fr")

    assert _h1("personal_data", "fr") in html
    for text in [
        "Responsables de traitement",
        "RGPD, art. 6-1-e",
        "CRPA, articles L. 112-3 et L. 112-11",
        "24 mois après la clôture du dossier, puis anonymisation",
        "Durée du mandat, plus 1 an.",
        "Aucune donnée n’est transférée hors de l’Union européenne.",
        "droit d’opposition",
        "CNIL – 3 place de Fontenoy – TSA 80715 – 75334 Paris Cedex 07",
        "https://www.cnil.fr/fr/plaintes",
    ]:
        assert text in html
    assert "Retention periods" not in html


@pytest.mark.django_db
def test_personal_data_in_french_lists_each_strictly_necessary_cookie_in_a_table(client):
    html = _page(client, "personal_data", "fr")

    cookies = _table(html, "Cookies déposés par le portail")
    for cookie in [
        "sessionid",
        "csrftoken",
        "django_language",
        "qp_tracking_link",
        "Un cookie par enquête de satisfaction",
    ]:
        assert cookie in cookies
    assert "Pas de bandeau de consentement" in html


@pytest.mark.django_db
def test_personal_data_in_english(client):
    html = _page(client, "personal_data", "en")

    assert "<h1>Personal data and cookies</h1>" in html
    for text in [
        "Data controllers",
        "GDPR, art. 6(1)(e)",
        "24 months after the case is closed, then anonymised",
        "No data is transferred outside the European Union.",
        "CNIL – 3 place de Fontenoy – TSA 80715 – 75334 Paris Cedex 07",
        "No consent banner: why?",
    ]:
        assert text in html
    cookies = _table(html, "Cookies set by the portal")
    for cookie in [
        "sessionid",
        "csrftoken",
        "django_language",
        "qp_tracking_link",
        "One cookie per satisfaction survey",
    ]:
        assert cookie in cookies
    assert "Responsables de traitement" not in html


@pytest.mark.django_db
def test_accessibility_statement_in_french_follows_the_rgaa_model(client):
    html = _page(client, "accessibility", "fr")

    assert _h1("accessibility", "fr") in html
    for text in [
        "article 47 de la loi n° 2005-102 du 11 février 2005",
        "État de conformité",
        "partiellement conforme",
        "auto-évaluation interne",
        "axe-core",
        "Contenus non accessibles",
        "Cette déclaration a été établie le 26 novembre 2026.",
        "Retour d’information et contact",
        "Voies de recours",
        "Défenseur des droits",
        "https://formulaire.defenseurdesdroits.fr/",
        "09 69 39 00 00",
        "Libre réponse 71120",
        "75342 Paris CEDEX 07",
    ]:
        assert text in html
    assert "Compliance status" not in html


@pytest.mark.django_db
def test_accessibility_statement_in_english(client):
    html = _page(client, "accessibility", "en")

    assert "<h1>Accessibility statement</h1>" in html
    for text in [
        "Compliance status",
        "partially compliant",
        "internal self-assessment",
        "This statement was drawn up on 26 November 2026.",
        "Remedies",
        "Défenseur des droits",
        "09 69 39 00 00",
        "Libre réponse 71120",
    ]:
        assert text in html
    assert "Voies de recours" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "en"])
def test_home_page_footer_links_to_the_mandatory_pages(client, language):
    html = _page(client, "home", language)

    footer = _footer(html)
    with translation.override(language):
        for name in ["legal_notice", "personal_data", "accessibility", "sitemap"]:
            assert f'href="{reverse(name)}"' in footer


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "future"), [("fr", "seront ajoutées"), ("en", "will be added")])
def test_accessibility_statement_lists_the_pages_the_automated_audit_covers(client, language, future):
    html = _page(client, "accessibility", language)
    assert future not in html
    with translation.override(language):
        for name in ["complaints:new", "surveys:list", "delays:prefecture", "results:prefecture", "committee:public"]:
            assert f'href="{reverse(name, args=["la-reunion"])}"' in html, name
