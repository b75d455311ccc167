"""The officer's journey in the evidence library: a document added with its file and attached to an engagement and a
site, its new version uploaded, the first version downloaded again; the auditor of the prefecture reads it."""

import hashlib

import pytest
from playwright.sync_api import expect

from evidence.models import Document
from tests.audits.factories import auditor_of
from tests.samples import PDF_BYTES, PNG_BYTES

from . import data
from .browser import admin_login
from .conftest import PASSWORD
from .test_accessibility import Audit

pytestmark = pytest.mark.e2e


def test_an_officer_uploads_a_document_and_its_new_version_then_downloads_the_old_one(new_tab, transactional_db):
    prefecture = data.reunion()
    data.officer(prefecture)
    auditor_of(prefecture, email="auditeur@example.org")
    page = new_tab()
    admin_login(page, data.OFFICER_EMAIL, PASSWORD)
    axe = Audit(page)

    page.goto("/admin/evidence/document/add/")
    axe("the evidence document's add form")
    page.get_by_label("Titre").fill("Procédure d’accueil téléphonique")
    page.locator("select[name=kind]").select_option("procedure")
    page.locator("input[name=valid_until]").fill("31/12/2027")
    page.get_by_label("TELEPHONE-5-SONNERIES", exact=False).first.check()
    page.get_by_label("Sous-préfecture de Saint-Pierre").check()
    page.locator("input[name=new_file]").set_input_files(
        files=[{"name": "accueil.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    page.locator("textarea[name=version_note]").fill("Validée en comité de direction")
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist")).to_contain_text("ajouté")
    found = Document.objects.get()
    first = found.current_version
    expect(page.get_by_role("link", name="Télécharger la version 1 (accueil.pdf)")).to_be_visible()
    axe("the evidence document's page, one version")

    # A refused file: the error in French, on the field; what was typed stays.
    page.locator("input[name=new_file]").set_input_files(
        files=[{"name": "affiche.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00 a program"}]
    )
    page.locator("textarea[name=version_note]").fill("Affiche 2027")
    page.locator("input[name=_continue]").click()
    expect(page.locator(".errorlist")).to_contain_text("n’est pas un fichier accepté")
    expect(page.locator("textarea[name=version_note]")).to_have_value("Affiche 2027")
    axe("the evidence document's page, a file refused")

    page.locator("input[name=new_file]").set_input_files(
        files=[{"name": "affiche-2027.png", "mimeType": "image/png", "buffer": PNG_BYTES}]
    )
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist")).to_contain_text("modifié")
    expect(page.get_by_role("link", name="Télécharger la version 2 (affiche-2027.png)").first).to_be_visible()
    found.refresh_from_db()
    assert found.current_version.number == 2 and found.current_version.note == "Affiche 2027"

    with page.expect_download() as downloading:
        page.get_by_role("link", name="Télécharger la version 1 (accueil.pdf)").click()
    download = downloading.value
    assert download.suggested_filename == "accueil.pdf"
    with open(download.path(), "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == first.sha256

    page.goto("/admin/evidence/document/?validity=valid")
    expect(page.get_by_role("link", name="Procédure d’accueil téléphonique")).to_be_visible()
    axe("the evidence library's list, filtered")

    # The prefecture's auditor reads the document and downloads its versions.
    auditor = new_tab()
    admin_login(auditor, "auditeur@example.org", PASSWORD)
    auditor.goto(f"/admin/evidence/document/{found.pk}/change/")
    with auditor.expect_download() as downloading:
        auditor.get_by_role("link", name="Télécharger la version 2 (affiche-2027.png)").first.click()
    assert downloading.value.suggested_filename == "affiche-2027.png"
    Audit(auditor)("the evidence document, read by the auditor")
    axe.assert_clean()
