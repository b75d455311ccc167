import datetime
import re
import zoneinfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints.enums import Status
from complaints.models import DigestLog
from complaints.reminders import digest_recipients, digest_send
from complaints.tasks import send_daily_digests
from qualipref.enums import Role
from tests.qualipref.factories import PrefectureFactory, ServiceFactory, officer_of

from .factories import CaseFactory

D = datetime.date
PARIS = zoneinfo.ZoneInfo("Europe/Paris")

pytestmark = pytest.mark.usefixtures("on_commit_immediately")


@pytest.fixture(autouse=True)
def _quick_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def reunion(db):
    return PrefectureFactory(reunion=True)


@pytest.fixture
def val_de_marne(db):
    return PrefectureFactory(department_code="94", name="Val-de-Marne", slug="val-de-marne")


@pytest.fixture
def wednesday_18_december(time_machine):
    # 7:00 in Paris, 10:00 in La Réunion. Friday the 20th is a holiday in La Réunion only.
    time_machine.move_to(datetime.datetime(2024, 12, 18, 7, 0, tzinfo=PARIS), tick=False)


def case(prefecture, assignee, due_on, status=Status.IN_PROGRESS, **fields):
    return CaseFactory(prefecture=prefecture, assignee=assignee, due_on=due_on, status=status, **fields)


def digests_to(user):
    return [message for message in mail.outbox if message.to == [user.email]]


def tables_of(message):
    """The HTML digest's tables, in order: overdue first, then due soon (whichever are present)."""
    html = message.alternatives[0][0]
    return html.split("<table")[1:]


@pytest.mark.usefixtures("wednesday_18_december")
def test_digest_groups_overdue_and_due_soon_by_the_prefectures_calendar(reunion):
    officer = officer_of(reunion)
    late = case(reunion, officer, D(2024, 12, 17), subject="Attente au guichet")
    due_today = case(reunion, officer, D(2024, 12, 18))
    # Thursday 19, (Friday 20 December is a holiday, then the weekend) Monday 23, Tuesday 24:
    due_in_three = case(reunion, officer, D(2024, 12, 24))
    after_christmas = case(reunion, officer, D(2024, 12, 26))

    send_daily_digests()

    [message] = digests_to(officer)
    overdue_table, due_soon_table = tables_of(message)
    assert late.reference in overdue_table and "Attente au guichet" in overdue_table
    assert due_today.reference in due_soon_table and due_in_three.reference in due_soon_table
    assert late.reference not in due_soon_table and due_today.reference not in overdue_table
    assert after_christmas.reference not in message.body
    assert message.body.index(late.reference) < message.body.index(due_today.reference)
    assert message.body.index(due_today.reference) < message.body.index(due_in_three.reference)
    assert re.findall(r"\d+", message.subject) == ["1", "2"]  # overdue, then due soon
    assert "24 décembre 2024" in message.body


@pytest.mark.usefixtures("wednesday_18_december")
def test_three_working_days_in_paris_do_not_reach_tuesday_24(val_de_marne):
    # Thursday 19, Friday 20, Monday 23: the 24th is four working days away on the mainland.
    officer = officer_of(val_de_marne)
    case(val_de_marne, officer, D(2024, 12, 24))
    send_daily_digests()
    assert digests_to(officer) == []

    due_monday = case(val_de_marne, officer, D(2024, 12, 23))
    send_daily_digests()
    [message] = digests_to(officer)
    assert due_monday.reference in message.body


@pytest.mark.usefixtures("wednesday_18_december")
def test_digest_links_each_case_to_its_admin_page(reunion, settings):
    settings.QUALIPREF_BASE_URL = "https://qualipref.example.org"
    officer = officer_of(reunion)
    late = case(reunion, officer, D(2024, 12, 10))
    send_daily_digests()
    [message] = digests_to(officer)
    link = f"https://qualipref.example.org/admin/complaints/case/{late.pk}/change/"
    assert link in message.body and f'href="{link}"' in message.alternatives[0][0]


