"""Public results show only months whose data can be complete (``periods.results_complete_before``): the month is
over in the prefecture's time zone and its delays have had until the 15th of the next month to be published."""

import datetime
import json
import re
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from engagements.services import engagement_version_add
from tests.qualipref.factories import PrefectureFactory

from .factories import MonthlyIndicatorFactory, engagement

pytestmark = pytest.mark.django_db

REUNION = zoneinfo.ZoneInfo("Indian/Reunion")
OCTOBER, NOVEMBER = datetime.date(2026, 10, 1), datetime.date(2026, 11, 1)
# 3 December 2026, 10:00 in Saint-Denis: November is over, but its delays may still be published.
THIRD_OF_DECEMBER = datetime.datetime(2026, 12, 3, 10, 0, tzinfo=REUNION)
FIFTEENTH_OF_DECEMBER = datetime.datetime(2026, 12, 15, 10, 0, tzinfo=REUNION)


@pytest.fixture(autouse=True)
def _french():
    translation.activate("fr")


@pytest.fixture
def delays_shown(reunion):
    """La Réunion displayed every delay in October; November's are not published yet (0 %)."""
    displayed = engagement("DELAIS-AFFICHES")
    MonthlyIndicatorFactory(prefecture=reunion, engagement=displayed, month=OCTOBER, value=100, target_value=100)
    MonthlyIndicatorFactory(
        prefecture=reunion, engagement=displayed, month=NOVEMBER, numerator=0, value=0, target_value=100, met=False
    )
    return displayed


def test_the_rule_of_complete_months():
    from engagements.periods import results_complete_before

    assert results_complete_before(datetime.date(2026, 12, 3)) == NOVEMBER
    assert results_complete_before(datetime.date(2026, 12, 14)) == NOVEMBER
    assert results_complete_before(datetime.date(2026, 12, 15)) == datetime.date(2026, 12, 1)


def test_on_3_december_the_results_page_headlines_october_not_november(client, reunion, delays_shown):
    with time_machine.travel(THIRD_OF_DECEMBER, tick=False):
        response = client.get(reverse("results:prefecture", kwargs={"slug": reunion.slug}))
    html = response.content.decode()
    assert response.context["latest_month"] == OCTOBER
    assert "Chiffres d’octobre 2026" in html or "octobre 2026" in html
    assert "novembre 2026" not in html
    assert not re.search(r"[^\d,]0,0 %", html) and "Objectif non atteint" not in html


def test_from_the_15th_november_is_shown(client, reunion, delays_shown):
    with time_machine.travel(FIFTEENTH_OF_DECEMBER, tick=False):
        response = client.get(reverse("results:prefecture", kwargs={"slug": reunion.slug}))
    assert response.context["latest_month"] == NOVEMBER
    assert "Objectif non atteint" in response.content.decode()


def test_on_3_december_the_network_and_open_data_stop_at_october(client, reunion, delays_shown):
    with time_machine.travel(THIRD_OF_DECEMBER, tick=False):
        network = client.get(reverse("results:network"))
        files = client.get(reverse("results:network_open_data", kwargs={"fmt": "json"}))
    html = network.content.decode()
    assert network.context["month"] == OCTOBER
    assert "octobre 2026" in html and "novembre 2026" not in html
    rows = json.loads(b"".join(files.streaming_content))["donnees"]
    assert [row["mois"] for row in rows] == ["2026-10"]


def test_the_network_names_its_headline_engagements_with_their_units(client, reunion, delays_shown):
    with time_machine.travel(THIRD_OF_DECEMBER, tick=False):
        html = client.get(reverse("results:network")).content.decode()
    table = html.split('id="network"')[1].split("</table>")[0]
    assert "DELAIS-AFFICHES" not in table and "RECLAMATIONS-15J" not in table
    assert "Nous affichons nos délais moyens de délivrance pour chaque titre. (%)" in table
    assert "100,0 %" in table


def test_the_network_shows_the_wording_in_force_that_month_not_a_future_one(client, reunion, delays_shown):
    engagement_version_add(
        engagement=delays_shown,
        valid_from=datetime.date(2027, 1, 1),
        wording="Nous publions chaque mois nos délais de délivrance.",
        target_value=100,
        unit="percent",
        comparator="gte",
    )
    with time_machine.travel(THIRD_OF_DECEMBER, tick=False):
        html = client.get(reverse("results:network")).content.decode()
    assert "Nous publions chaque mois" not in html
    assert "Nous affichons nos délais moyens de délivrance pour chaque titre." in html


def test_a_national_figure_says_how_many_prefectures_it_covers(client, reunion, delays_shown):
    PrefectureFactory(department_code="94", name="Val-de-Marne", slug="val-de-marne")
    with time_machine.travel(THIRD_OF_DECEMBER, tick=False):
        html = client.get(reverse("results:network")).content.decode()
    national = html.split('id="national"')[1].split("</table>")[0]
    assert "moyenne de 1 préfecture sur 2" in national
