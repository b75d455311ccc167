import datetime

import factory
from django.utils import timezone

from committee.enums import ActionStatus, MeetingStatus, MemberCategory, Verdict
from committee.models import (
    AgendaItem,
    Comment,
    Committee,
    Document,
    ImprovementAction,
    Invitation,
    Meeting,
    Member,
    SuggestionOpinion,
    WorkingGroup,
)
from qualipref.enums import Role
from qualipref.services import membership_grant
from tests.complaints.factories import PDF_BYTES, CaseFactory
from tests.qualipref.factories import PrefectureFactory, UserFactory


class CommitteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Committee
        django_get_or_create = ["prefecture"]

    prefecture = factory.SubFactory(PrefectureFactory)
    name = "Comité des usagers"


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    committee = factory.SubFactory(CommitteeFactory)
    first_name = "Josiane"
    last_name = factory.Sequence(lambda n: f"Técher{n}")
    category = MemberCategory.PRIVATE_PERSON
    email = factory.Sequence(lambda n: f"membre{n}@example.org")
    term_start = datetime.date(2024, 1, 1)

    class Params:
        association = factory.Trait(category=MemberCategory.ASSOCIATION, organisation="Association des usagers")


def member_with_account(committee=None, **fields):
    """A sitting member with an account that can log into the members' space (password ``PASSWORD``)."""
    member = MemberFactory(**({"committee": committee} if committee else {}), **fields)
    user = UserFactory(email=member.email, first_name=member.first_name, last_name=member.last_name)
    membership_grant(user=user, role=Role.COMMITTEE_MEMBER, prefecture=member.committee.prefecture)
    member.user = user
    member.save(update_fields=["user"])
    return member


class WorkingGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingGroup

    committee = factory.SubFactory(CommitteeFactory)
    theme = factory.Sequence(lambda n: f"Titres de séjour {n}")
    mandate = "Réduire l'attente au guichet des étrangers."


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    committee = factory.SubFactory(CommitteeFactory)
    title = factory.Sequence(lambda n: f"Réunion plénière n° {n}")
    date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=20))
    start_time = datetime.time(9, 30)
    end_time = datetime.time(12, 0)
    place = "Préfecture de Saint-Denis, salle Baudin"
    status = MeetingStatus.PLANNED

    class Params:
        held = factory.Trait(
            status=MeetingStatus.HELD,
            date=factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=40)),
        )


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Point {n} : délais de délivrance")
    presenter = "Service des titres de séjour"


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    meeting = factory.SubFactory(MeetingFactory)
    title = factory.Sequence(lambda n: f"Tableau de bord {n}")
    file = factory.django.FileField(filename="tableau.pdf", data=PDF_BYTES)
    original_name = "tableau.pdf"
    size = len(PDF_BYTES)
    sha256 = "0" * 64


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    meeting = factory.SubFactory(MeetingFactory)
    member = factory.SubFactory(MemberFactory, committee=factory.SelfAttribute("..meeting.committee"))


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    agenda_item = factory.SubFactory(AgendaItemFactory)
    member = factory.SubFactory(MemberFactory, committee=factory.SelfAttribute("..agenda_item.meeting.committee"))
    body = factory.Sequence(lambda n: f"Remarque confidentielle {n} sur ce point.")


class SuggestionOpinionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SuggestionOpinion

    committee = factory.SubFactory(CommitteeFactory)
    case = factory.SubFactory(
        CaseFactory,
        suggestion=True,
        status="forwarded_to_committee",
        prefecture=factory.SelfAttribute("..committee.prefecture"),
    )
    verdict = Verdict.FAVOURABLE
    text = "Le comité approuve l'idée d'un affichage du temps d'attente."


class ImprovementActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImprovementAction

    prefecture = factory.SubFactory(PrefectureFactory)
    title = factory.Sequence(lambda n: f"Action d'amélioration {n}")
    origin_survey_question = "Êtes-vous satisfait du temps d'attente ?"
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=60))
    status = ActionStatus.PROPOSED
