"""A complaint from end to end in a real browser: the citizen files it with a document, gets the
acknowledgement e-mail, follows its link; an officer logs into the admin and answers from a template;
the citizen reads the answer and rates it."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from complaints.enums import Status
from complaints.models import Case
from qualipref.mail import OutgoingEmail

from . import data
from .browser import field, tick
from .conftest import PASSWORD, links_in

pytestmark = pytest.mark.e2e

FORM_URL = "/la-reunion/reclamations/nouvelle/"


@pytest.fixture
def reunion(transactional_db):
    prefecture = data.reunion()
    data.officer(prefecture)
    data.answer_template(prefecture)
    return prefecture


def file_complaint(page):
    page.goto(FORM_URL)
    field(page, "Service concerné").select_option(label="Titres de séjour")
    field(page, "Site").select_option(label="Sous-préfecture de Saint-Pierre")
    field(page, "De quoi s’agit-il ?").select_option(label="Accueil au guichet")
    field(page, "Objet").fill("Trois heures d'attente au guichet")
    field(page, "Votre message").fill("J'ai attendu trois heures au guichet des titres de séjour, sans information.")
    field(page, "Documents").set_input_files(
        {"name": "récépissé.pdf", "mimeType": "application/pdf", "buffer": data.PDF_BYTES}
    )
    field(page, "Votre nom").fill("Marie Hoarau")
    field(page, "Votre adresse électronique").fill("marie.hoarau@example.org")
    field(page, "Votre numéro de téléphone").fill("0692 12 34 56")
    tick(page, "J’accepte que la préfecture traite")
    page.get_by_role("button", name="Envoyer ma demande").click()


def officer_answers(page, case):
    page.goto("/admin/")
    page.locator("input[name=username]").fill(data.OFFICER_EMAIL)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url("**/admin/")
    page.goto(f"/admin/complaints/case/{case.pk}/change/")
    assert case.reference in page.content()
    page.locator(f"a[href$='/{case.pk}/answer/']").click()
    page.get_by_label("Partir d’un modèle").select_option(label=data.ANSWER_TEMPLATE_TITLE)
    page.get_by_role("button", name="Utiliser ce modèle").click()
    page.wait_for_url("**/answer/?template=*")
    answer = page.locator("textarea[name=text]")
    assert "Bonjour Marie Hoarau" in answer.input_value()
    assert case.reference in answer.input_value()
    page.get_by_role("button", name="Envoyer", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("La réponse a été envoyée")


def test_citizen_files_officer_answers_citizen_rates(web, new_tab, reunion, live_server):
    file_complaint(web)

    web.wait_for_url("**/reclamations/confirmation/")
    case = Case.objects.get()
    expect(web.locator("#content")).to_contain_text(case.reference)
    attachment = case.attachments.get()
    assert attachment.original_name.endswith(".pdf")
    assert 0 < attachment.size == attachment.file.size  # the PDF as rewritten on upload (qualipref/uploads.py)

    # The acknowledgement left through the outbox, exactly once, with the private link.
    assert [m.to for m in mail.outbox] == [["marie.hoarau@example.org"]]
    assert OutgoingEmail.objects.get().sent_at is not None
    acknowledgement = mail.outbox[0]
    assert case.reference in acknowledgement.subject
    [tracking_link] = links_in(acknowledgement.body, live_server.url)
    web.goto(tracking_link)
    expect(web.get_by_role("heading", level=1)).to_contain_text(case.reference)
    expect(web.get_by_role("link", name=re.compile(r"\.pdf"))).to_be_visible()

    officer_answers(new_tab(), case)
    case.refresh_from_db()
    assert case.status == Status.ANSWERED

    # The answer's e-mail holds a link, not the text; the citizen reads it and rates it.
    answer_mail = mail.outbox[-1]
    assert answer_mail.to == ["marie.hoarau@example.org"] and "renforcé" not in answer_mail.body
    web.goto(links_in(answer_mail.body, live_server.url)[0])
    expect(web.locator(".qp-timeline")).to_contain_text("Nous avons bien reçu votre réclamation")
    tick(web, "5 – Très satisfait")
    web.get_by_label("Commentaire").fill("Merci pour ce changement.")
    web.get_by_role("button", name="Envoyer mon évaluation").click()
    expect(web.locator(".fr-alert--success")).to_contain_text("Merci")
    case.refresh_from_db()
    assert (case.rating, case.rating_comment) == (5, "Merci pour ce changement.")


def test_name_and_email_follow_the_kind_chosen(web, reunion):
    """Required for a complaint, the page's default; optional once the citizen picks a suggestion, and back."""
    web.goto(FORM_URL)
    name_label = web.locator("label[for='id_name']")
    name = web.locator("#id_name")
    expect(name_label).not_to_contain_text("facultatif", use_inner_text=True)
    expect(name).to_have_attribute("required", "")
    tick(web, "Une suggestion")
    expect(name_label).to_contain_text("Votre nom (facultatif)", use_inner_text=True)
    expect(web.locator("label[for='id_email']")).to_contain_text("(facultatif)", use_inner_text=True)
    assert name.evaluate("field => field.required") is False
    web.locator("label[for='id_kind_0']").click(position={"x": 8, "y": 10})  # « Une réclamation : … »
    expect(name_label).not_to_contain_text("facultatif", use_inner_text=True)
    assert name.evaluate("field => field.required") is True
