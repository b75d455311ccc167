"""Each indicator against a value computed independently from the fixture data."""

import datetime
from decimal import Decimal

import pytest

from committee.enums import ActionStatus, MeetingStatus
from complaints.enums import Channel, Kind, Status
from complaints.services import case_transfer
from engagements.calendar_table import calendar_ensure, ordinal
from engagements.indicators import compute, compute_period, drilldown
from engagements.models import MonthlyIndicator
from engagements.periods import Period
from engagements.services import engagement_version_add, monthly_indicators_refresh
from qualipref.calendar import working_days_between
from tests.committee.factories import CommitteeFactory, ImprovementActionFactory, MeetingFactory
from tests.complaints.factories import CaseFactory
from tests.qualipref.factories import coordinator
from tests.surveys.factories import QuestionFactory, SurveyFactory, respond

from .factories import ManualMeasureFactory, engagement, local

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 5, 15)
D = datetime.date


def figure_of(figures, code):
    return next(f for f in figures if f.engagement.code == code)


def answered(prefecture, received, answered_on, **fields):
    return CaseFactory(
        prefecture=prefecture,
        received_on=received,
        due_on=fields.pop("due_on", received + datetime.timedelta(days=21)),
        answered_at=local(prefecture, answered_on),
        status=Status.ANSWERED,
        **fields,
    )


@pytest.fixture
def march_cases(reunion):
    """Complaints received in March 2025 at La Réunion, each with what it must count as."""
    cases = {
        "on_time": answered(reunion, D(2025, 3, 3), D(2025, 3, 20), due_on=D(2025, 3, 24)),
        "late": answered(reunion, D(2025, 3, 4), D(2025, 3, 31), due_on=D(2025, 3, 25)),
        "open_overdue": CaseFactory(
            prefecture=reunion, received_on=D(2025, 3, 5), due_on=D(2025, 3, 26), status=Status.IN_PROGRESS
        ),
        "waiting": CaseFactory(
            prefecture=reunion, received_on=D(2025, 3, 6), due_on=D(2025, 3, 27), status=Status.WAITING_CITIZEN
        ),
        "rejected": CaseFactory(
            prefecture=reunion, received_on=D(2025, 3, 7), due_on=D(2025, 3, 28), status=Status.REJECTED
        ),
        "suggestion": CaseFactory(prefecture=reunion, received_on=D(2025, 3, 7), suggestion=True),
        "april": answered(reunion, D(2025, 4, 1), D(2025, 4, 3), due_on=D(2025, 4, 22)),
    }
    return cases


def test_share_of_complaints_answered_by_their_due_date(reunion, march, march_cases):
    figure = figure_of(compute_period(reunion, march, today=TODAY), "RECLAMATIONS-15J")
    # Settled complaints of March: answered on time, answered late, open past due. Waiting, rejected,
    # suggestions and April's cases are not counted.
    assert (figure.numerator, figure.denominator) == (1, 3)
    assert figure.value == Decimal("33.33")
    assert figure.met is False


def test_a_complaint_not_yet_due_is_not_counted_against_the_prefecture(reunion, march):
    CaseFactory(prefecture=reunion, received_on=D(2025, 3, 28), due_on=D(2025, 4, 18), status=Status.NEW)
    figure = figure_of(compute_period(reunion, march, today=D(2025, 4, 1)), "RECLAMATIONS-15J")
    assert figure.denominator == 0
    assert figure.value is None


def test_mean_answer_time_in_working_days_minus_the_days_on_hold(reunion, march, march_cases):
    march_cases["on_time"].paused_working_days = 2
    march_cases["on_time"].save()
    figure = figure_of(compute_period(reunion, march, today=TODAY), "RECLAMATIONS-DELAI-MOYEN")
    expected = [
        working_days_between(D(2025, 3, 3), D(2025, 3, 20), reunion) - 2,
        working_days_between(D(2025, 3, 4), D(2025, 3, 31), reunion),
    ]
    assert figure.denominator == 2
    assert figure.numerator == sum(expected)
    assert figure.value == (Decimal(sum(expected)) / 2).quantize(Decimal("0.01"))


def test_letters_within_15_working_days(reunion, march):
    answered(reunion, D(2025, 3, 3), D(2025, 3, 24), channel=Channel.LETTER)  # 15 working days
    answered(reunion, D(2025, 3, 3), D(2025, 3, 25), channel=Channel.LETTER)  # 16
    answered(reunion, D(2025, 3, 3), D(2025, 3, 4), channel=Channel.EMAIL)  # another channel
    assert working_days_between(D(2025, 3, 3), D(2025, 3, 24), reunion) == 15
    figure = figure_of(compute_period(reunion, march, today=TODAY), "COURRIERS-15J")
    assert (figure.numerator, figure.denominator) == (1, 2)


