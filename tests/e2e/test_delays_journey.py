"""Delivery delays from end to end in a real browser: an officer uploads a file with a bad row in the admin,
the Celery job checks it and the report shows the bad row; the officer accepts the report, reviews the month
(its figures and the import they come from) and publishes it; the public page then shows the average."""

import datetime

import pytest
from playwright.sync_api import expect

from delays.enums import ImportStatus, PublicationStatus
from delays.models import DeliveryImport, MonthPublication
from tests.delays.factories import csv_bytes, delays_pairs, deliveries

from . import data
from .conftest import PASSWORD

pytestmark = pytest.mark.e2e

JANUARY = datetime.date(2026, 1, 1)


@pytest.fixture
def reunion(transactional_db):
    prefecture = data.reunion()
    data.officer(prefecture)
    return prefecture


def log_in(page):
    page.goto("/admin/")
    page.locator("input[name=username]").fill(data.OFFICER_EMAIL)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url("**/admin/")


def test_officer_imports_a_file_reviews_the_month_and_publishes_it(web, new_tab, reunion):
    rows = deliveries(reunion, "TS-PREMIERE", delays_pairs(JANUARY, [10, 20, 30]))
    rows.append(("974", "XX-INCONNU", "", "2026-01-05", "2026-01-20"))
    log_in(web)

    web.goto("/admin/delays/deliveryimport/add/")
    prefecture = web.locator("select[name=prefecture]")
    if prefecture.count():
        prefecture.select_option(label=str(reunion))
    web.locator("input[name=upload]").set_input_files(
        {"name": "livraisons-janvier.csv", "mimeType": "text/csv", "buffer": csv_bytes(rows)}
    )
    web.locator("input[name=_save]").click()

    # The Celery job has checked the file: the report shows the counts and the bad row with its line.
    expect(web.locator("#content")).to_contain_text("4 lignes lues")
    expect(web.locator("#content")).to_contain_text("XX-INCONNU")
    assert DeliveryImport.objects.get().status == ImportStatus.AWAITING_REVIEW
    web.get_by_role("button", name="Accepter et importer les 3 lignes valides").click()
    expect(web.locator(".messagelist")).to_contain_text("Importation acceptée")

    month = MonthPublication.objects.get(month=JANUARY)
    web.goto(f"/admin/delays/monthpublication/{month.pk}/change/")
    figures = web.locator("#month-figures")
    expect(figures).to_contain_text("Titre de séjour – première demande")
    expect(web.locator("#month-sources")).to_contain_text("livraisons-janvier.csv")
    web.get_by_role("button", name="Publier ces chiffres").click()
    expect(web.locator(".messagelist")).to_contain_text("Le mois est publié")
    month.refresh_from_db()
    assert month.status == PublicationStatus.PUBLISHED

    web.goto("/la-reunion/delais/")
    expect(web.get_by_role("heading", level=1)).to_contain_text("Préfecture de La Réunion")
    expect(web.locator("#content")).to_contain_text("20,0 jours")

    # A visitor gets the page from the cache (gzipped, without a nonce): the DSFR's scripts still run.
    visitor = new_tab()
    refused = []
    visitor.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    for _ in range(2):
        response = visitor.goto("/la-reunion/delais/")
        assert response.headers.get("content-encoding") == "gzip"
        expect(visitor.locator("#content")).to_contain_text("20,0 jours")
        visitor.wait_for_function("() => typeof window.dsfr !== 'undefined'")
    assert refused == []
