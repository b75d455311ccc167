"""The complaint form and the survey form with the keyboard alone: skip link, Tab through every field in
order, arrows in the radio groups, Space on the boxes, and the form sent from the keyboard."""

import re

import pytest

from complaints.models import Case
from surveys.models import Answer, Response

from . import data

pytestmark = pytest.mark.e2e

FOCUSED = """() => {
  const e = document.activeElement;
  return {name: e.getAttribute("name"), type: e.type || "", tag: e.tagName.toLowerCase(),
          value: e.value === undefined ? "" : String(e.value), text: (e.innerText || "").trim().slice(0, 60)};
}"""


@pytest.fixture
def reunion(transactional_db):
    return data.reunion()


class Keyboard:
    def __init__(self, page):
        self.page = page
        self.path = []

    def focused(self):
        return self.page.evaluate(FOCUSED)

    def tab(self):
        self.page.keyboard.press("Tab")
        focused = self.focused()
        self.path.append(focused["name"] or focused["text"] or focused["tag"])
        assert focused["name"] != "hp_website", "the honeypot must stay out of the keyboard's way"
        return focused

    def tab_to(self, name):
        """Tab to the field called ``name``; only what ``passes`` allows may come between."""
        for _ in range(5):
            focused = self.tab()
            if focused["name"] == name:
                return focused
            assert focused["tag"] == "a", f"focus went to {focused} before reaching {name}"
        raise AssertionError(f"{name} never got the focus: {self.path}")

    def skip_to_content(self):
        self.page.keyboard.press("Tab")
        assert self.focused()["text"] == "Contenu", "the first Tab reaches the skip link"
        self.page.keyboard.press("Enter")


def test_complaint_form_with_the_keyboard_alone(web, reunion):
    web.goto("/la-reunion/reclamations/nouvelle/")
    keys = Keyboard(web)
    keys.skip_to_content()

    kind = keys.tab_to("kind")
    assert kind["value"] == "complaint"  # the checked radio of the group takes the focus
    web.keyboard.press("ArrowDown")
    assert keys.focused()["value"] == "suggestion"
    web.keyboard.press("ArrowUp")  # arrows move within the group and choose
    assert keys.focused()["value"] == "complaint"

    keys.tab_to("service")
    web.keyboard.press("ArrowDown")  # "I don't know" → the first service
    keys.tab_to("site")
    keys.tab_to("topic")
    web.keyboard.press("ArrowDown")
    keys.tab_to("subject")
    web.keyboard.type("Attente au guichet")
    keys.tab_to("description")
    web.keyboard.type("Trois heures d'attente sans information.")
    keys.tab_to("attachments")
    keys.tab_to("name")
    web.keyboard.type("Marie Hoarau")
    keys.tab_to("email")
    web.keyboard.type("marie@example.org")
    keys.tab_to("phone")
    keys.tab_to("consent")
    web.keyboard.press("Space")
    # The privacy notice's link inside the consent's help text, then the button.
    assert keys.tab()["tag"] == "a"
    button = keys.tab()
    assert button["tag"] == "button" and button["text"] == "Envoyer ma demande", keys.path
    web.keyboard.press("Enter")

    web.wait_for_url(re.compile(r"/reclamations/confirmation/"))  # the skip link's #content may follow
    case = Case.objects.get()
    assert (case.kind, case.topic.code, case.service.name, case.site) == (
        "complaint",
        "counter",
        "Titres de séjour",
        None,
    )
    assert (case.subject, case.name, case.email) == ("Attente au guichet", "Marie Hoarau", "marie@example.org")
    assert case.reference in web.content()

    # The private link, shown this once, is reached and followed with the keyboard; back on the confirmation,
    # only the reference remains (the page may open at #content, after the skip link).
    for _ in range(30):
        if "/suivi/" in keys.tab()["text"]:
            break
    else:
        raise AssertionError(f"the tracking link never got the focus: {keys.path}")
    web.keyboard.press("Enter")
    web.wait_for_url(re.compile(r"/suivi/"))
    assert case.reference in web.content()
    web.go_back()
    web.wait_for_url(re.compile(r"/reclamations/confirmation/"))
    assert case.reference in web.content() and "/suivi/" not in web.content()


def test_survey_with_the_keyboard_alone(web, reunion):
    survey = data.survey(reunion)
    q1, q2, q3, q4, q5, q6 = (f"q{pk}" for pk in survey.questions.order_by("position").values_list("pk", flat=True))
    web.goto("/la-reunion/enquetes/accueil/")
    keys = Keyboard(web)
    keys.skip_to_content()

    # Past the privacy link of the introduction, the first question's first answer.
    assert keys.tab_to(q1)["value"] == "5"
    web.keyboard.press("ArrowDown")  # 5 → 4: the arrow chooses
    assert keys.tab_to(q2)["value"] == "0"
    for _ in range(8):
        web.keyboard.press("ArrowRight")
    keys.tab_to(q3)
    web.keyboard.press("Space")
    keys.tab_to(q4)  # a checkbox per choice: each is its own stop
    web.keyboard.press("Space")
    keys.tab_to(q4)
    keys.tab_to(q4)
    keys.tab_to(q5)
    web.keyboard.press("Space")
    keys.tab_to(q6)
    web.keyboard.type("Très bon accueil.")
    button = keys.tab()
    assert button["text"] == "Envoyer mes réponses", keys.path
    web.keyboard.press("Space")

    web.wait_for_url(re.compile(r"/merci/"))
    response = Response.objects.get()
    answers = {a.question.position: a for a in Answer.objects.filter(response=response).select_related("question")}
    assert answers[1].value == 4 and answers[2].value == 8 and answers[5].value == 1
    assert answers[3].choice.label == "Titre de séjour" and answers[4].choice.label == "Site internet"
    assert answers[6].text == "Très bon accueil."
