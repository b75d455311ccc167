"""A citizen files in English on a phone: the form, the confirmation, the acknowledgement e-mail and the tracking
page it links to are all in English — axe-audited."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from complaints.models import Case

from .browser import field, tick
from .conftest import links_in
from .test_accessibility import Audit
from .test_complaint_journey import reunion  # noqa: F401 (the fixture)

pytestmark = pytest.mark.e2e


def test_a_citizen_files_in_english_and_follows_the_case_in_english(phone, reunion, live_server):  # noqa: F811
    axe = Audit(phone)
    phone.goto("/en/la-reunion/reclamations/nouvelle/")
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    axe("the complaint form, in English (phone)")
    field(phone, "Service concerned").select_option(label="Titres de séjour")
    field(phone, "What is it about?").select_option(index=1)
    field(phone, "Subject", exact=True).fill("Three hours of waiting")
    field(phone, "Your message").fill("I waited three hours at the residence permits counter, with no information.")
    field(phone, "Your name").fill("John Payet")
    field(phone, "Your e-mail address").fill("john.payet@example.org")
    tick(phone, "I agree that the prefecture processes these data", tap=True)
    phone.get_by_role("button", name="Send my request").tap()
    phone.wait_for_url("**/en/la-reunion/reclamations/confirmation/")
    case = Case.objects.get()
    assert case.language == "en"
    expect(phone.locator("#content")).to_contain_text(case.reference)
    axe("the confirmation, in English (phone)")

    [acknowledgement] = mail.outbox
    assert acknowledgement.subject == f"Acknowledgement of receipt – your request {case.reference}"
    [link] = links_in(acknowledgement.body, live_server.url)
    assert "/en/suivi/" in link
    phone.goto(link)
    expect(phone.get_by_role("heading", level=1)).to_contain_text(case.reference)
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.get_by_role("link", name="Download the receipt of your request")).to_be_visible()
    axe("the tracking page, in English (phone)")
    axe.assert_clean()
