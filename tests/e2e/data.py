"""The few objects the browser journeys need: La Réunion with a service, a site, an officer, an answer
template, an open survey and a committee member with an account."""

from committee.models import Member
from qualipref.models import Prefecture, User
from surveys.enums import QuestionKind
from surveys.models import Survey
from tests.committee.factories import CommitteeFactory, MeetingFactory, member_with_account
from tests.complaints.factories import AnswerTemplateFactory, CaseFactory
from tests.qualipref.factories import PrefectureFactory, ServiceFactory, SiteFactory, officer_of

# A real PDF a citizen could attach (its content, not its name, is checked).
from tests.samples import PDF_BYTES  # noqa: E402, F401
from tests.surveys.factories import DistributionPointFactory, survey_of_every_kind

OFFICER_EMAIL = "nadia.payet@reunion.pref.gouv.fr"
MEMBER_EMAIL = "josiane.techer@example.org"
ANSWER_TEMPLATE_TITLE = "Réponse sur l'attente au guichet"


def reunion() -> Prefecture:
    prefecture = PrefectureFactory(reunion=True, contact_phone="0262 40 77 77")
    ServiceFactory(prefecture=prefecture, name="Titres de séjour")
    SiteFactory(prefecture=prefecture, name="Sous-préfecture de Saint-Pierre")
    return prefecture


def officer(prefecture) -> User:
    return officer_of(prefecture, email=OFFICER_EMAIL, first_name="Nadia", last_name="Payet")


def answer_template(prefecture):
    return AnswerTemplateFactory(
        prefecture=prefecture,
        title=ANSWER_TEMPLATE_TITLE,
        body=(
            "Bonjour {nom},\n\nNous avons bien reçu votre réclamation {reference}. Nous avons renforcé "
            "l'accueil du guichet des titres de séjour le matin.\n\n{signature}"
        ),
    )


def survey(prefecture) -> Survey:
    """An open survey with a question of every kind (the free text last and optional)."""
    survey = survey_of_every_kind(prefecture)
    DistributionPointFactory(survey=survey, name="Guichet 3", site=prefecture.sites.first())
    return survey


def committee_member(prefecture) -> Member:
    committee = CommitteeFactory(prefecture=prefecture, introduction="Le comité des usagers de La Réunion.")
    MeetingFactory(committee=committee, title="Réunion plénière de printemps")
    return member_with_account(committee, email=MEMBER_EMAIL, first_name="Josiane", last_name="Técher")


def answered_case(prefecture, **fields):
    return CaseFactory(prefecture=prefecture, service=prefecture.services.first(), **fields)


def survey_results(survey):
    """A few answers and the results published, so that the public results page has figures."""
    from tests.surveys.factories import questions_of, respond

    questions = questions_of(survey)
    for value in (5, 4, 4, 2):
        respond(survey, {questions[QuestionKind.SATISFACTION]: value, questions[QuestionKind.YES_NO]: value > 3})
    survey.results_public = True
    survey.save(update_fields=["results_public"])


def published_delays(prefecture):
    """Two months of delivery figures for a residence permit, both published (the last month is over)."""
    from delays.models import MonthPublication
    from delays.services import month_publish
    from qualipref.dates import add_months, months_ending
    from tests.delays.factories import csv_bytes, delays_pairs, deliveries, run_import

    months = months_ending(add_months(prefecture.today(), -1), 2)
    rows = []
    for month, delays in zip(months, ([10, 20, 30], [15, 25]), strict=True):
        rows += deliveries(prefecture, "TS-PREMIERE", delays_pairs(month, delays))
    run_import(prefecture, csv_bytes(rows))
    for publication in MonthPublication.objects.filter(prefecture=prefecture):
        month_publish(publication=publication, by=None)


def public_committee(prefecture):
    from committee.enums import MemberCategory
    from tests.committee.factories import MeetingFactory, MemberFactory, WorkingGroupFactory

    member = committee_member(prefecture)
    MemberFactory(committee=member.committee, category=MemberCategory.ASSOCIATION, organisation="ADAPEI 974")
    WorkingGroupFactory(committee=member.committee, theme="Accueil des étrangers")
    MeetingFactory(
        committee=member.committee,
        held=True,
        title="Réunion d'automne",
        public_summary="Le comité a examiné les délais de délivrance.",
        summary_published=True,
    )
    return member
