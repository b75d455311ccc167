"""The results page's figures by site and its local engagement, in a real browser: read, axe-audited, on a desktop
and on a phone (the table scrolls inside its frame, the page does not)."""

import datetime
import zoneinfo

import pytest
import time_machine
from playwright.sync_api import expect

from complaints.enums import Status
from engagements.services import local_target_add, monthly_indicators_refresh
from qualipref.enums import SiteKind
from tests.complaints.factories import CaseFactory
from tests.engagements.factories import EngagementVersionFactory, LocalEngagementFactory, engagement, local
from tests.qualipref.factories import SiteFactory

from . import data
from .browser import dsfr_settled
from .test_accessibility import Audit

pytestmark = pytest.mark.e2e

DECEMBER_20 = datetime.datetime(2026, 12, 20, 10, 0, tzinfo=zoneinfo.ZoneInfo("Indian/Reunion"))
NOVEMBER = datetime.date(2026, 11, 1)


@pytest.fixture
def sites_and_local(transactional_db):
    with time_machine.travel(DECEMBER_20, tick=False):
        prefecture = data.reunion()
        saint_denis = SiteFactory(prefecture=prefecture, name="Préfecture de Saint-Denis")
        saint_benoit = SiteFactory(
            prefecture=prefecture, name="Sous-préfecture de Saint-Benoît", kind=SiteKind.SUB_PREFECTURE
        )
        for site, days in ((saint_denis, 2), (saint_denis, 5), (saint_benoit, 40)):
            CaseFactory(
                prefecture=prefecture,
                site=site,
                received_on=NOVEMBER,
                due_on=NOVEMBER + datetime.timedelta(days=21),
                answered_at=local(prefecture, NOVEMBER + datetime.timedelta(days=days)),
                status=Status.ANSWERED,
            )
        own = LocalEngagementFactory(
            prefecture=prefecture, code="974-RDV-48H", version=None, source="cases_within_days"
        )
        EngagementVersionFactory(
            engagement=own, wording="Nous répondons en 10 jours ouvrés au plus.", deadline_working_days=10
        )
        local_target_add(
            prefecture=prefecture,
            engagement=engagement("RECLAMATIONS-15J"),
            valid_from=datetime.date(2026, 1, 1),
            target_value=95,
        )
        monthly_indicators_refresh(prefecture=prefecture, months=[NOVEMBER])
    return prefecture


@pytest.mark.parametrize("device", ["web", "phone"])
def test_the_results_by_site_and_the_local_engagement_read_and_pass_axe(device, request, sites_and_local):
    page = request.getfixturevalue(device)
    with time_machine.travel(DECEMBER_20, tick=True):
        page.goto("/la-reunion/resultats/")
        dsfr_settled(page)
        table = page.locator("#results-by-site")
        expect(table).to_be_visible()
        expect(table.locator("thead th")).to_contain_text(
            ["Engagement", "Toute la préfecture", "Préfecture de Saint-Denis", "Sous-préfecture de Saint-Benoît"]
        )
        expect(page.get_by_text("engagement local").first).to_be_visible()
        expect(page.get_by_text("objectif local").first).to_be_visible()
        # The page itself never scrolls sideways: a wide table scrolls in its own frame.
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        audit = Audit(page)
        audit(f"results by site ({device})")
        audit.visit("/en/la-reunion/resultats/", f"results by site, English ({device})")
        audit.assert_clean()
