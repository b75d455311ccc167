"""The empty form's fields are rendered once per language and choices (complaints/forms.py,
``empty_form_fields_html``): the page is the same as when they were rendered for each request."""

import re

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from complaints import forms
from complaints.forms import CaseForm
from tests.qualipref.factories import ServiceFactory

FORM_URL = "/la-reunion/reclamations/nouvelle/"


@pytest.fixture(autouse=True)
def empty_cache():
    forms._EMPTY_FIELDS_HTML.clear()
    yield
    forms._EMPTY_FIELDS_HTML.clear()


def without_token(html):
    """The page without what is drawn for each request: the CSRF token, the breadcrumb's random id."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r"breadcrumb-[a-z]+", "breadcrumb-", html)


def test_the_page_is_the_same_whether_its_fields_come_from_the_cache_or_not(client, reunion):
    first = client.get(FORM_URL).content.decode()
    assert len(forms._EMPTY_FIELDS_HTML) == 1
    second = client.get(FORM_URL).content.decode()
    assert without_token(second) == without_token(first)
    with translation.override("fr"):
        fields = render_to_string("complaints/case_form_fields.html", {"form": CaseForm(prefecture=reunion)})
        again = render_to_string("complaints/case_form_fields.html", {"form": CaseForm(prefecture=reunion)})
    assert fields == again  # nothing drawn for each request in the fields (no random id)
    assert fields in first
    assert 'name="csrfmiddlewaretoken"' in first  # the token stays the request's own, outside the cached part


def test_a_service_renamed_added_or_closed_shows_at_once(client, reunion):
    assert "Titres de séjour" in client.get(FORM_URL).content.decode()
    service = reunion.services.get()
    service.name = "Étrangers"
    service.save()
    html = client.get(FORM_URL).content.decode()
    assert "Étrangers" in html and "Titres de séjour" not in html
    ServiceFactory(prefecture=reunion, name="Permis de conduire")
    assert "Permis de conduire" in client.get(FORM_URL).content.decode()
    service.is_active = False
    service.save()
    assert "Étrangers" not in client.get(FORM_URL).content.decode()
    site = reunion.sites.get()
    site.name = "Sous-préfecture de Saint-Paul"
    site.save()
    assert "Sous-préfecture de Saint-Paul" in client.get(FORM_URL).content.decode()


def test_each_language_has_its_own_fields(reunion):
    with translation.override("fr"):
        french = forms.empty_form_fields_html(CaseForm(prefecture=reunion))
    with translation.override("en"):
        english = forms.empty_form_fields_html(CaseForm(prefecture=reunion))
    assert "Your message" in english and "Your message" not in french
    assert len(forms._EMPTY_FIELDS_HTML) == 2


def test_a_form_sent_back_with_errors_keeps_what_was_typed(client, reunion):
    response = client.post(FORM_URL, {"kind": "complaint", "subject": "Attente au guichet"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Attente au guichet"' in html
    assert "fr-input-group--error" in html or "fr-error-text" in html
    assert not forms._EMPTY_FIELDS_HTML  # a bound form is never cached


def test_a_bound_form_is_refused(reunion):
    with pytest.raises(AssertionError):
        forms.empty_form_fields_html(CaseForm({"kind": "complaint"}, prefecture=reunion))