@pytest.mark.usefixtures("wednesday_18_december")
def test_each_assignee_gets_one_digest_with_only_their_cases(reunion, val_de_marne):
    nadia, julien, sophie = officer_of(reunion), officer_of(reunion), officer_of(val_de_marne)
    nadias = [case(reunion, nadia, D(2024, 12, day)) for day in (2, 12, 18, 19)]
    juliens = [case(reunion, julien, D(2024, 12, 16))]
    sophies = [case(val_de_marne, sophie, D(2024, 11, 29)), case(val_de_marne, sophie, D(2024, 12, 20))]
    case(reunion, None, D(2024, 12, 2))  # nobody's: nobody is reminded of it

    assert send_daily_digests() == 3

    assert len(mail.outbox) == 3
    for user, theirs, others in [
        (nadia, nadias, juliens + sophies),
        (julien, juliens, nadias),
        (sophie, sophies, nadias),
    ]:
        [message] = digests_to(user)
        assert all(mine.reference in message.body for mine in theirs)
        assert not any(other.reference in message.body for other in others)


@pytest.mark.usefixtures("wednesday_18_december")
def test_digest_is_not_sent_twice_the_same_day(reunion, time_machine):
    officer = officer_of(reunion)
    case(reunion, officer, D(2024, 12, 10))

    send_daily_digests()
    send_daily_digests()
    assert not digest_send(user_id=officer.pk, day=D(2024, 12, 18))
    assert len(digests_to(officer)) == 1
    assert DigestLog.objects.filter(user=officer, day=D(2024, 12, 18)).count() == 1

    time_machine.move_to(datetime.datetime(2024, 12, 19, 7, 0, tzinfo=PARIS), tick=False)
    send_daily_digests()
    assert len(digests_to(officer)) == 2


@pytest.mark.usefixtures("wednesday_18_december")
def test_cases_waiting_for_the_citizen_are_left_out(reunion):
    officer = officer_of(reunion)
    waiting = case(reunion, officer, D(2024, 12, 2), status=Status.WAITING_CITIZEN, waiting_since=D(2024, 11, 25))
    assert digest_recipients() == []
    send_daily_digests()
    assert mail.outbox == []

    late = case(reunion, officer, D(2024, 12, 3))
    send_daily_digests()
    [message] = digests_to(officer)
    assert late.reference in message.body and waiting.reference not in message.body


@pytest.mark.usefixtures("wednesday_18_december")
def test_closed_answered_and_suggestions_decided_are_left_out(reunion):
    officer = officer_of(reunion)
    for status in (Status.ANSWERED, Status.CLOSED, Status.REJECTED):
        case(reunion, officer, D(2024, 12, 2), status=status)
    case(reunion, officer, D(2024, 12, 2), status=Status.ACCEPTED, suggestion=True)
    send_daily_digests()
    assert mail.outbox == []


def test_nobody_is_reminded_on_a_holiday_of_their_prefecture(reunion, val_de_marne, time_machine):
    time_machine.move_to(datetime.datetime(2024, 12, 20, 7, 0, tzinfo=PARIS), tick=False)  # 20 December
    in_reunion, in_paris = officer_of(reunion), officer_of(val_de_marne)
    case(reunion, in_reunion, D(2024, 12, 10))
    case(val_de_marne, in_paris, D(2024, 12, 10))
    send_daily_digests()
    assert digests_to(in_reunion) == [] and len(digests_to(in_paris)) == 1


def test_each_case_is_judged_by_its_prefectures_today(reunion, val_de_marne, time_machine):
    # 22:30 in Paris on Wednesday is already Thursday 1:30 in La Réunion.
    time_machine.move_to(datetime.datetime(2024, 12, 18, 22, 30, tzinfo=PARIS), tick=False)
    officer = officer_of(reunion)
    officer.memberships.create(prefecture=val_de_marne, role=officer.memberships.get().role)
    in_reunion = case(reunion, officer, D(2024, 12, 18))
    in_paris = case(val_de_marne, officer, D(2024, 12, 18))
    send_daily_digests()
    [message] = digests_to(officer)
    overdue_table, due_soon_table = tables_of(message)
    assert in_reunion.reference in overdue_table and in_paris.reference in due_soon_table
    assert "La Réunion" in message.body and "Val-de-Marne" in message.body


@pytest.mark.usefixtures("wednesday_18_december")
def test_inactive_or_addressless_assignees_get_nothing(reunion):
    gone = officer_of(reunion, is_active=False)
    case(reunion, gone, D(2024, 12, 2))
    assert digest_recipients() == []
    assert not digest_send(user_id=gone.pk, day=D(2024, 12, 18))
    assert mail.outbox == []


