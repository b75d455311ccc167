"""Times about a prefecture are shown in its own time zone (qualipref/timezones.py), named where a reader may be
elsewhere: La Réunion's 08:30 is not Paris's 05:30, nor Guadeloupe's 00:30 of the same instant."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from complaints.enums import MessageKind
from complaints.tracking_links import tracking_token_issue
from delays.models import DeliveryImport
from tests.committee.factories import AgendaItemFactory, CommentFactory, MeetingFactory, member_with_account
from tests.complaints.factories import CaseFactory, MessageFactory
from tests.delays.factories import DeliveryImportFactory
from tests.qualipref.factories import (
    MembershipFactory,
    PrefectureFactory,
    ServiceFactory,
    SiteFactory,
    coordinator,
    officer_of,
)

pytestmark = pytest.mark.django_db

# 10 March 2026, 04:30 UTC: 08:30 in Saint-Denis (UTC+4), 05:30 in Paris (UTC+1), 00:30 in Guadeloupe (UTC−4).
MOMENT = datetime.datetime(2026, 3, 10, 4, 30, tzinfo=datetime.UTC)
REUNION, PARIS, GUADELOUPE = "08:30", "05:30", "00:30"


@pytest.fixture
def reunion(db):
    prefecture = PrefectureFactory(reunion=True, contact_phone="0262 40 77 77")
    ServiceFactory(prefecture=prefecture)
    SiteFactory(prefecture=prefecture)
    return prefecture


@pytest.fixture
def guadeloupe(db):
    return PrefectureFactory(
        department_code="971", name="Guadeloupe", slug="guadeloupe", time_zone="America/Guadeloupe"
    )


def tracking_page(client, case):
    MessageFactory(case=case, kind=MessageKind.CITIZEN, created_at=MOMENT)
    return client.get(reverse("complaints:tracking", args=[tracking_token_issue(case=case)])).content.decode()


def test_la_reunion_s_tracking_timeline_shows_saint_denis_time(client, reunion):
    html = tracking_page(client, CaseFactory(prefecture=reunion))
    assert f"10 mars 2026 {REUNION}" in html
    assert "Heures de cette page\u00a0: heure de La Réunion." in html
    assert PARIS not in html


def test_a_guadeloupe_case_s_timeline_shows_pointe_a_pitre_time(client, guadeloupe):
    html = tracking_page(client, CaseFactory(prefecture=guadeloupe))
    assert f"10 mars 2026 {GUADELOUPE}" in html
    assert PARIS not in html


def test_the_429_page_gives_the_time_to_retry_in_the_prefecture_s_zone_and_names_it(client, reunion, settings):
    settings.COMPLAINTS_SUBMIT_RATE = "1/h"
    url = reverse("complaints:new", kwargs={"slug": reunion.slug})
    data = {
        "kind": "complaint",
        "service": reunion.services.get().pk,
        "site": reunion.sites.get().pk,
        "topic": "counter",
        "subject": "Trois heures d'attente",
        "description": "J'ai attendu trois heures au guichet sans information.",
        "name": "Marie Hoarau",
        "email": "marie@example.org",
        "consent": "on",
    }
    with time_machine.travel(MOMENT, tick=False):
        assert client.post(url, data).status_code == 302
        response = client.post(url, data)
    assert response.status_code == 429
    retry_at = MOMENT + datetime.timedelta(seconds=int(response["Retry-After"]))
    expected = retry_at.astimezone(reunion.tzinfo).strftime("%H:%M")
    html = " ".join(response.content.decode().split())
    assert f"après {expected}, heure de La Réunion" in html
    assert retry_at.astimezone(datetime.timezone(datetime.timedelta(hours=1))).strftime("%H:%M") not in html


def test_an_admin_change_page_of_a_974_case_shows_saint_denis_time_to_anyone(client, reunion):
    case = CaseFactory(prefecture=reunion, acknowledged_at=MOMENT)
    url = reverse("admin:complaints_case_change", args=[case.pk])
    for reader in (officer_of(reunion), coordinator()):  # the coordinator reads it from Paris
        client.force_login(reader)
        html = client.get(url).content.decode()
        assert f"10 mars 2026 {REUNION}" in html, reader
        assert f"10 mars 2026 {PARIS}" not in html
        assert "Heures de cette page\u00a0: heure de La Réunion." in html


def test_the_history_page_of_a_974_case_shows_saint_denis_time(client, reunion):
    with time_machine.travel(MOMENT, tick=False):
        case = CaseFactory(prefecture=reunion)
    client.force_login(coordinator())
    html = client.get(reverse("admin:complaints_case_history", args=[case.pk])).content.decode()
    assert REUNION in html and f"2026 {PARIS}" not in html and f"/2026 {PARIS}" not in html
    assert "heure de La Réunion" in html


def test_a_guadeloupe_case_s_admin_page_shows_its_own_time(client, guadeloupe):
    case = CaseFactory(prefecture=guadeloupe, acknowledged_at=MOMENT)
    client.force_login(coordinator())
    html = client.get(reverse("admin:complaints_case_change", args=[case.pk])).content.decode()
    assert f"10 mars 2026 {GUADELOUPE}" in html and "heure de la Guadeloupe" in html


def test_a_list_mixing_prefectures_shows_each_row_in_its_own_zone(client, reunion, guadeloupe):
    for prefecture in (reunion, guadeloupe):
        meeting = MeetingFactory(committee__prefecture=prefecture)
        CommentFactory(agenda_item=AgendaItemFactory(meeting=meeting), created_at=MOMENT)
    client.force_login(coordinator())
    html = client.get(reverse("admin:committee_comment_changelist")).content.decode()
    assert f"10/03/2026 {REUNION}, heure de La Réunion" in html
    assert f"10/03/2026 {GUADELOUPE}, heure de la Guadeloupe" in html
    assert PARIS not in html


def test_a_comment_time_in_the_members_space_is_the_prefecture_s(client, reunion):
    member = member_with_account(committee=MeetingFactory(committee__prefecture=reunion).committee)
    meeting = member.committee.meetings.get()
    CommentFactory(agenda_item=AgendaItemFactory(meeting=meeting), member=member, created_at=MOMENT)
    client.force_login(member.user)
    html = client.get(reverse("committee:meeting", args=[meeting.pk])).content.decode()
    assert f"10 mars 2026 {REUNION}" in html
    assert PARIS not in html


def test_a_request_leaves_no_time_zone_behind(client, reunion):
    from django.utils import timezone

    tracking_page(client, CaseFactory(prefecture=reunion))
    assert str(timezone.get_current_timezone()) == "Europe/Paris"


def test_delivery_imports_of_two_zones_list_each_in_its_own_time(client, reunion, guadeloupe):
    for prefecture in (reunion, guadeloupe):
        DeliveryImportFactory(prefecture=prefecture)
    DeliveryImport.objects.update(created_at=MOMENT)  # auto_now_add: set after the fact
    officer = officer_of(reunion)
    MembershipFactory(user=officer, prefecture=guadeloupe)
    client.force_login(officer)
    html = client.get(reverse("admin:delays_deliveryimport_changelist")).content.decode()
    assert f"10/03/2026 {REUNION}, heure de La Réunion" in html
    assert f"10/03/2026 {GUADELOUPE}, heure de la Guadeloupe" in html
    assert PARIS not in html