@pytest.mark.parametrize(("slug", "within"), [("reunion", True), ("mainland", False)])
def test_a_month_with_holidays_counts_each_prefecture_calendar(request, slug, within):
    """19 → 30 December 2024: La Réunion rests on 20 December (abolition of slavery), the mainland does not."""
    prefecture = request.getfixturevalue(slug)
    answered(prefecture, D(2024, 12, 19), D(2024, 12, 30), channel=Channel.EMAIL)
    expected_days = working_days_between(D(2024, 12, 19), D(2024, 12, 30), prefecture)
    assert expected_days == (5 if within else 6)
    figure = figure_of(compute_period(prefecture, Period.month(D(2024, 12, 1)), today=TODAY), "COURRIELS-5J")
    assert figure.numerator == (1 if within else 0)
    assert figure.denominator == 1


def test_unanswered_email_counts_once_its_deadline_has_passed(reunion, march):
    CaseFactory(prefecture=reunion, channel=Channel.EMAIL, received_on=D(2025, 3, 3), due_on=D(2025, 3, 24))
    early = figure_of(compute_period(reunion, march, today=D(2025, 3, 7)), "COURRIELS-5J")
    late = figure_of(compute_period(reunion, march, today=D(2025, 3, 12)), "COURRIELS-5J")
    assert early.denominator == 0
    assert (late.numerator, late.denominator) == (0, 1)


def test_satisfaction_with_answers_counts_ratings_of_the_month(reunion, march):
    for rating, day in [(5, D(2025, 3, 3)), (4, D(2025, 3, 10)), (2, D(2025, 3, 20)), (5, D(2025, 4, 2))]:
        case = answered(reunion, D(2025, 2, 20), D(2025, 2, 27))
        case.rating, case.rated_at = rating, local(reunion, day)
        case.save()
    figure = figure_of(compute_period(reunion, march, today=TODAY), "SATISFACTION-REPONSES")
    assert (figure.numerator, figure.denominator) == (2, 3)
    assert figure.value == Decimal("66.67")


def test_survey_satisfaction_counts_published_satisfaction_answers(reunion, march):
    survey = SurveyFactory(prefecture=reunion, results_public=True, opens_on=D(2025, 1, 1), closes_on=D(2025, 6, 30))
    question = QuestionFactory(survey=survey, is_public=True)
    private = QuestionFactory(survey=survey, is_public=False)
    values = [5, 4, 4, 3, 1]
    for value in values:
        respond(survey, {question: value, private: 5}, on=D(2025, 3, 12))
    respond(survey, {question: 5}, on=D(2025, 4, 2))
    unpublished = SurveyFactory(prefecture=reunion, results_public=False)
    respond(unpublished, {QuestionFactory(survey=unpublished, is_public=True): 1}, on=D(2025, 3, 12))
    figure = figure_of(compute_period(reunion, march, today=TODAY), "SATISFACTION-USAGERS")
    assert figure.numerator == sum(1 for v in values if v >= 4)
    assert figure.denominator == len(values)
    assert figure.value == Decimal("60.00")


def test_surveys_run_with_results_published_over_twelve_months(reunion, march):
    SurveyFactory(prefecture=reunion, results_public=True, opens_on=D(2024, 9, 1), closes_on=D(2024, 10, 1))
    SurveyFactory(prefecture=reunion, results_public=False, opens_on=D(2025, 1, 1), closes_on=D(2025, 2, 1))
    SurveyFactory(prefecture=reunion, results_public=True, opens_on=D(2023, 1, 1), closes_on=D(2023, 2, 1))
    SurveyFactory(prefecture=reunion, results_public=True, status="draft", opens_on=D(2025, 1, 1))
    figure = figure_of(compute_period(reunion, march, today=TODAY), "ENQUETES-SATISFACTION")
    assert (figure.numerator, figure.denominator, figure.value) == (1, 2, 1)
    assert figure.met is True


def test_committee_meetings_held_over_twelve_months(reunion, march):
    committee = CommitteeFactory(prefecture=reunion)
    MeetingFactory(committee=committee, date=D(2024, 6, 3), status=MeetingStatus.HELD)
    MeetingFactory(committee=committee, date=D(2025, 3, 3), status=MeetingStatus.HELD)
    MeetingFactory(committee=committee, date=D(2025, 3, 28), status=MeetingStatus.CANCELLED)
    MeetingFactory(committee=committee, date=D(2024, 3, 31), status=MeetingStatus.HELD)  # 12 months + 1 day ago
    MeetingFactory(committee=committee, date=D(2025, 4, 3), status=MeetingStatus.PLANNED)
    figure = figure_of(compute_period(reunion, march, today=TODAY), "COMITE-USAGERS")
    assert figure.value == 2
    assert figure.met is True


