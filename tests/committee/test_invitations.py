"""Meeting invitations: one e-mail per member and revision, with an .ics in the prefecture's time zone."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from committee.enums import MeetingStatus
from committee.ics import fold, meeting_ics
from committee.models import Invitation
from committee.services import meeting_invitations_send, meeting_save
from committee.tasks import send_invitation
from qualipref.mail import OutgoingEmail
from tests.qualipref.factories import PrefectureFactory

from . import ics_parser
from .factories import AgendaItemFactory, CommitteeFactory, MeetingFactory, MemberFactory, WorkingGroupFactory

pytestmark = pytest.mark.usefixtures("on_commit_immediately")

REUNION = zoneinfo.ZoneInfo("Indian/Reunion")


def ics_of(message):
    (filename, content, mimetype), *_rest = message.attachments
    assert filename.endswith(".ics") and mimetype == "text/calendar"
    return content.decode() if isinstance(content, bytes) else content


@pytest.fixture
def meeting(committee):
    return MeetingFactory(
        committee=committee,
        title="Comité des usagers, réunion de printemps",
        date=datetime.date(2031, 3, 12),
        start_time=datetime.time(9, 30),
        end_time=datetime.time(12, 0),
        place="Préfecture, salle Baudin; 2e étage, Saint-Denis",
    )


def test_each_sitting_member_gets_one_email_with_an_ics_at_the_reunion_local_time(committee, meeting):
    josiane = MemberFactory(committee=committee, first_name="Josiane", email="josiane@example.org")
    MemberFactory(committee=committee, email="paul@example.org")
    MemberFactory(committee=committee, email="ancien@example.org", is_active=False)
    MemberFactory(committee=committee, email="")  # no address: cannot be invited by e-mail

    assert meeting_invitations_send(meeting=meeting) == 2

    assert sorted(m.to[0] for m in mail.outbox) == ["josiane@example.org", "paul@example.org"]
    message = next(m for m in mail.outbox if m.to == ["josiane@example.org"])
    assert "12 mars 2031" in message.subject
    event = ics_parser.event(ics_of(message))
    assert event["METHOD"] == "REQUEST"
    start = ics_parser.utc(event["DTSTART"]).astimezone(REUNION)
    end = ics_parser.utc(event["DTEND"]).astimezone(REUNION)
    assert (start.date(), start.time(), end.time()) == (
        datetime.date(2031, 3, 12),
        datetime.time(9, 30),
        datetime.time(12, 0),
    )
    assert event["DTSTART"] == "20310312T053000Z"  # La Réunion is UTC+4 all year
    assert event["SUMMARY"] == "Comité des usagers, réunion de printemps"
    assert event["LOCATION"] == "Préfecture, salle Baudin; 2e étage, Saint-Denis"  # escaped, then read back
    assert event["UID"] == f"committee-meeting-{meeting.pk}@127.0.0.1"
    assert event["SEQUENCE"] == "0"
    assert event["ATTENDEE"] == "mailto:josiane@example.org"
    assert event["ATTENDEE_PARAMS"]["CN"] == josiane.full_name
    assert event["ORGANIZER"] == "mailto:courrier@reunion.pref.gouv.fr"
    assert f"/comite/reunions/{meeting.pk}/" in event["URL"]
    assert "9:30" in message.body or "09:30" in message.body


def test_sending_twice_sends_nothing_new(committee, meeting):
    MemberFactory(committee=committee)
    assert meeting_invitations_send(meeting=meeting) == 1
    assert meeting_invitations_send(meeting=meeting) == 0
    invitation = Invitation.objects.get()
    assert send_invitation.delay(invitation.pk).get() is False  # the task itself is idempotent
    assert len(mail.outbox) == 1
    assert OutgoingEmail.objects.filter(purpose="committee_invitation").count() == 1


def test_a_member_who_joins_later_gets_only_their_own_invitation(committee, meeting):
    MemberFactory(committee=committee, email="first@example.org")
    meeting_invitations_send(meeting=meeting)
    MemberFactory(committee=committee, email="late@example.org")
    assert meeting_invitations_send(meeting=meeting) == 1
    assert [m.to[0] for m in mail.outbox] == ["first@example.org", "late@example.org"]


def test_rescheduling_sends_an_update_that_replaces_the_event(committee, meeting):
    MemberFactory(committee=committee)
    meeting_invitations_send(meeting=meeting)
    meeting.start_time = datetime.time(14, 0)
    meeting.end_time = datetime.time(16, 0)
    meeting_save(meeting=meeting)

    first, update = (ics_parser.event(ics_of(m)) for m in mail.outbox)
    assert update["UID"] == first["UID"]
    assert int(update["SEQUENCE"]) == int(first["SEQUENCE"]) + 1
    assert ics_parser.utc(update["DTSTART"]).astimezone(REUNION).time() == datetime.time(14, 0)
    assert list(OutgoingEmail.objects.order_by("pk").values_list("purpose", flat=True)) == [
        "committee_invitation",
        "committee_update",
    ]


def test_a_change_that_does_not_touch_the_schedule_sends_nothing(committee, meeting):
    MemberFactory(committee=committee)
    meeting_invitations_send(meeting=meeting)
    meeting.minutes = "Notes préparatoires."
    meeting_save(meeting=meeting)
    assert len(mail.outbox) == 1


def test_cancelling_sends_a_cancellation_to_those_invited(committee, meeting):
    MemberFactory(committee=committee)
    meeting_invitations_send(meeting=meeting)
    meeting.status = MeetingStatus.CANCELLED
    meeting_save(meeting=meeting)
    cancellation = ics_parser.event(ics_of(mail.outbox[1]))
    assert cancellation["METHOD"] == "CANCEL" and cancellation["STATUS"] == "CANCELLED"
    assert cancellation["UID"] == ics_parser.event(ics_of(mail.outbox[0]))["UID"]


def test_a_working_group_meeting_invites_the_group_only(committee):
    in_group = MemberFactory(committee=committee, email="groupe@example.org")
    MemberFactory(committee=committee, email="pleniere@example.org")
    group = WorkingGroupFactory(committee=committee)
    group.members.add(in_group)
    meeting = MeetingFactory(committee=committee, working_group=group)
    meeting_invitations_send(meeting=meeting)
    assert [m.to for m in mail.outbox] == [["groupe@example.org"]]


def test_a_past_or_held_meeting_cannot_be_sent(committee, english):
    MemberFactory(committee=committee)
    with pytest.raises(ValidationError, match="already started"):
        meeting_invitations_send(meeting=MeetingFactory(committee=committee, date=datetime.date(2020, 1, 6)))
    with pytest.raises(ValidationError, match="planned"):
        meeting_invitations_send(meeting=MeetingFactory(committee=committee, held=True))
    assert not mail.outbox


def test_the_ics_of_a_paris_meeting_follows_summer_time(db):
    paris = CommitteeFactory(prefecture=PrefectureFactory(time_zone="Europe/Paris"))
    meeting = MeetingFactory(committee=paris, date=datetime.date(2031, 7, 1), start_time=datetime.time(14, 0))
    event = ics_parser.event(meeting_ics(meeting=meeting))
    assert event["DTSTART"] == "20310701T120000Z"
    local = ics_parser.utc(event["DTSTART"]).astimezone(zoneinfo.ZoneInfo("Europe/Paris"))
    assert local.time() == datetime.time(14, 0)


def test_long_and_accented_values_are_folded_without_breaking_a_character(committee):
    meeting = MeetingFactory(committee=committee, title="Réunion « accueil des étrangers » " * 4)
    AgendaItemFactory(meeting=meeting, title="Délais, titres; permis\net cartes grises")
    text = meeting_ics(meeting=meeting, description="Ordre du jour :\n1. Délais, titres; permis\\cartes")
    event = ics_parser.event(text)  # the parser checks every physical line is at most 75 octets
    assert event["SUMMARY"] == meeting.title
    assert event["DESCRIPTION"] == "Ordre du jour :\n1. Délais, titres; permis\\cartes"
    assert fold("é" * 80).replace("\r\n ", "") == "é" * 80
