"""A case filed in English gets its e-mails in English, with links to the English pages; in French, French."""

import re

from complaints.models import Case
from complaints.services import case_answer, case_submit
from tests.qualipref.factories import officer_of

from .test_public import FORM_URL, form_data


def test_a_case_filed_in_english_gets_english_e_mails_and_links(client, reunion, on_commit_immediately, mailoutbox):
    assert client.post("/en" + FORM_URL, form_data(reunion)).status_code == 302
    case = Case.objects.get()
    assert case.language == "en"
    [acknowledgement] = mailoutbox
    assert acknowledgement.subject == f"Acknowledgement of receipt – your request {case.reference}"
    assert "Dear Sir or Madam" in acknowledgement.body
    [link] = re.findall(r"https?://\S+/suivi/\S+/", acknowledgement.body)
    assert "/en/suivi/" in link
    assert "Your request" in client.get("/" + link.split("://", 1)[1].split("/", 1)[1]).content.decode()

    # The officer answers from the French administration: the citizen's notice is still in English.
    case_answer(case=case, by=officer_of(reunion), text="Votre titre est prêt.")
    answer = mailoutbox[-1]
    assert "has written to you" in answer.body and "/en/suivi/" in answer.body


def test_a_case_filed_in_french_gets_french_e_mails(client, reunion, on_commit_immediately, mailoutbox):
    client.post(FORM_URL, form_data(reunion))
    assert Case.objects.get().language == "fr"
    assert mailoutbox[0].subject.startswith("Accusé de réception") and "/en/suivi/" not in mailoutbox[0].body


def test_a_case_an_officer_enters_is_french(reunion):
    from django.utils import translation

    with translation.override("en"):  # the officer's administration in English
        case, _token = case_submit(
            prefecture=reunion,
            data={"kind": "suggestion", "topic": "other", "subject": "Idée", "description": "Un banc."},
            by=officer_of(reunion),
        )
    assert case.language == "fr"