@pytest.mark.usefixtures("wednesday_18_december")
def test_digest_queries_do_not_grow_with_the_number_of_cases(reunion, val_de_marne, django_assert_num_queries):
    few, many = officer_of(reunion), officer_of(reunion)
    for day in (2, 3):
        case(reunion, few, D(2024, 11, day))
    for day in range(2, 25):
        case(reunion, many, D(2024, 11, day))
        case(val_de_marne, officer_of(val_de_marne), D(2024, 12, 19))
    with django_assert_num_queries(3):  # the prefectures, the distinct assignees, the officers with unrouted cases
        assert len(digest_recipients()) == 25
    with CaptureQueriesContext(connection) as for_few:
        assert digest_send(user_id=few.pk, day=D(2024, 12, 18))
    with CaptureQueriesContext(connection) as for_many:
        assert digest_send(user_id=many.pk, day=D(2024, 12, 18))
    assert len(for_many) == len(for_few) <= 20  # the e-mail's own sending (eager here) included


@pytest.mark.usefixtures("wednesday_18_december")
def test_long_lists_are_cut_and_counted(reunion, monkeypatch):
    monkeypatch.setattr("complaints.reminders.MAX_LINES", 2)
    officer = officer_of(reunion)
    cases = [case(reunion, officer, D(2024, 12, day)) for day in (2, 3, 4, 5, 6)]
    send_daily_digests()
    [message] = digests_to(officer)
    assert cases[0].reference in message.body and cases[1].reference in message.body
    assert cases[2].reference not in message.body
    assert re.findall(r"\d+", message.subject) == ["5", "0"]
    after_the_table = message.alternatives[0][0].split("</table>")[1]
    assert re.findall(r"\d+", after_the_table)[:1] == ["3"]  # …and 3 more


def unrouted(prefecture, received_on, **fields):
    """An open case no rule routed and nobody took."""
    fields = {"assignee": None, **fields}
    return CaseFactory(prefecture=prefecture, service=None, received_on=received_on, due_on=D(2025, 1, 20), **fields)


@pytest.mark.usefixtures("wednesday_18_december")
def test_cases_without_a_service_reach_the_quality_officers_digest(reunion, val_de_marne):
    officer, agent = officer_of(reunion), officer_of(reunion, first_name="Agent")
    agent.memberships.update(role=Role.SERVICE_AGENT, service=ServiceFactory(prefecture=reunion))
    elsewhere = officer_of(val_de_marne)
    old = unrouted(reunion, D(2024, 12, 2), subject="Personne ne sait où envoyer ceci")
    new = unrouted(reunion, D(2024, 12, 17))
    taken = unrouted(reunion, D(2024, 12, 3), assignee=officer_of(reunion))  # somebody has it: not listed
    closed = unrouted(reunion, D(2024, 12, 1), status=Status.CLOSED)

    assert officer.pk in digest_recipients() and elsewhere.pk not in digest_recipients()
    send_daily_digests()

    [message] = digests_to(officer)
    assert old.reference in message.body and new.reference in message.body
    assert message.body.index(old.reference) < message.body.index(new.reference)  # the oldest first
    assert "Personne ne sait où envoyer ceci" in message.body
    assert taken.reference not in message.body and closed.reference not in message.body
    assert "2 dossiers sans service" in message.body and "2 sans service" in message.subject
    [table] = tables_of(message)
    assert old.reference in table and "2 décembre 2024" in table
    assert digests_to(agent) == [] and digests_to(elsewhere) == []


@pytest.mark.usefixtures("wednesday_18_december")
def test_an_officer_with_cases_due_gets_the_unrouted_ones_in_the_same_digest(reunion):
    officer = officer_of(reunion)
    late = case(reunion, officer, D(2024, 12, 10))
    nobodys = unrouted(reunion, D(2024, 12, 16))

    assert send_daily_digests() == 1
    [message] = digests_to(officer)
    overdue_table, unrouted_table = tables_of(message)
    assert late.reference in overdue_table and nobodys.reference in unrouted_table


@pytest.mark.usefixtures("wednesday_18_december")
def test_unrouted_cases_wait_for_a_working_day_and_a_service_ends_the_reminder(reunion, time_machine):
    officer = officer_of(reunion)
    nobodys = unrouted(reunion, D(2024, 12, 16))
    time_machine.move_to(datetime.datetime(2024, 12, 20, 7, 0, tzinfo=PARIS), tick=False)  # a holiday there
    assert send_daily_digests() == 0

    time_machine.move_to(datetime.datetime(2024, 12, 23, 7, 0, tzinfo=PARIS), tick=False)
    nobodys.service = ServiceFactory(prefecture=reunion)
    nobodys.save()
    assert send_daily_digests() == 0
    assert digests_to(officer) == []