def test_improvement_actions_due_in_the_period_and_done(reunion, march):
    ImprovementActionFactory(prefecture=reunion, due_on=D(2025, 3, 10), status=ActionStatus.DONE, outcome="Fait")
    ImprovementActionFactory(prefecture=reunion, due_on=D(2025, 3, 20), status=ActionStatus.IN_PROGRESS)
    ImprovementActionFactory(prefecture=reunion, due_on=D(2025, 3, 21), status=ActionStatus.ABANDONED)
    ImprovementActionFactory(prefecture=reunion, due_on=D(2025, 4, 1), status=ActionStatus.DONE, outcome="Fait")
    figure = figure_of(compute_period(reunion, march, today=TODAY), "ACTIONS-AMELIORATION")
    assert (figure.numerator, figure.denominator, figure.value) == (1, 2, Decimal("50.00"))


def test_manual_measures_share_and_score_and_quarter(reunion):
    ManualMeasureFactory(prefecture=reunion, month=D(2025, 1, 1), numerator=30, denominator=40)
    ManualMeasureFactory(prefecture=reunion, month=D(2025, 2, 1), numerator=38, denominator=40)
    courtesy = engagement("COURTOISIE-VISITE-MYSTERE")
    ManualMeasureFactory(
        prefecture=reunion,
        engagement=courtesy,
        month=D(2025, 1, 1),
        numerator=None,
        denominator=None,
        value=Decimal("6.5"),
    )
    ManualMeasureFactory(
        prefecture=reunion,
        engagement=courtesy,
        month=D(2025, 2, 1),
        numerator=None,
        denominator=None,
        value=Decimal("8.5"),
    )
    january = compute_period(reunion, Period.month(D(2025, 1, 1)), today=TODAY)
    assert figure_of(january, "TELEPHONE-5-SONNERIES").value == Decimal("75.00")
    assert figure_of(january, "COURTOISIE-VISITE-MYSTERE").met is False
    quarter = compute_period(reunion, Period.quarter(2025, 1), today=TODAY)
    phone = figure_of(quarter, "TELEPHONE-5-SONNERIES")
    assert (phone.numerator, phone.denominator, phone.value) == (68, 80, Decimal("85.00"))
    assert figure_of(quarter, "COURTOISIE-VISITE-MYSTERE").value == Decimal("7.50")


def test_no_data_gives_no_figure_rather_than_zero(reunion, march):
    figures = compute_period(reunion, march, today=TODAY)
    shares = [f for f in figures if f.engagement.code not in {"COMITE-USAGERS", "ENQUETES-SATISFACTION"}]
    assert all(f.value is None and f.met is None for f in shares if f.engagement.code != "RESULTATS-PUBLIES")
    published = figure_of(figures, "RESULTATS-PUBLIES")
    assert published.numerator == 2  # the two counts over twelve months: zero is a result
    assert published.denominator == len(figures) - 1


def test_a_transferred_case_counts_for_the_prefecture_that_owns_it(reunion, mainland, march, on_commit_immediately):
    case = CaseFactory(prefecture=reunion, received_on=D(2025, 3, 3), due_on=D(2025, 3, 24), status=Status.NEW)
    case_transfer(case=case, by=coordinator(), prefecture=mainland, note="Compétence de Créteil")
    case.refresh_from_db()
    case.status, case.answered_at = Status.ANSWERED, local(mainland, D(2025, 3, 10))
    case.save()
    assert figure_of(compute_period(reunion, march, today=TODAY), "RECLAMATIONS-15J").denominator == 0
    assert figure_of(compute_period(mainland, march, today=TODAY), "RECLAMATIONS-15J").numerator == 1


def test_drilldown_lists_exactly_the_records_counted(reunion, march, march_cases):
    found = drilldown(reunion, engagement("RECLAMATIONS-15J"), march, today=TODAY)
    listed = dict(found.records.values_list("pk", "counted"))
    expected = {march_cases["on_time"].pk: True, march_cases["late"].pk: False, march_cases["open_overdue"].pk: False}
    assert listed == expected
    assert found.figure.denominator == len(listed)
    assert found.figure.numerator == sum(listed.values())


