"""The figures of a report, computed from the records with a bounded number of queries."""

import datetime
from decimal import Decimal

import pytest

from complaints.enums import Kind, Status
from complaints.models import Case
from reports.data import gather
from tests.complaints.factories import CaseFactory

from .conftest import PREVIOUS, QUARTER

pytestmark = pytest.mark.django_db


def expected_complaints(prefecture, period, today):
    """The complaints' figures, computed here in Python from the rows, independently of the report's SQL."""
    received = [
        case
        for case in Case.objects.filter(prefecture=prefecture).exclude(status=Status.REJECTED)
        if period.start <= case.received_on <= period.end
    ]
    complaints = [case for case in received if case.kind == Kind.COMPLAINT]
    settled = [
        case
        for case in complaints
        if case.answered_at or (case.due_on < today and case.status != Status.WAITING_CITIZEN)
    ]
    on_time = [
        case
        for case in settled
        if case.answered_at and case.answered_at.astimezone(prefecture.tzinfo).date() <= case.due_on
    ]
    return len(received), len(on_time), len(settled)


def test_gather_counts_the_cases_of_the_period_and_the_share_answered_on_time(reunion, quarter_data):
    data = gather(reunion, QUARTER)
    total, on_time, settled = expected_complaints(reunion, QUARTER, reunion.today())
    complaints = data["complaints"]
    assert complaints["total"] == total == 7
    assert complaints["previous_total"] == expected_complaints(reunion, PREVIOUS, reunion.today())[0] == 2
    assert (complaints["on_time"]["numerator"], complaints["on_time"]["denominator"]) == (on_time, settled)
    assert complaints["on_time"]["value"] == Decimal("66.7")
    assert complaints["satisfaction"]["value"] == Decimal("75.0")
    assert {line["key"]: line["count"] for line in complaints["by_kind"]} == {"complaint": 6, "suggestion": 1}
    assert {line["label"]: line["count"] for line in complaints["by_service"]} == {
        "Titres de séjour": 5,
        "Permis de conduire": 2,
    }


def test_gather_reads_surveys_committee_actions_and_delays(reunion, quarter_data):
    data = gather(reunion, QUARTER)
    site = data["surveys"]["sites"][0]
    assert (site["site"], site["satisfaction"], site["nps"]) == ("Préfecture de Saint-Denis", Decimal("66.7"), 33)
    committee = data["committee"]
    assert committee["held"] == 1
    assert (committee["attendance"]["present"], committee["attendance"]["recorded"]) == (2, 3)
    assert committee["opinions_total"] == 1
    actions = data["actions"]
    assert (actions["done"], actions["overdue"]) == (1, 1)
    title = data["delays"]["titles"][0]
    assert (title["mean"], title["previous_mean"], title["national_mean"]) == (
        Decimal("30.0"),
        Decimal("40.0"),
        Decimal("40.0"),
    )


def test_gather_runs_the_same_number_of_queries_whatever_the_number_of_cases(
    reunion, quarter_data, django_assert_max_num_queries
):
    gather(reunion, QUARTER)  # the working-days calendar is written once
    # 40, and the audit cycle's chapter (the prefecture's cycles, the quarter's audits with their findings, the
    # latest self-assessment: one query without any, three with one), and the measured figures by site (calls,
    # tickets, mystery visits: three grouped queries).
    with django_assert_max_num_queries(46) as first:
        gather(reunion, QUARTER)
    for i in range(30):
        CaseFactory(prefecture=reunion, received_on=datetime.date(2026, 7, 1 + i), due_on=datetime.date(2026, 8, 30))
    with django_assert_max_num_queries(len(first.captured_queries)):
        gather(reunion, QUARTER)


def test_engagements_read_from_the_nightly_figures_equal_those_computed_from_the_records(reunion, quarter_data):
    from engagements.indicators import compute
    from engagements.services import monthly_indicators_refresh
    from reports.data import materialised

    assert materialised(reunion, [PREVIOUS, QUARTER]) is None  # nothing stored yet: computed from the records
    monthly_indicators_refresh(prefecture=reunion, months=PREVIOUS.months + QUARTER.months)
    stored = materialised(reunion, [PREVIOUS, QUARTER])
    computed = compute(reunion, [PREVIOUS, QUARTER])
    for period in (PREVIOUS, QUARTER):
        assert [(f.engagement.code, f.value) for f in stored[period]] == [
            (f.engagement.code, f.value) for f in computed[period]
        ]
