"""``make run`` as a newcomer runs it, with the runtime dependencies only: embedded defaults (SQLite, Celery tasks
run in the web process), the demo loaded; the demo's officer builds an audit report and downloads it."""

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.browser import admin_login

from .test_production import DEMO_PASSWORD, OFFICER, PERIOD, PREFECTURE

pytestmark = pytest.mark.e2e


def test_demo_officer_builds_and_downloads_an_audit_report(make_run, browse):
    tab = browse(make_run)
    page = tab.page
    admin_login(page, OFFICER, DEMO_PASSWORD)
    page.goto("/admin/reports/auditreport/")
    pdf_links = page.locator("#result_list a", has_text="PDF")
    built_before = pdf_links.count()  # the demo's own report of the last quarter

    page.goto("/admin/reports/auditreport/add/")
    page.locator("select[name=prefecture]").select_option(label=PREFECTURE)
    page.locator("input[name=period]").fill(PERIOD)
    # Eager Celery: the report is built within the request.
    page.locator("#content form [type=submit]").click(timeout=240_000)
    page.wait_for_url("**/admin/reports/auditreport/", timeout=240_000)
    expect(page.locator(".messagelist")).to_contain_text("vous recevrez un courriel")
    expect(pdf_links).to_have_count(built_before + 1)
    pdf_link = pdf_links.first  # the newest report first
    response = page.request.get(pdf_link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(response.body())).pages) >= 1
    tab.assert_clean()
