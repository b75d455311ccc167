import datetime
import hashlib
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from committee.enums import ActionStatus, Attendance, Verdict
from committee.models import ImprovementAction
from complaints.enums import Channel, DefaultTopic, Status
from delays.enums import PublicationStatus
from delays.models import MonthlyDelay
from engagements.periods import Period
from qualipref.enums import Role
from qualipref.models import Site
from qualipref.services import membership_grant
from reports.enums import ReportStatus
from reports.models import AuditReport
from surveys.enums import QuestionKind
from tests.committee.factories import (
    CommitteeFactory,
    ImprovementActionFactory,
    InvitationFactory,
    MeetingFactory,
    MemberFactory,
    SuggestionOpinionFactory,
)
from tests.complaints.factories import CaseFactory
from tests.delays.factories import MonthPublicationFactory, TitleTypeFactory
from tests.engagements.factories import local
from tests.qualipref.factories import PrefectureFactory, ServiceFactory, UserFactory, officer_of
from tests.surveys.factories import DistributionPointFactory, QuestionFactory, SurveyFactory, respond

# A complete quarter before today (tests run on any day after it).
QUARTER = Period.quarter(2026, 3)
PREVIOUS = Period.quarter(2026, 2)
# A citizen may type anything in a subject: markup and addresses are shown as text, never fetched.
CITIZEN_SUBJECT = '<img src="http://example.org/tracker.png"> voir https://evil.example/x.png'


def day(month, number):
    return datetime.date(2026, month, number)


@pytest.fixture
def reunion(db):
    return PrefectureFactory(reunion=True)


@pytest.fixture
def other(db):
    return PrefectureFactory(department_code="94", name="Val-de-Marne", slug="val-de-marne", time_zone="Europe/Paris")


@pytest.fixture
def officer(reunion):
    return officer_of(reunion, email="qualite.974@example.org")


def _case(prefecture, service, received, *, answered=None, due_days=21, **fields):
    case = CaseFactory(
        prefecture=prefecture,
        service=service,
        received_on=received,
        due_on=received + datetime.timedelta(days=due_days),
        status=Status.ANSWERED if answered else Status.IN_PROGRESS,
        **fields,
    )
    if answered:
        case.answered_at = local(prefecture, answered)
        case.save(update_fields=["answered_at"])
    return case


