"""Every figure of the officer dashboard opens the admin list of exactly the rows it counts."""

import datetime
import re

import pytest
from django.urls import reverse

from committee.enums import ActionStatus, MeetingStatus
from complaints.enums import Status
from qualipref.dates import add_months
from tests.committee.factories import CommitteeFactory, ImprovementActionFactory, MeetingFactory
from tests.complaints.factories import CaseFactory
from tests.evidence.factories import document
from tests.qualipref.factories import MembershipFactory, PrefectureFactory, officer_of

from .factories import MonthlyIndicatorFactory, engagement

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def reunion(db):
    return PrefectureFactory(reunion=True)


@pytest.fixture
def guadeloupe(db):
    return PrefectureFactory(
        department_code="971", name="Guadeloupe", slug="guadeloupe", time_zone="America/Guadeloupe"
    )


def counted_rows(prefecture):
    """Rows the dashboard must count for ``prefecture``, beside rows it must not, by figure."""
    today = prefecture.today()
    month = today.replace(day=1)
    late = {"prefecture": prefecture, "received_on": today - 30 * DAY, "due_on": today - DAY}
    cases = [
        CaseFactory(status=Status.IN_PROGRESS, **late),
        CaseFactory(status=Status.NEW, **late),
    ]
    CaseFactory(status=Status.WAITING_CITIZEN, **late)  # the clock is stopped
    CaseFactory(status=Status.CLOSED, **late)
    CaseFactory(status=Status.IN_PROGRESS, prefecture=prefecture, received_on=today - DAY, due_on=today)

    overdue = [ImprovementActionFactory(prefecture=prefecture, due_on=today - 3 * DAY)]
    soon = [
        *overdue,
        ImprovementActionFactory(prefecture=prefecture, due_on=today + 10 * DAY, status=ActionStatus.PLANNED),
        ImprovementActionFactory(prefecture=prefecture, due_on=today + 30 * DAY),
    ]
    ImprovementActionFactory(prefecture=prefecture, due_on=today + 31 * DAY)
    ImprovementActionFactory(prefecture=prefecture, due_on=today - 3 * DAY, status=ActionStatus.ABANDONED)

    committee = CommitteeFactory(prefecture=prefecture)
    meeting = MeetingFactory(committee=committee, date=today + 5 * DAY)
    MeetingFactory(committee=committee, date=today + 20 * DAY)
    MeetingFactory(committee=committee, date=today + 2 * DAY, status=MeetingStatus.CANCELLED)

    at_risk = [
        MonthlyIndicatorFactory(prefecture=prefecture, month=month, met=False, value=50),
        MonthlyIndicatorFactory(
            prefecture=prefecture, month=month, met=False, value=3, engagement=engagement("TELEPHONE-5-SONNERIES")
        ),
    ]
    MonthlyIndicatorFactory(prefecture=prefecture, month=month, met=True, engagement=engagement("ATTENTE-GUICHET"))
    last_month = add_months(month, -1)
    MonthlyIndicatorFactory(prefecture=prefecture, month=last_month, met=False, value=50)

    lapsed = [document(prefecture, title="Périmé", valid_until=today - DAY)]
    lapsing = [
        document(prefecture, title="Dernier jour", valid_until=today),
        document(prefecture, title="Bientôt", valid_until=today + 30 * DAY),
    ]
    document(prefecture, title="Plus tard", valid_until=today + 31 * DAY)
    document(prefecture, title="Sans échéance")

    return {
        "evidence lapsed": lapsed,
        "evidence lapsing": lapsing,
        "overdue cases": cases,
        "engagements at risk": at_risk,
        "actions due within 30 days": soon,
        "actions overdue": overdue,
        "next meeting": [meeting],
    }


def dashboard_links(html):
    """``{prefecture caption: [(href, text), …]}`` of the dashboard's figure links."""
    dashboard = html.split('id="officer-dashboard"')[1].split("</div>")[0]
    boards = {}
    for table in (chunk.split("</table>")[0] for chunk in dashboard.split("<table>")[1:]):
        caption = re.search(r"<caption>(.*?)</caption>", table).group(1)
        boards[caption] = [
            (href.replace("&amp;", "&"), text.strip())
            for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', table)
            if "/records/" not in href  # the at-risk engagements' own pages
        ]
    return boards


def listed(client, href):
    response = client.get(href)
    assert response.status_code == 200, href
    changelist = response.context["cl"]
    assert "e" not in response.wsgi_request.GET and changelist.has_filters, href  # no "?e=1": the filters applied
    return changelist.result_count, {row.pk for row in changelist.result_list}


def check_board(client, links, expected, prefecture):
    (cases_href, cases_n), (risk_href, risk_n), (due_href, due_n), (late_href, late_n), *dates = links[:-2]
    (lapsed_href, lapsed_n), (lapsing_href, lapsing_n) = links[-2:]
    for (href, text), name in [
        ((lapsed_href, lapsed_n), "evidence lapsed"),
        ((lapsing_href, lapsing_n), "evidence lapsing"),
        ((cases_href, cases_n), "overdue cases"),
        ((risk_href, risk_n), "engagements at risk"),
        ((due_href, due_n), "actions due within 30 days"),
        ((late_href, late_n), "actions overdue"),
    ]:
        count, pks = listed(client, href)
        assert int(text) == count == len(expected[name]), (name, href)
        assert pks == {row.pk for row in expected[name]}, name
    (meeting_href, _meeting_date), (audit_href, _audit_date) = dates
    assert listed(client, meeting_href) == (1, {expected["next meeting"][0].pk})
    assert audit_href == reverse("admin:qualipref_prefecture_change", args=[prefecture.pk])
    assert client.get(audit_href).status_code == 200


def test_every_dashboard_figure_opens_the_list_of_what_it_counts(client, reunion, guadeloupe):
    expected = counted_rows(reunion)
    counted_rows(guadeloupe)  # another prefecture's rows are never in the lists
    client.force_login(officer_of(reunion))
    boards = dashboard_links(client.get(reverse("admin:index")).content.decode())
    assert list(boards) == [str(reunion)]
    check_board(client, boards[str(reunion)], expected, reunion)


def test_an_officer_of_two_prefectures_gets_each_board_s_own_lists(client, reunion, guadeloupe):
    expected = {reunion: counted_rows(reunion), guadeloupe: counted_rows(guadeloupe)}
    officer = officer_of(reunion)
    MembershipFactory(user=officer, prefecture=guadeloupe)
    client.force_login(officer)
    boards = dashboard_links(client.get(reverse("admin:index")).content.decode())
    assert sorted(boards) == sorted([str(reunion), str(guadeloupe)])
    for prefecture, rows in expected.items():
        check_board(client, boards[str(prefecture)], rows, prefecture)
