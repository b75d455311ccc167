"""The results page in a real browser: a summary first and each engagement's details on demand, so that a year of
figures for every engagement stays a page a person can scroll, on a desktop and on a phone; no badge is cut off."""

import datetime
import zoneinfo

import pytest
import time_machine
from playwright.sync_api import expect

from engagements.models import Engagement
from qualipref.dates import add_months
from tests.engagements.factories import MonthlyIndicatorFactory

from . import data
from .browser import dsfr_settled
from .test_accessibility import Audit

pytestmark = pytest.mark.e2e

# The page's height, in CSS pixels, with a year of figures for every engagement of the referential (it was 25,000 on
# a desktop and 34,000 on a phone).
MAX_HEIGHT = 5_000
DECEMBER_20 = datetime.datetime(2026, 12, 20, 10, 0, tzinfo=zoneinfo.ZoneInfo("Indian/Reunion"))

# Each badge: its text fits inside it, and it stays inside the element that holds it.
BADGES_CUT_OFF = """() => [...document.querySelectorAll('main .fr-badge')].filter(badge => {
  const box = badge.getBoundingClientRect();
  if (box.width === 0) return false;  // inside a closed accordion: not shown
  const holder = badge.parentElement.getBoundingClientRect();
  const main = document.querySelector('main').getBoundingClientRect();
  return badge.scrollWidth > badge.clientWidth + 1 || box.left < holder.left - 1 || box.right > holder.right + 1
    || box.left < main.left || box.right > Math.min(main.right, document.documentElement.clientWidth);
}).map(badge => badge.textContent.trim())"""


@pytest.fixture
def a_year_of_results(transactional_db):
    prefecture = data.reunion()
    latest = datetime.date(2026, 11, 1)
    for engagement in Engagement.objects.all():
        version = engagement.versions.first()
        for back in range(12):
            value = 40 + 5 * back
            MonthlyIndicatorFactory(
                prefecture=prefecture,
                engagement=engagement,
                version=version,
                month=add_months(latest, -back),
                numerator=value,
                denominator=100,
                value=value,
                target_value=version.target_value,
                comparator=version.comparator,
                unit=version.unit,
                met=value >= version.target_value,
            )
    return prefecture


# What a failure of the height needs to be understood: how many sections, how many open, what styles.
LAYOUT = """() => ({
    sections: document.querySelectorAll(".fr-accordion").length,
    open: document.querySelectorAll(".fr-collapse--expanded, [aria-expanded=true]").length,
    stylesheets: [...document.styleSheets].map((sheet) => sheet.href),
    width: document.documentElement.clientWidth,
})"""


def page_height(page):
    return page.evaluate("document.documentElement.scrollHeight")


@pytest.mark.parametrize("device", ["web", "phone"])
def test_the_results_page_is_a_summary_with_details_on_demand(device, request, a_year_of_results):
    page = request.getfixturevalue(device)
    with time_machine.travel(DECEMBER_20, tick=True):
        page.goto("/la-reunion/resultats/")
        expect(page.locator("h1")).to_contain_text("Nos résultats")
        dsfr_settled(page)
        height = page_height(page)
        print(f"{device}: {height} px")
        assert height < MAX_HEIGHT, f"{device}: {height} px; {page.evaluate(LAYOUT)}"
        assert page.evaluate(BADGES_CUT_OFF) == []
        # The details of an engagement open on demand: its chart and its twelve months.
        wording = "Nous répondons à chacune de vos réclamations dans un délai de 15 jours ouvrés."
        page.get_by_role("button", name=wording).click()
        expect(page.locator("table caption", has_text=f"{wording}\u00a0: les 12 derniers mois")).to_be_visible()
        expect(page.locator("figure.qp-chart svg").filter(visible=True)).to_have_count(1)
        assert page.evaluate(BADGES_CUT_OFF) == []
        audit = Audit(page)
        audit(f"results page, one engagement open ({device})")
        for url in ("/reseau/", "/en/reseau/", "/en/la-reunion/resultats/"):
            audit.visit(url, f"{url} ({device})")
        expect(
            page.get_by_role("button", name="We answer each of your complaints within 15 working days.")
        ).to_be_visible()
        audit.assert_clean()
