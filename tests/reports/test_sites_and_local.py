"""The report's results by site and its local engagements and targets."""

import datetime
from decimal import Decimal

import pytest

from complaints.enums import Status
from engagements.services import local_target_add, monthly_indicators_refresh
from qualipref.enums import SiteKind
from reports.data import gather
from reports.render import render_html
from tests.complaints.factories import CaseFactory
from tests.engagements.factories import EngagementVersionFactory, LocalEngagementFactory, engagement, local
from tests.qualipref.factories import SiteFactory

from .conftest import QUARTER

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_sites(reunion):
    saint_denis = SiteFactory(prefecture=reunion, name="Préfecture de Saint-Denis")
    saint_pierre = SiteFactory(
        prefecture=reunion, name="Sous-préfecture de Saint-Pierre", kind=SiteKind.SUB_PREFECTURE
    )
    received = QUARTER.start + datetime.timedelta(days=3)
    for site, days in ((saint_denis, 2), (saint_denis, 4), (saint_pierre, 45)):
        CaseFactory(
            prefecture=reunion,
            site=site,
            received_on=received,
            due_on=received + datetime.timedelta(days=21),
            answered_at=local(reunion, received + datetime.timedelta(days=days)),
            status=Status.ANSWERED,
        )
    return saint_denis, saint_pierre


@pytest.mark.parametrize("nightly", [False, True], ids=["computed", "nightly"])
def test_the_report_has_the_figures_of_each_site(reunion, two_sites, nightly):
    if nightly:
        monthly_indicators_refresh(prefecture=reunion, months=QUARTER.months)
    data = gather(reunion, QUARTER)
    table = data["engagements"]["sites"]
    assert [site["name"] for site in table["sites"]] == [
        "Préfecture de Saint-Denis",
        "Sous-préfecture de Saint-Pierre",
    ]
    assert [site["sub_prefecture"] for site in table["sites"]] == [False, True]
    rows = {row["wording"]: row for row in table["rows"]}
    on_time = rows[engagement("RECLAMATIONS-15J").versions.first().wording]
    assert [cell["value"] for cell in on_time["sites"]] == [100, 0]
    assert [cell["met"] for cell in on_time["sites"]] == [True, False]
    assert on_time["value"] == Decimal("66.67")


def test_the_report_marks_local_engagements_and_targets(reunion, two_sites):
    own = LocalEngagementFactory(prefecture=reunion, version=None)
    EngagementVersionFactory(engagement=own, valid_from=datetime.date(2026, 1, 1), wording="Rendez-vous sous 48 h.")
    local_target_add(
        prefecture=reunion, engagement=engagement("RECLAMATIONS-15J"), valid_from=QUARTER.start, target_value=95
    )
    data = gather(reunion, QUARTER)
    rows = {row["code"]: row for row in data["engagements"]["rows"]}
    assert rows[own.code]["local"] is True
    assert rows["RECLAMATIONS-15J"]["local_target"] is True and rows["RECLAMATIONS-15J"]["target"] == 95
    html = render_html(data)
    assert "Résultats par site" in html
    assert "engagement local" in html and "objectif local" in html
