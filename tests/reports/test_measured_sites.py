"""The report's measured figures by site: calls imported from the telephony system, tickets from the queue
management, mystery visits, each site's and the whole prefecture's over the period."""

import datetime
import re
from decimal import Decimal

import pytest

from engagements.periods import Period
from measures.enums import CriterionResult, ImportKind
from qualipref.enums import SiteKind
from reports.data import gather
from reports.render import render_html
from tests.measures.conftest import run_import, sample
from tests.measures.test_indicators import grid_visit
from tests.qualipref.factories import SiteFactory

pytestmark = pytest.mark.django_db

FIRST_QUARTER = Period.quarter(2026, 1)


@pytest.fixture
def measured(reunion):
    saint_denis = SiteFactory(prefecture=reunion, name="Préfecture de Saint-Denis")
    SiteFactory(prefecture=reunion, name="Sous-préfecture de Saint-Pierre", kind=SiteKind.SUB_PREFECTURE)
    run_import(reunion, ImportKind.CALLS, sample("appels.csv"))
    run_import(reunion, ImportKind.TICKETS, sample("tickets.csv"))
    met, not_met = CriterionResult.MET, CriterionResult.NOT_MET
    grid_visit(reunion, saint_denis, [met, met, met, not_met])  # 3 of 4: 7.5 out of 10
    return reunion


def test_the_report_has_the_measured_figures_of_each_site(measured):
    table = gather(measured, FIRST_QUARTER)["engagements"]["measured_sites"]
    rows = {row["name"]: row for row in table["sites"]}
    assert list(rows) == ["Préfecture de Saint-Denis", "Sous-préfecture de Saint-Pierre"]
    saint_denis, saint_pierre = rows.values()
    # Saint-Denis: 6 calls, 3 answered within 25 s (5 rings of 5 s), 2 lost or abandoned.
    assert (saint_denis["calls"], saint_denis["answer_rate"], saint_denis["lost_rate"]) == (
        6,
        Decimal("50.0"),
        Decimal("33.3"),
    )
    assert (saint_pierre["calls"], saint_pierre["answer_rate"], saint_pierre["lost_rate"]) == (
        4,
        Decimal("50.0"),
        Decimal("25.0"),
    )
    assert (saint_denis["visits"], saint_denis["mystery_score"]) == (1, Decimal("7.5"))
    assert (saint_pierre["visits"], saint_pierre["mystery_score"]) == (0, None)
    assert saint_denis["tickets"] + saint_pierre["tickets"] == table["whole"]["tickets"] == 8
    assert (table["whole"]["calls"], table["whole"]["lost_rate"]) == (10, Decimal("30.0"))


def test_the_pdf_s_html_shows_the_measured_figures_by_site(measured):
    html = render_html(gather(measured, FIRST_QUARTER))
    assert "Appels, attente au guichet et visites mystère mesurés par site" in html
    section = html[html.index('id="measured-sites"') :]
    section = section[: section.index("</table>")]
    cells = [re.sub(r"\s+", " ", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", section, re.S)]
    assert cells[:2] == ["Préfecture de Saint-Denis", "6"]
    assert "50,0 %" in cells and "33,3 %" in cells and "7,5" in cells
    assert "Toute la préfecture" in section


def test_a_period_without_measures_has_no_such_table(measured):
    data = gather(measured, Period.quarter(2025, 4))
    assert data["engagements"]["measured_sites"] is None
    assert 'id="measured-sites"' not in render_html(data)


def test_the_measured_figures_cost_three_queries_whatever_the_rows(measured, django_assert_num_queries):
    from reports.data.measures import _measured_sites

    with django_assert_num_queries(3):
        _measured_sites(measured, FIRST_QUARTER)
    assert datetime.date(2026, 2, 1) in FIRST_QUARTER.months
