"""The citizen's last word, in a real browser: the receipt of what they filed downloaded from the tracking page;
once the case is answered and closed, the redress routes and the reopening by writing again — axe-audited."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from complaints.enums import Status
from complaints.models import Case
from complaints.services import case_transition
from qualipref.models import User

from . import data
from .browser import field
from .conftest import links_in
from .test_accessibility import Audit
from .test_complaint_journey import file_complaint, officer_answers, reunion  # noqa: F401 (the fixture)

pytestmark = pytest.mark.e2e


def test_citizen_downloads_the_receipt_then_reopens_the_closed_case(web, new_tab, reunion, live_server):  # noqa: F811
    axe = Audit(web)
    file_complaint(web)
    web.wait_for_url("**/reclamations/confirmation/")
    case = Case.objects.get()
    [tracking_link] = links_in(mail.outbox[0].body, live_server.url)

    web.goto(tracking_link)
    receipt = web.get_by_role("link", name="Télécharger l’accusé de dépôt de votre demande")
    response = web.request.get(receipt.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    axe("the tracking page, open case")

    officer_answers(new_tab(), case)
    case_transition(case=case, to=Status.CLOSED, by=User.objects.get(email=data.OFFICER_EMAIL))

    # The answer's e-mail carries the case's live link (each new link replaces the previous one).
    web.goto(links_in(mail.outbox[-1].body, live_server.url)[0])
    expect(web.get_by_text("Si notre réponse ne vous satisfait pas")).to_be_visible()
    expect(web.locator('a[href="https://formulaire.defenseurdesdroits.fr/"]')).to_be_visible()
    expect(web.get_by_role("heading", name="Rouvrir votre demande")).to_be_visible()
    axe("the tracking page, closed case with its redress routes")
    field(web, "Votre message").fill("Le problème est revenu : toujours trois heures d’attente.")
    web.get_by_role("button", name="Envoyer mon message").click()
    expect(web.locator(".fr-alert--success")).to_be_visible()
    case.refresh_from_db()
    assert case.status == Status.REOPENED and case.closed_at is None
    assert case.messages.filter(body__startswith="Le problème est revenu").exists()
    axe("the tracking page, reopened")
    axe.assert_clean()