def test_drilldown_of_survey_satisfaction_lists_the_answers(reunion, march):
    survey = SurveyFactory(prefecture=reunion, results_public=True, opens_on=D(2025, 1, 1), closes_on=D(2025, 6, 30))
    question = QuestionFactory(survey=survey, is_public=True)
    respond(survey, {question: 5}, on=D(2025, 3, 12))
    respond(survey, {question: 2}, on=D(2025, 3, 13))
    found = drilldown(reunion, engagement("SATISFACTION-USAGERS"), march, today=TODAY)
    assert sorted(found.records.values_list("value", "counted")) == [(2, False), (5, True)]


def test_changing_a_target_does_not_change_past_results(reunion, march, march_cases):
    monthly_indicators_refresh(prefecture=reunion, months=[D(2025, 3, 1), D(2025, 4, 1)], today=TODAY)
    engagement_version_add(
        engagement=engagement("RECLAMATIONS-15J"),
        valid_from=D(2025, 4, 1),
        wording="Nous répondons à vos réclamations en 15 jours ouvrés.",
        target_value=Decimal("30"),
        comparator="gte",
        unit="percent",
    )
    monthly_indicators_refresh(prefecture=reunion, months=[D(2025, 3, 1), D(2025, 4, 1)], today=TODAY)
    march_figure = MonthlyIndicator.objects.get(
        prefecture=reunion, engagement__code="RECLAMATIONS-15J", month=march.start
    )
    april_figure = MonthlyIndicator.objects.get(
        prefecture=reunion, engagement__code="RECLAMATIONS-15J", month=D(2025, 4, 1)
    )
    assert march_figure.target_value == 90 and march_figure.met is False
    assert march_figure.version.valid_from == D(2020, 1, 1)
    assert april_figure.target_value == 30
    assert april_figure.version.wording.startswith("Nous répondons à vos réclamations")


def test_materialising_is_idempotent(reunion, march, march_cases):
    monthly_indicators_refresh(prefecture=reunion, months=[march.start], today=TODAY)
    count = MonthlyIndicator.objects.count()
    monthly_indicators_refresh(prefecture=reunion, months=[march.start], today=TODAY)
    assert MonthlyIndicator.objects.count() == count > 0


def test_queries_grow_with_engagements_not_with_months(reunion, march_cases, django_assert_max_num_queries):
    months = [Period.month(D(2024, m, 1)) for m in range(1, 13)]
    compute(reunion, [march_cases and Period.month(D(2025, 3, 1))], today=TODAY)  # calendar written
    # 18, one for the local targets, and one more for each of the four measured engagements (their imported rows
    # beside the manual figures).
    with django_assert_max_num_queries(23):
        compute(reunion, [Period.month(D(2025, 3, 1))], today=TODAY)
    with django_assert_max_num_queries(23):
        compute(reunion, months, today=TODAY)


def test_calendar_table_agrees_with_the_calendar(reunion):
    calendar_ensure(subdivision="974", years=[2024, 2025])
    from engagements.models import WorkingDay

    rows = dict(WorkingDay.objects.filter(subdivision="974").values_list("day", "ordinal"))
    start = D(2024, 11, 29)
    for offset in range(0, 60, 7):
        end = start + datetime.timedelta(days=offset)
        assert rows[end] - rows[start] == working_days_between(start, end, "974")
    assert rows[D(2025, 1, 2)] == ordinal(D(2025, 1, 2), "974")


def test_suggestions_are_not_complaints(reunion, march):
    CaseFactory(
        prefecture=reunion,
        kind=Kind.SUGGESTION,
        status=Status.RECEIVED,
        received_on=D(2025, 3, 3),
        due_on=D(2025, 3, 4),
        name="",
        email="",
    )
    assert figure_of(compute_period(reunion, march, today=TODAY), "RECLAMATIONS-15J").denominator == 0


