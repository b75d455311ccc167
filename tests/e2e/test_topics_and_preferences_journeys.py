"""An officer's own settings of routing, in a real browser, each page checked by axe: the prefecture's topics edited in
the administration (one added, one renamed, one archived: its case keeps it, the public form offers the new list),
and « Mes préférences », where an officer asks for (or stops) the e-mail announcing each case arriving in their
service."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from complaints.models import Case, Topic
from complaints.services import case_submit
from qualipref.models import User

from . import data
from .browser import admin_login, dsfr_settled, field
from .conftest import PASSWORD, links_in
from .test_accessibility import Audit
from .test_complaint_journey import FORM_URL, file_complaint

pytestmark = pytest.mark.e2e

TOPICS = "/admin/complaints/topic/"


@pytest.fixture
def reunion(transactional_db):
    prefecture = data.reunion()
    data.officer(prefecture)
    return prefecture


def topic_row(page, name):
    return page.locator("#result_list tbody tr").filter(has=page.get_by_role("link", name=name, exact=True))


def test_an_officer_adds_renames_and_archives_topics_and_the_form_offers_the_new_list(web, new_tab, reunion):
    mail_topic = reunion.topics.get(code="mail")
    case = data.answered_case(reunion, topic=mail_topic, subject="Courrier resté sans réponse")
    admin_login(web, data.OFFICER_EMAIL, PASSWORD)
    axe = Audit(web)

    # Added: a topic of the prefecture's own, in French and English, placed after « Autre ».
    web.goto(TOPICS)
    expect(topic_row(web, "Courrier")).to_be_visible()
    axe("the topics' list")
    web.get_by_role("link", name="Ajouter thème").click()
    web.locator("input[name=name]").fill("Accessibilité des locaux")
    web.locator("input[name=name_en]").fill("Accessibility of the premises")
    web.locator("input[name=code]").fill("accessibilite")
    web.locator("input[name=position]").fill("9")
    axe("the topic's add form")
    web.locator("input[name=_save]").click()
    expect(web.locator(".messagelist")).to_contain_text("ajouté")
    expect(topic_row(web, "Accessibilité des locaux")).to_be_visible()

    # Renamed: the same topic (its code, its cases), a new wording.
    topic_row(web, "Accueil téléphonique").get_by_role("link", name="Accueil téléphonique").click()
    web.locator("input[name=name]").fill("Accueil téléphonique et standard")
    axe("the topic's change form")
    web.locator("input[name=_save]").click()
    expect(web.locator(".messagelist")).to_contain_text("modifié")

    # Archived: a case is about it, so it cannot be deleted, only archived.
    topic_row(web, "Courrier").get_by_role("link", name="Courrier").click()
    expect(web.get_by_role("link", name="Supprimer")).to_have_count(0)
    web.locator("label[for=id_is_archived]").click()
    expect(web.locator("input[name=is_archived]")).to_be_checked()
    web.locator("input[name=_save]").click()
    expect(web.locator(".messagelist")).to_contain_text("modifié")
    axe("the topics' list after the changes")

    assert Topic.objects.get(prefecture=reunion, code="phone").name == "Accueil téléphonique et standard"
    mail_topic.refresh_from_db()
    assert mail_topic.is_archived
    # The case keeps its topic, which its page still shows.
    case.refresh_from_db()
    assert case.topic_id == mail_topic.pk
    web.goto(f"/admin/complaints/case/{case.pk}/change/")
    expect(web.locator("div.field-topic")).to_contain_text("Courrier")
    axe("the case's page, its topic archived")
    axe.assert_clean()

    # The citizen's form offers the new list: the added and renamed topics, not the archived one.
    citizen = new_tab()
    citizen.goto(FORM_URL)
    dsfr_settled(citizen)
    offered = field(citizen, "De quoi s’agit-il ?").locator("option").all_inner_texts()
    assert "Accessibilité des locaux" in offered and "Accueil téléphonique et standard" in offered
    assert "Courrier" not in offered and "Accueil téléphonique" not in offered
    public = Audit(citizen)
    public("the complaint form with the new topics")
    public.assert_clean()
    field(citizen, "De quoi s’agit-il ?").select_option(label="Accessibilité des locaux")
    assert Topic.objects.filter(prefecture=reunion).count() == 9


def arrival_emails(to):
    return [email for email in mail.outbox if email.to == [to] and email.subject.startswith("Nouvelle demande")]


def test_an_officer_asks_for_arrival_emails_receives_one_then_stops_them(web, new_tab, reunion, live_server):
    officer = User.objects.get(email=data.OFFICER_EMAIL)
    assert not officer.notify_new_cases
    admin_login(web, data.OFFICER_EMAIL, PASSWORD)
    axe = Audit(web)

    web.get_by_role("link", name="Mes préférences").click()
    expect(web.get_by_role("heading", name="Mes préférences")).to_be_visible()
    checkbox = web.get_by_label("M’envoyer un courriel pour chaque nouvelle demande")
    expect(checkbox).not_to_be_checked()
    axe("my preferences")
    checkbox.check()
    web.get_by_role("button", name="Enregistrer").click()
    expect(web.locator(".messagelist")).to_contain_text("Vos préférences sont enregistrées.")
    expect(web.get_by_label("M’envoyer un courriel pour chaque nouvelle demande")).to_be_checked()
    axe("my preferences, saved")
    officer.refresh_from_db()
    assert officer.notify_new_cases

    # A citizen files a complaint about the officer's service: the e-mail announces it, with its link.
    citizen = new_tab()
    file_complaint(citizen)
    expect(citizen.get_by_role("heading", name="Votre demande a bien été reçue")).to_be_visible()
    case = Case.objects.get()
    (arrival,) = arrival_emails(data.OFFICER_EMAIL)
    assert case.reference in arrival.subject and "Marie Hoarau" not in arrival.body  # nothing of the citizen
    (link,) = [url for url in links_in(arrival.body, live_server.url) if "/admin/" in url]
    web.goto(link)
    expect(web.locator("#content")).to_contain_text(case.reference)
    axe("the case opened from the arrival e-mail")

    # Unticked: the next case arrives without an e-mail.
    web.goto("/admin/mes-preferences/")
    web.get_by_label("M’envoyer un courriel pour chaque nouvelle demande").uncheck()
    web.get_by_role("button", name="Enregistrer").click()
    expect(web.locator(".messagelist")).to_contain_text("Vos préférences sont enregistrées.")
    case_submit(
        prefecture=reunion,
        data={
            "kind": "complaint",
            "service": reunion.services.get(),
            "subject": "Dossier égaré",
            "description": "Mon dossier semble perdu.",
            "email": "jean.payet@example.org",
        },
    )
    assert Case.objects.count() == 2
    assert len(arrival_emails(data.OFFICER_EMAIL)) == 1
    axe.assert_clean()
