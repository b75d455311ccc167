"""The empty form's page is rendered once and served with each visitor's own CSRF token and CSP nonce
(qualipref/pageshell.py): the same page as a fresh rendering, a token that works, a nonce the policy names, nothing
of a visitor stored, and a change of the prefecture, a service or a site shown at once."""

import re

from django.shortcuts import render
from django.template import engines
from django.test import Client

from complaints.views import public
from qualipref import pageshell
from tests.qualipref.factories import ServiceFactory, officer_of

FORM_URL = "/la-reunion/reclamations/nouvelle/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
NONCE = re.compile(r' nonce="([^"]+)"')


def page(client=None, url=FORM_URL):
    response = (client or Client()).get(url)
    assert response.status_code == 200
    return response, response.content.decode()


def normalised(html):
    """Without what is drawn for each rendering: the token, the nonce, the breadcrumb's random id."""
    html = TOKEN.sub('name="csrfmiddlewaretoken" value=""', html)
    html = NONCE.sub(' nonce=""', html)
    return re.sub(r"breadcrumb-[a-z]+", "breadcrumb-", html)


def test_a_page_from_the_shell_is_the_page_rendered_afresh(reunion, monkeypatch):
    _response, first = page()
    assert len(pageshell._SHELLS) == 1
    _response, from_shell = page()
    monkeypatch.setattr(
        public, "shell_render", lambda request, template, context, key: render(request, template, context)
    )
    _response, fresh = page()
    assert normalised(from_shell) == normalised(fresh) == normalised(first)
    assert "La Réunion" in from_shell and "Titres de séjour" in from_shell


def test_each_visitor_gets_their_own_token_and_the_shell_holds_none(reunion):
    tokens = set()
    for _visitor in range(3):
        response, html = page()
        (token,) = set(TOKEN.findall(html))
        assert response.cookies["csrftoken"].value  # the CSRF cookie is set, as by {% csrf_token %}
        # As a page rendered afresh: no nonce on the page (its scripts are files of our origin), none in the policy.
        assert not NONCE.findall(html) and "nonce-" not in response["Content-Security-Policy"]
        tokens.add(token)
        for shell in pageshell._SHELLS.values():
            assert token not in shell and pageshell.CSRF_MARK in shell
    assert len(tokens) == 3


def test_a_page_with_a_nonce_gets_the_request_s_own_and_its_policy_names_it(reunion, monkeypatch):
    """Should a page carry a nonce, each visitor gets a nonce of their own, which their policy header names."""
    template = engines["django"].from_string(
        '<form>{% csrf_token %}</form><script src="/static/a.js" nonce="{{ request.csp_nonce }}"></script>'
    )
    monkeypatch.setattr(
        pageshell, "render_to_string", lambda _name, context, request: template.render(context, request)
    )
    nonces = set()
    for _visitor in range(3):
        response, html = page()
        (nonce,) = NONCE.findall(html)
        assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
        assert len(TOKEN.findall(html)) == 1
        nonces.add(nonce)
        (shell,) = pageshell._SHELLS.values()
        assert nonce not in shell and pageshell.NONCE_MARK in shell
    assert len(nonces) == 3


def test_the_token_of_a_page_from_the_shell_is_accepted_and_a_missing_one_refused(reunion):
    page()  # stores the shell
    client = Client(enforce_csrf_checks=True)
    _response, html = page(client)
    (token,) = set(TOKEN.findall(html))
    data = {
        "kind": "suggestion",
        "topic": "counter",
        "subject": "Des bancs au guichet",
        "description": "Il manque des bancs.",
        "hp_website": "",
    }
    assert Client(enforce_csrf_checks=True).post(FORM_URL, data).status_code == 403
    response = client.post(FORM_URL, {**data, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert reunion.cases.filter(subject="Des bancs au guichet").count() == 1


def test_a_change_of_the_prefecture_a_service_or_a_site_shows_at_once(reunion):
    page()
    reunion.name = "Île de La Réunion"
    reunion.answer_deadline_working_days = 12
    reunion.save()
    _response, html = page()
    assert "Île de La Réunion" in html and "12" in html
    service = reunion.services.get()
    service.name = "Étrangers"
    service.save()
    _response, html = page()
    assert "Étrangers" in html and "Titres de séjour" not in html
    ServiceFactory(prefecture=reunion, name="Permis de conduire")
    assert "Permis de conduire" in page()[1]
    site = reunion.sites.get()
    site.name = "Sous-préfecture de Saint-Paul"
    site.save()
    assert "Sous-préfecture de Saint-Paul" in page()[1]


def test_each_language_has_its_own_page(reunion):
    french = page()[1]
    english = page(url=f"/en{FORM_URL}")[1]
    assert 'lang="fr"' in french and "Your message" not in french
    assert 'lang="en"' in english and "Your message" in english
    assert len(pageshell._SHELLS) == 2
    assert normalised(page()[1]) == normalised(french)


def test_staff_get_their_own_header_and_nothing_is_stored(client, reunion):
    client.force_login(officer_of(reunion))
    _response, html = page(client)
    assert "Administration" in html
    assert not pageshell._SHELLS
    assert "Administration" not in page()[1]  # a visitor after them gets the visitor's header