@pytest.fixture
def winter(reunion):
    """Four months of activity at La Réunion around its holidays (20 and 25 December, 1 January)."""
    channels = [Channel.LETTER, Channel.EMAIL, Channel.ONLINE]
    for index, received in enumerate([D(2024, 12, 2), D(2024, 12, 16), D(2024, 12, 19), D(2025, 1, 6)]):
        for offset, channel in enumerate(channels):
            case = answered(reunion, received, received + datetime.timedelta(days=7 + 4 * offset), channel=channel)
            if (index + offset) % 2:
                case.rating, case.rated_at = 3 + offset, local(reunion, received + datetime.timedelta(days=12))
                case.paused_working_days = 1
                case.save()
    for received in [D(2025, 1, 20), D(2025, 2, 3), D(2025, 2, 24), D(2025, 3, 17)]:
        for channel in channels:
            CaseFactory(
                prefecture=reunion,
                channel=channel,
                received_on=received,
                due_on=received + datetime.timedelta(days=21),
                status=Status.IN_PROGRESS,
            )
        answered(reunion, received, received + datetime.timedelta(days=3), channel=Channel.EMAIL)
    CaseFactory(
        prefecture=reunion,
        channel=Channel.LETTER,
        received_on=D(2025, 2, 10),
        due_on=D(2025, 3, 3),
        status=Status.WAITING_CITIZEN,
    )
    survey = SurveyFactory(prefecture=reunion, results_public=True, opens_on=D(2024, 11, 1), closes_on=D(2025, 3, 31))
    question = QuestionFactory(survey=survey, is_public=True)
    for day, values in [(D(2024, 12, 24), [5, 2]), (D(2025, 1, 31), [4, 4, 1]), (D(2025, 3, 1), [3])]:
        for value in values:
            respond(survey, {question: value}, on=day)
    committee = CommitteeFactory(prefecture=reunion)
    MeetingFactory(committee=committee, date=D(2024, 3, 5), status=MeetingStatus.HELD)
    MeetingFactory(committee=committee, date=D(2025, 1, 14), status=MeetingStatus.HELD)
    MeetingFactory(committee=committee, date=D(2025, 3, 11), status=MeetingStatus.PLANNED)
    ImprovementActionFactory(prefecture=reunion, due_on=D(2024, 12, 31), status=ActionStatus.DONE, outcome="Fait")
    ImprovementActionFactory(prefecture=reunion, due_on=D(2025, 2, 1), status=ActionStatus.IN_PROGRESS)
    ManualMeasureFactory(prefecture=reunion, month=D(2024, 12, 1), numerator=40, denominator=50)
    ManualMeasureFactory(prefecture=reunion, month=D(2025, 2, 1), numerator=47, denominator=50)
    for month, value in [(D(2025, 1, 1), Decimal("6.5")), (D(2025, 3, 1), Decimal("8"))]:
        ManualMeasureFactory(
            prefecture=reunion,
            engagement=engagement("COURTOISIE-VISITE-MYSTERE"),
            month=month,
            numerator=None,
            denominator=None,
            value=value,
        )
    # A shorter deadline for e-mails from February: January and February are judged by different versions.
    engagement_version_add(
        engagement=engagement("COURRIELS-5J"),
        valid_from=D(2025, 2, 1),
        wording="Nous répondons à vos courriels en 3 jours ouvrés.",
        target_value=Decimal("90"),
        comparator="gte",
        unit="percent",
        deadline_working_days=3,
    )
    return reunion


def _figures(figures):
    return {(f.engagement.code, f.version.pk, f.numerator, f.denominator, f.value) for f in figures}


def test_many_periods_at_once_give_the_figures_of_each_period_alone(winter):
    months = [Period.month(D(2024, 11, 1)), *(Period.month(D(2025, m, 1)) for m in range(1, 4))]
    months.insert(1, Period.month(D(2024, 12, 1)))
    periods = [*months, Period.quarter(2025, 1), Period.year(2024)]
    together = compute(winter, periods, today=TODAY)
    for period in periods:
        alone = compute_period(winter, period, today=TODAY)
        assert _figures(together[period]) == _figures(alone), period
    december = {f.engagement.code: f for f in together[months[1]]}
    # E-mails of December: answered 11 days after receipt, the first and third with one working day on hold.
    durations = [
        working_days_between(day, day + datetime.timedelta(days=11), winter) - paused
        for day, paused in [(D(2024, 12, 2), 1), (D(2024, 12, 16), 0), (D(2024, 12, 19), 1)]
    ]
    emails = december["COURRIELS-5J"]
    assert (emails.numerator, emails.denominator) == (sum(1 for d in durations if d <= 5), 3)
    assert december["RECLAMATIONS-DELAI-MOYEN"].denominator == 9
    quarter = {f.engagement.code: f for f in together[Period.quarter(2025, 1)]}
    assert (quarter["TELEPHONE-5-SONNERIES"].numerator, quarter["TELEPHONE-5-SONNERIES"].denominator) == (47, 50)
    assert quarter["COURTOISIE-VISITE-MYSTERE"].value == Decimal("7.25")
    january, february = (
        figure_of(together[Period.month(D(2025, m, 1))], "COURRIELS-5J").version.deadline_working_days for m in (1, 2)
    )
    assert (january, february) == (5, 3)
