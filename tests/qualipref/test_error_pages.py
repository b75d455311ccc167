"""Error pages in production (DEBUG off): every one a DSFR page, in French at the root and in English under /en/,
with the State header, a plain explanation and a way back. The 500 page renders without the database."""

import pytest
from django.db import OperationalError, connection
from django.test import Client

from .factories import PrefectureFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = '<header role="banner" class="fr-header">'

# language: (title, explanation, link back); one row per status.
EXPECTED = {
    400: {
        "fr": ("Requête incorrecte", "Le portail n’a pas compris la demande", 'href="/"'),
        "en": ("Bad request", "The portal could not understand the request", 'href="/en/"'),
    },
    403: {
        "fr": ("Accès refusé", "Vous n’avez pas le droit de consulter cette page", 'href="/"'),
        "en": ("Access denied", "You are not allowed to see this page", 'href="/en/"'),
    },
    404: {
        "fr": ("Page non trouvée", "La page que vous cherchez est introuvable", 'href="/"'),
        "en": ("Page not found", "The page you are looking for cannot be found", 'href="/en/"'),
    },
    500: {
        "fr": ("Erreur inattendue", "le service rencontre un problème", 'href="/"'),
        "en": ("Unexpected error", "the service has run into a problem", 'href="/en/"'),
    },
}


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False


# A tracking link that no longer works (wrong, replaced or expired): the 404 page in its own words, leading to the
# network-wide lost-link form (tests/security/test_tracking_links.py).
TRACKING_LINK_GONE = {
    "fr": (
        "Ce lien de suivi ne fonctionne plus",
        "remplacé par un lien plus récent",
        'href="/reclamations/lien-perdu/"',
    ),
    "en": (
        "This tracking link no longer works",
        "replaced by a more recent one",
        'href="/en/reclamations/lien-perdu/"',
    ),
}


def assert_error_page(response, status, language, expected=None):
    assert response.status_code == status
    html = response.content.decode()
    title, explanation, back = (expected or EXPECTED[status])[language]
    assert f'<html lang="{language}"' in html
    assert HEADER in html and "fr-header__service-title" in html and "fr-footer" in html
    assert f"<h1>{title}</h1>" in html
    assert f"{'Erreur' if language == 'fr' else 'Error'} {status}" in html
    assert explanation in html
    assert back in html and "fr-btn" in html
    assert "Not Found" not in html and "Server Error" not in html
    return html


@pytest.mark.parametrize(("language", "prefix"), [("fr", ""), ("en", "/en")])
def test_a_wrong_tracking_link_gives_the_dsfr_404_page(client, language, prefix):
    assert_error_page(client.get(f"{prefix}/suivi/not-a-real-token/"), 404, language, TRACKING_LINK_GONE)


@pytest.mark.parametrize(("language", "prefix"), [("fr", ""), ("en", "/en")])
def test_an_unknown_address_gives_the_dsfr_404_page(client, language, prefix):
    PrefectureFactory(reunion=True)
    assert_error_page(client.get(f"{prefix}/la-reunion/nulle-part/"), 404, language)


@pytest.mark.parametrize(("language", "prefix"), [("fr", ""), ("en", "/en")])
def test_a_refused_download_gives_the_dsfr_403_page(client, language, prefix):
    client.force_login(UserFactory(is_staff=True))  # staff, but no role in any prefecture
    html = assert_error_page(client.get(f"{prefix}/pieces-jointes/1/"), 403, language)
    assert "/admin/" in html  # the header still offers the administration


@pytest.mark.parametrize(("language", "prefix"), [("fr", ""), ("en", "/en")])
def test_a_host_the_portal_does_not_serve_gives_the_dsfr_400_page(client, language, prefix):
    assert_error_page(client.get(f"{prefix}/", HTTP_HOST="unknown.example.net"), 400, language)


@pytest.mark.parametrize(("language", "prefix"), [("fr", ""), ("en", "/en")])
def test_the_500_page_renders_while_the_database_is_unreachable(language, prefix):
    PrefectureFactory(reunion=True)
    queries = []

    def unreachable(execute, sql, params, many, context):
        queries.append(sql)
        raise OperationalError("could not connect to server: Connection refused")

    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(is_staff=True))  # a session the page must not read: it is in the database
    with connection.execute_wrapper(unreachable):
        response = client.get(f"{prefix}/la-reunion/")
    # The page tried the database once and failed; the error page itself asked it nothing (not even the session).
    assert len(queries) == 1, queries
    html = assert_error_page(response, 500, language)
    assert "Connection refused" not in html and "OperationalError" not in html
    # The DSFR's script, as on every page (menus, language switch).
    assert 'type="module"' in html and "dsfr.module.min.js" in html


@pytest.mark.parametrize(("language", "prefix"), [("fr", ""), ("en", "/en")])
def test_a_form_sent_without_its_security_token_gives_the_dsfr_csrf_page(language, prefix):
    PrefectureFactory(reunion=True)
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"{prefix}/la-reunion/reclamations/nouvelle/",
        {"subject": "Attente"},
        HTTP_REFERER=f"http://testserver{prefix}/la-reunion/reclamations/nouvelle/",
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert HEADER in html and f'<html lang="{language}"' in html
    if language == "fr":
        assert "<h1>Formulaire expiré</h1>" in html and "Erreur 403" in html
        assert "Rouvrir le formulaire" in html and "bouton « Précédent »" in html
    else:
        assert "<h1>Form expired</h1>" in html and "Error 403" in html
        assert "Open the form again" in html and "Back button" in html
    # The way back is the form the visitor came from (same site only).
    assert f'href="{prefix}/la-reunion/reclamations/nouvelle/"' in html


def test_the_csrf_page_never_links_back_to_another_site():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/la-reunion/reclamations/nouvelle/", {}, HTTP_REFERER="https://evil.example/form")
    assert response.status_code == 403
    html = response.content.decode()
    assert "evil.example" not in html and 'href="/"' in html