@pytest.fixture
def quarter_data(reunion, other):
    """A small quarter of La Réunion, with the figures a reader should find in its report."""
    sejour = ServiceFactory(prefecture=reunion, name="Titres de séjour")
    permis = ServiceFactory(prefecture=reunion, name="Permis de conduire")
    # Complaints received in the quarter: 4 answered by their due date, 1 late, 1 past due and unanswered.
    cases = [
        _case(reunion, sejour, day(7, 6), answered=day(7, 10), channel=Channel.ONLINE, topic=DefaultTopic.COUNTER),
        _case(
            reunion, sejour, day(7, 20), answered=day(8, 3), channel=Channel.LETTER, topic=DefaultTopic.PROCESSING_TIME
        ),
        _case(reunion, permis, day(8, 3), answered=day(8, 5), channel=Channel.EMAIL, topic=DefaultTopic.COUNTER),
        _case(reunion, permis, day(8, 17), answered=day(8, 18), channel=Channel.ONLINE, topic=DefaultTopic.WEBSITE),
        _case(reunion, sejour, day(9, 1), answered=day(9, 30), channel=Channel.ONLINE, topic=DefaultTopic.COUNTER),
        _case(reunion, sejour, day(9, 7), channel=Channel.PHONE, topic=DefaultTopic.PROCESSING_TIME),
    ]
    # Ratings of the answers, given in the quarter: 3 satisfied of 4.
    for case, rating in zip(cases[:4], (5, 4, 4, 2), strict=True):
        case.rating = rating
        case.rated_at = case.answered_at + datetime.timedelta(days=2)
        case.save(update_fields=["rating", "rated_at"])
    suggestion = CaseFactory(
        prefecture=reunion,
        suggestion=True,
        received_on=day(8, 10),
        due_on=day(9, 1),
        service=sejour,
        subject=CITIZEN_SUBJECT,
    )
    # Left out: a rejected case, another prefecture's case; the previous quarter holds 2 cases.
    rejected = _case(reunion, sejour, day(7, 8), answered=day(7, 9))
    rejected.status = Status.REJECTED
    rejected.save(update_fields=["status"])
    _case(other, ServiceFactory(prefecture=other), day(8, 1), answered=day(8, 2))
    _case(reunion, permis, day(5, 4), answered=day(5, 6), channel=Channel.ONLINE, topic=DefaultTopic.COUNTER)
    _case(reunion, permis, day(6, 2), answered=day(6, 4), channel=Channel.COUNTER, topic=DefaultTopic.DECISION)

    # Surveys: 3 satisfaction answers at the Saint-Denis counter (2 satisfied), NPS answers 10, 9, 3.
    site = Site.objects.create(prefecture=reunion, name="Préfecture de Saint-Denis")
    survey = SurveyFactory(
        prefecture=reunion, published=True, opens_on=day(6, 1), closes_on=day(10, 31), status="closed"
    )
    satisfaction = QuestionFactory(survey=survey, kind=QuestionKind.SATISFACTION, is_public=True)
    recommendation = QuestionFactory(survey=survey, kind=QuestionKind.RECOMMENDATION, is_public=True)
    point = DistributionPointFactory(survey=survey, site=site, name="Guichet 1")
    for value, nps in ((5, 10), (4, 9), (2, 3)):
        respond(survey, {satisfaction: value, recommendation: nps}, point=point, on=day(8, 12))

    # Committee: one meeting held in the quarter, 2 present of 3 invited; one favourable opinion.
    committee = CommitteeFactory(prefecture=reunion)
    meeting = MeetingFactory(committee=committee, status="held", date=day(9, 15), title="Plénière de septembre")
    for attendance in (Attendance.PRESENT, Attendance.PRESENT, Attendance.ABSENT):
        InvitationFactory(meeting=meeting, member=MemberFactory(committee=committee), attendance=attendance)
    SuggestionOpinionFactory(
        committee=committee,
        case=suggestion,
        meeting=meeting,
        verdict=Verdict.FAVOURABLE,
        recorded_at=local(reunion, day(9, 15)),
    )

    # Improvement actions: one done in the quarter, one overdue.
    done = ImprovementActionFactory(prefecture=reunion, title="Affichage du temps d'attente", due_on=day(8, 31))
    ImprovementAction.objects.filter(pk=done.pk).update(
        status=ActionStatus.DONE, done_on=day(8, 20), outcome="Attente affichée sur écran"
    )
    ImprovementActionFactory(
        prefecture=reunion, title="Rappel des rendez-vous par SMS", due_on=day(9, 1), status=ActionStatus.IN_PROGRESS
    )

    # Delays: one title published for July (mean 30.0 days) and for April (mean 40.0 days); 94 publishes July too.
    title = TitleTypeFactory(code="TS-TEST", label="Titre de séjour (test)")
    for prefecture, month, count, total in (
        (reunion, day(7, 1), 10, 300),
        (reunion, day(4, 1), 5, 200),
        (other, day(7, 1), 10, 500),
    ):
        publication = MonthPublicationFactory(
            prefecture=prefecture, month=month, status=PublicationStatus.PUBLISHED, published_at=timezone.now()
        )
        MonthlyDelay.objects.create(
            prefecture=prefecture,
            title_type=title,
            month=month,
            publication=publication,
            count=count,
            total_days=total,
            median_days=30,
            p90_days=40,
            computed_at=timezone.now(),
        )
    return SimpleNamespace(cases=cases, suggestion=suggestion, committee=committee, meeting=meeting, site=site)


def committee_member(prefecture):
    """A sitting member of ``prefecture``'s committee, with an account."""
    member = MemberFactory(committee=CommitteeFactory(prefecture=prefecture))
    user = UserFactory(email=member.email)
    membership_grant(user=user, role=Role.COMMITTEE_MEMBER, prefecture=prefecture)
    member.user = user
    member.save(update_fields=["user"])
    return user


def auditor_of(prefecture):
    user = UserFactory(is_staff=True)
    membership_grant(user=user, role=Role.AUDITOR, prefecture=prefecture)
    return user


PDF = b"%PDF-1.4\n%%EOF\n"


def done_report(prefecture, pdf=PDF):
    """A built report of ``QUARTER``, its PDF and CSV stored."""
    report = AuditReport(
        prefecture=prefecture,
        period_kind=QUARTER.kind,
        period_start=QUARTER.start,
        version=1,
        status=ReportStatus.DONE,
        sha256=hashlib.sha256(pdf).hexdigest(),
        size=len(pdf),
        page_count=1,
    )
    report.file.save("rapport.pdf", ContentFile(pdf), save=False)
    report.csv_file.save("rapport.csv", ContentFile(b"reference\n"), save=False)
    report.save()
    return report


@pytest.fixture
def report(reunion):
    return done_report(reunion)
