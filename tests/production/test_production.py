"""The portal as a prefecture deploys it (runtime dependencies only, DEBUG off, collected static files, gunicorn,
a Celery worker, PostgreSQL, Redis), in Chromium: styled pages, no refused resource, the citizen's and the
officer's journeys, an audit report built by the worker."""

import base64
import datetime
import hashlib
import io
import re
import time
import urllib.request
from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from surveys import kiosk
from tests.e2e.browser import admin_login
from tests.e2e.test_accessibility import PUBLIC_PAGES, Audit
from tests.e2e.test_complaint_journey import file_complaint
from tests.e2e.test_kiosk_journey import TABLET, answer_every_question, kiosk_link_from_the_admin

pytestmark = pytest.mark.e2e

DEMO_PASSWORD = "demo-qualipref"
OFFICER = "qualite.974@example.org"
CITIZEN = "marie.hoarau@example.org"
# A past quarter whatever the day: last year's fourth.
PERIOD = f"{datetime.datetime.now(datetime.UTC).year - 1}-T4"
PREFECTURE = "974 – La Réunion"
KIOSK_POINT = "Accueil – Préfecture de Saint-Denis"


def _get(url):
    request = urllib.request.Request(url.replace("//localhost:", "//127.0.0.1:"), headers={"Host": "localhost"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


def test_every_integrity_checksum_matches_the_file_served(production):
    """django-dsfr links its stylesheets and scripts with SRI checksums: the collected files must be the same bytes,
    or the browser refuses them and every page loses the State's design."""
    html = _get(production.url + "/la-reunion/").decode()
    tags = re.findall(r"<(?:link|script)\b[^>]*\bintegrity=[^>]*>", html)
    assert len(tags) >= 4, html[:2000]
    for tag in tags:
        url = re.search(r'\b(?:href|src)="([^"]+)"', tag).group(1)
        algorithm, expected = re.search(r'\bintegrity="([^"]+)"', tag).group(1).split("-", 1)
        served = _get(urljoin(production.url + "/", url))
        assert base64.b64encode(hashlib.new(algorithm, served).digest()).decode() == expected, url


def test_public_pages_are_styled_clean_and_accessible(production, browse):
    tab = browse(production.url)
    audit = Audit(tab.page)
    for url in PUBLIC_PAGES:
        audit.visit(url)
        tab.assert_styled()
    tab.assert_clean()
    audit.assert_clean()


def test_citizen_files_a_complaint_and_follows_the_tracking_link(production, browse):
    tab = browse(production.url)
    file_complaint(tab.page)
    tab.page.wait_for_url("**/reclamations/confirmation/")
    reference = re.search(r"974-\d{4}-\d{6}", tab.page.locator("#content").inner_text()).group(0)
    tab.assert_styled()

    # The acknowledgement leaves through the outbox and the worker, with the private link to the server.
    [(_to, _subject, text)] = production.wait_for_email(CITIZEN)
    assert reference in text
    [link] = set(re.findall(r"https?://\S+/suivi/\S+/", text))
    assert link.startswith(production.url + "/")
    tab.page.goto(link)
    expect(tab.page.locator("#content")).to_contain_text(reference)
    tab.assert_styled()
    tab.assert_clean()


def test_officer_reads_the_dashboard_and_the_worker_builds_an_audit_report(production, browse):
    tab = browse(production.url)
    page = tab.page
    admin_login(page, OFFICER, DEMO_PASSWORD)
    dashboard = page.locator("#officer-dashboard")
    expect(dashboard).to_contain_text("La Réunion")
    # The administration's own style applies (the collected admin stylesheets, not a bare page).
    assert page.evaluate("getComputedStyle(document.querySelector('#header')).display") == "flex"
    dashboard.locator("a").first.click()
    expect(page.locator("#result_list")).to_be_visible()

    # Adding a report asks the worker to build it; the officer finds the PDF in the list, and an e-mail.
    page.goto("/admin/reports/auditreport/add/")
    page.locator("select[name=prefecture]").select_option(label=PREFECTURE)
    page.locator("input[name=period]").fill(PERIOD)
    page.locator("#content form [type=submit]").click()
    page.wait_for_url("**/admin/reports/auditreport/")
    expect(page.locator(".messagelist")).to_contain_text("vous recevrez un courriel")
    pdf_link = page.locator("#result_list a", has_text="PDF")
    deadline = time.monotonic() + 240
    while not pdf_link.count():
        assert time.monotonic() < deadline, production.log("worker")
        time.sleep(2)
        page.reload()
    row = page.locator("#result_list tbody tr", has=page.locator("a", has_text="PDF"))
    response = page.request.get(pdf_link.first.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    pages = len(PdfReader(io.BytesIO(response.body())).pages)
    assert pages >= 1 and str(pages) in row.locator("td.field-page_count").inner_text()
    assert any("rapport" in subject.lower() for _to, subject, _text in production.wait_for_email(OFFICER))
    tab.assert_clean()


def test_officer_gives_a_counter_tablet_its_link_and_citizens_answer_in_turn(production, browse):
    tab = browse(production.url)
    admin_login(tab.page, OFFICER, DEMO_PASSWORD)
    link = kiosk_link_from_the_admin(tab.page, KIOSK_POINT)
    assert link.startswith(production.url + "/borne/")

    tablet = browse(production.url, **TABLET)
    tablet.page.clock.install()
    for _citizen in range(2):
        tablet.page.goto(link)
        tablet.assert_styled()
        answer_every_question(tablet.page)
        tablet.page.get_by_role("button", name="Envoyer mes réponses").tap()
        tablet.page.wait_for_url("**/merci/")
        expect(tablet.page.get_by_role("heading", level=1)).to_have_text("Merci pour vos réponses")
        # The collected script brings the survey back for the next person.
        tablet.page.clock.run_for(kiosk.THANKS_SECONDS * 1000 + 500)
        tablet.page.wait_for_url(link)
        expect(tablet.page.get_by_role("button", name="Envoyer mes réponses")).to_be_visible()
    tablet.assert_clean()
    tab.assert_clean()


def test_officer_reads_the_evidence_library_adds_a_version_and_opens_the_self_assessment(production, browse):
    """Issue 18's officer pages as deployed: the evidence library's files in production's media storage (the demo's
    downloaded, a new version uploaded and read back) and the demo's self-assessment grid with its flagged line."""
    from tests.samples import PNG_BYTES

    tab = browse(production.url)
    page = tab.page
    admin_login(page, OFFICER, DEMO_PASSWORD)
    page.goto("/admin/evidence/document/")
    page.get_by_role("link", name="Procédure de traitement des réclamations et suggestions").click()
    first = page.get_by_role("link", name=re.compile(r"^Télécharger la version 1 "))
    response = page.request.get(first.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    page.locator("input[name=new_file]").set_input_files(
        files=[{"name": "affiche-accueil.png", "mimeType": "image/png", "buffer": PNG_BYTES}]
    )
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist")).to_contain_text("modifié")
    third = page.get_by_role("link", name="Télécharger la version 3 (affiche-accueil.png)").first
    response = page.request.get(third.get_attribute("href"))
    assert response.status == 200 and response.body() == PNG_BYTES

    page.goto("/admin/audits/selfassessment/")
    page.locator("#result_list tbody tr a").first.click()
    expect(page.locator(".errornote", has_text="Signalé").first).to_be_visible()
    tab.assert_clean()
