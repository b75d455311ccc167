"""The complaint form's rules as the citizen reads them: what is required for which kind, and consent."""

import re

import pytest

from complaints.models import Case

from .test_public import FORM_URL, form_data

pytestmark = pytest.mark.usefixtures("on_commit_immediately")


def label(html, field):
    """The label of ``field`` as read on screen: hidden parts (and the hint) left out."""
    found = re.search(rf'<label[^>]*for="id_{field}"[^>]*>(.*?)</label>', html, re.S).group(1)
    found = re.sub(r"<span[^>]*\bhidden\b[^>]*>.*?</span>", "", found, flags=re.S)
    found = re.sub(r'<span class="fr-hint-text".*', "", found, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", "", found).split())


def control(html, field):
    return re.search(rf'<(?:input|textarea)[^>]*id="id_{field}"[^>]*>', html).group(0)


def test_name_and_email_read_as_required_while_a_complaint_is_preselected(client, reunion):
    html = client.get(FORM_URL).content.decode()
    assert label(html, "name") == "Votre nom"
    assert label(html, "email") == "Votre adresse électronique"
    assert " required" in control(html, "name") and " required" in control(html, "email")
    assert label(html, "phone") == "Votre numéro de téléphone (facultatif)"


def test_name_reads_as_optional_when_the_form_comes_back_for_a_suggestion(client, reunion):
    response = client.post(FORM_URL, form_data(reunion, kind="suggestion", subject="", name="", email=""))
    html = response.content.decode()
    assert response.status_code == 200
    assert label(html, "name") == "Votre nom (facultatif)"
    assert " required" not in control(html, "name")
    # The script finds what it needs to switch the mark back when the citizen picks a complaint.
    assert 'data-qp-required-when="kind=complaint"' in control(html, "name")
    assert 'data-qp-optional-for="id_name"' in html


def test_an_anonymous_suggestion_needs_no_consent(client, reunion):
    data = form_data(reunion, kind="suggestion", name="", email="", phone="", consent=None)
    response = client.post(FORM_URL, data)
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.name, case.email, case.consent_at) == ("", "", None)


@pytest.mark.parametrize("given", [{"email": "marie@example.org"}, {"name": "Marie"}, {"phone": "0692 12 34 56"}])
def test_a_suggestion_with_contact_details_needs_consent(client, reunion, given):
    data = form_data(reunion, kind="suggestion", name="", email="", phone="", consent=None)
    response = client.post(FORM_URL, {**data, **given})
    assert response.status_code == 200
    assert "consent" in response.context["form"].errors
    assert "id_consent-desc-error" in response.content.decode()
    assert not Case.objects.exists()


def test_a_complaint_needs_consent(client, reunion):
    response = client.post(FORM_URL, form_data(reunion, consent=None))
    assert response.status_code == 200
    assert "consent" in response.context["form"].errors
    assert not Case.objects.exists()
