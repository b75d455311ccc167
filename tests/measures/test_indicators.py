"""The engagements of calls, counter wait and mystery shopper: the imported figure for a month with data, the
manual one (with its evidence) otherwise; months added up into a quarter."""

import datetime
from decimal import Decimal

import pytest

from engagements.enums import Source
from engagements.indicators import compute, drilldown
from engagements.models import MonthlyIndicator
from engagements.periods import Period
from measures.enums import Channel, CriterionResult, ImportKind
from measures.models import MysteryCriterion, MysteryVisit
from measures.services import mystery_visit_save
from tests.engagements.factories import ManualMeasureFactory, engagement

from .conftest import FEBRUARY, run_import, sample

pytestmark = pytest.mark.django_db

JANUARY = datetime.date(2026, 1, 1)


def values(prefecture, period):
    return {figure.engagement.code: figure.value for figure in compute(prefecture, [period])[period]}


def test_the_seeded_engagements_are_measured_from_the_imports():
    assert {
        code: engagement(code).source
        for code in ("TELEPHONE-5-SONNERIES", "APPELS-PERDUS", "ATTENTE-GUICHET", "COURTOISIE-VISITE-MYSTERE")
    } == {
        "TELEPHONE-5-SONNERIES": Source.CALLS_ANSWERED,
        "APPELS-PERDUS": Source.CALLS_LOST,
        "ATTENTE-GUICHET": Source.COUNTER_WAIT,
        "COURTOISIE-VISITE-MYSTERE": Source.MYSTERY_SCORE,
    }


def grid_visit(prefecture, site, results, *, by=None):
    """A visit on ``FEBRUARY`` 10th with the first criteria of the grid given ``results``."""
    criteria = list(MysteryCriterion.objects.filter(channel="").order_by("position")[: len(results)])
    visit = MysteryVisit(
        prefecture=prefecture, site=site, visited_on=FEBRUARY.replace(day=10), channel=Channel.COUNTER
    )
    return mystery_visit_save(visit=visit, results=dict(zip(criteria, [(r, "") for r in results], strict=True)), by=by)


def test_imported_months_take_the_computed_figure_and_other_months_keep_the_manual_one(reunion, sites):
    saint_denis, _saint_pierre = sites
    run_import(reunion, ImportKind.CALLS, sample("appels.csv"))
    run_import(reunion, ImportKind.TICKETS, sample("tickets.csv"))
    M, N, NA = CriterionResult.MET, CriterionResult.NOT_MET, CriterionResult.NOT_APPLICABLE  # noqa: N806
    grid_visit(reunion, saint_denis, [M, M, N, NA])  # 2 met of 3 applicable: 6.67 out of 10
    # Typed figures: January has no import (kept), February has (the import wins over what was typed).
    for month in (JANUARY, FEBRUARY):
        ManualMeasureFactory(prefecture=reunion, month=month, numerator=36, denominator=40)  # 90 %
        ManualMeasureFactory(
            prefecture=reunion, month=month, engagement=engagement("ATTENTE-GUICHET"), numerator=None, value=25
        )
        ManualMeasureFactory(
            prefecture=reunion,
            month=month,
            engagement=engagement("COURTOISIE-VISITE-MYSTERE"),
            numerator=None,
            value=Decimal("9.0"),
        )
    february = values(reunion, Period.month(FEBRUARY))
    assert february["TELEPHONE-5-SONNERIES"] == Decimal("50.00")  # 5 of 10 calls within 25 s
    assert february["APPELS-PERDUS"] == Decimal("30.00")  # 3 of 10 not answered
    assert february["ATTENTE-GUICHET"] == Decimal("16.71")  # 117 minutes over 7 tickets called
    assert february["COURTOISIE-VISITE-MYSTERE"] == Decimal("6.67")
    january = values(reunion, Period.month(JANUARY))
    assert january["TELEPHONE-5-SONNERIES"] == Decimal("90.00")
    assert january["APPELS-PERDUS"] is None  # nothing imported, nothing typed
    assert january["ATTENTE-GUICHET"] == Decimal("25.00")
    assert january["COURTOISIE-VISITE-MYSTERE"] == Decimal("9.00")
    # The quarter: calls added up (36 + 5 of 40 + 10), the wait and the score as the mean of their months.
    quarter = values(reunion, Period.quarter(2026, 1))
    assert quarter["TELEPHONE-5-SONNERIES"] == Decimal("82.00")
    assert quarter["ATTENTE-GUICHET"] == Decimal("20.86")  # (25 + 16.714…) / 2
    assert quarter["COURTOISIE-VISITE-MYSTERE"] == Decimal("7.83")  # (9 + 6.666…) / 2


def test_the_drilldown_lists_the_imported_calls_behind_the_figure(reunion, sites):
    run_import(reunion, ImportKind.CALLS, sample("appels.csv"))
    found = drilldown(reunion, engagement("TELEPHONE-5-SONNERIES"), Period.month(FEBRUARY))
    assert found.records.count() == 10
    assert found.records.filter(counted=True).count() == 5
    assert found.figure.value == Decimal("50.00")


def test_an_import_refreshes_the_monthly_figures(reunion, sites, on_commit_immediately):
    run_import(reunion, ImportKind.CALLS, sample("appels.csv"))
    figure = MonthlyIndicator.objects.get(prefecture=reunion, engagement=engagement("APPELS-PERDUS"), month=FEBRUARY)
    assert figure.value == Decimal("30.00")
    assert figure.met is False  # the target is at most 10 %
