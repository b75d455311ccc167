"""A citizen's e-mail reaches an officer: delivered to La Réunion's mailbox on a real IMAP server (Dovecot), read as
Celery beat reads it, and found by the officer in the admin's case list, channel e-mail, with its photo and the
refused winmail.dat listed on the case page."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from complaints.models import Case, Mailbox

from . import data
from .conftest import PASSWORD

pytestmark = pytest.mark.e2e


def test_an_officer_finds_the_email_case_with_its_refused_file(web, live_server, dovecot, settings, monkeypatch):
    reunion = data.reunion()
    data.officer(reunion)
    username, password = dovecot.account()
    settings.QUALIPREF_MAILBOX_CA_FILE = str(dovecot.cert)
    monkeypatch.setenv("QUALIPREF_MAILBOX_PASSWORD_974", password)
    Mailbox.objects.create(
        prefecture=reunion, address="qualite@reunion.gouv.fr", host="127.0.0.1", port=dovecot.port, username=username
    )
    call_command("mailbox_deliver_sample", prefecture="974")
    call_command("mailbox_fetch", prefecture="974")
    case = Case.objects.get()

    web.goto("/admin/")
    web.locator("input[name=username]").fill(data.OFFICER_EMAIL)
    web.locator("input[name=password]").fill(PASSWORD)
    web.locator("input[type=submit]").click()
    web.wait_for_url("**/admin/")
    web.goto("/admin/complaints/case/?channel__exact=email")
    web.get_by_role("link", name=case.reference).click()

    expect(web.locator("div.field-channel")).to_contain_text("Courriel")
    expect(web.locator("div.field-name")).to_contain_text("Aïcha Ben Saïd")
    expect(web.locator("#content")).to_contain_text("file-d-attente.png")
    refused = web.get_by_role("group", name="Pièces reçues par courriel et refusées")
    expect(refused).to_contain_text("winmail.dat")
    expect(refused).to_contain_text("n’est pas un fichier accepté")
