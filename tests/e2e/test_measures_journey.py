"""Measured calls from end to end in a real browser: an officer imports the telephony system's export in the
admin, reads the line errors of its bad line in the report, then the figures per site computed from the rest;
every page passes axe."""

import datetime

import pytest
from playwright.sync_api import expect

from measures.enums import ImportStatus
from measures.models import Call, MeasureImport

from . import data
from .browser import admin_login
from .conftest import PASSWORD
from .test_accessibility import Audit

pytestmark = pytest.mark.e2e

SITE = "Sous-préfecture de Saint-Pierre"


@pytest.fixture
def reunion(transactional_db):
    prefecture = data.reunion()
    data.officer(prefecture)
    return prefecture


def calls_csv(day):
    """Yesterday's calls at Saint-Pierre (three answered within five rings, one after 30 s, one lost) and a line
    naming a site the prefecture does not have."""
    when = day.strftime("%Y-%m-%d")
    rows = [
        "date_appel;site;duree_sonnerie;issue",
        f"{when} 09:00:05;{SITE};8;repondu",
        f"{when} 09:03:10;{SITE};20;repondu",
        f"{when} 09:05:00;{SITE};3;repondu",
        f"{when} 09:10:00;{SITE};30;repondu",
        f"{when} 10:12:00;{SITE};40;perdu",
        f"{when} 10:20:00;Sous-préfecture de Nulle-Part;12;repondu",
    ]
    return ("\n".join(rows) + "\n").encode()


def test_officer_imports_calls_reads_the_bad_line_then_the_figures_per_site(new_tab, reunion):
    page = new_tab()
    admin_login(page, data.OFFICER_EMAIL, PASSWORD)
    axe = Audit(page)

    page.goto("/admin/measures/measureimport/add/")
    prefecture = page.locator("select[name=prefecture]")
    if prefecture.count():
        prefecture.select_option(label=str(reunion))
    page.locator("select[name=kind]").select_option("calls")
    yesterday = reunion.today() - datetime.timedelta(days=1)
    page.locator("input[name=upload]").set_input_files(
        {"name": "appels-standard.csv", "mimeType": "text/csv", "buffer": calls_csv(yesterday)}
    )
    axe("the measures import's add form")
    page.locator("input[name=_save]").click()

    # The Celery job has checked the file: the report counts the lines and names the bad one with its reason.
    report = page.locator("#import-report")
    expect(report).to_contain_text("6 lignes lues")
    expect(report).to_contain_text("5 lignes valides, 1 lignes erronées")
    bad_line = report.locator("tbody tr").filter(has_text="Nulle-Part")
    expect(bad_line).to_contain_text("7")  # the file's seventh line (the header is the first)
    expect(bad_line).to_contain_text("inconnu")
    expect(report.get_by_role("link", name="Télécharger toutes les lignes erronées (CSV)")).to_be_visible()
    axe("the measures import's report")
    measure_import = MeasureImport.objects.get()
    assert measure_import.status == ImportStatus.DONE
    assert Call.objects.filter(source_import=measure_import).count() == 5

    page.goto("/admin/measures/measureimport/")
    page.get_by_role("link", name="Chiffres par site").click()
    month = page.locator("table").filter(has_text=SITE).first
    row = month.locator("tbody tr").filter(has_text=SITE)
    # 3 of 5 calls answered within 25 seconds; 1 of 5 lost.
    expect(row).to_contain_text("60,0")
    expect(row).to_contain_text("20,0")
    axe("the figures per site")
    axe.assert_clean()
