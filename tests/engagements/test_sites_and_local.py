"""Per-site figures (the same rule as the prefecture's, in the same query) and local engagements and targets."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from complaints.enums import Status
from engagements.enums import Comparator, Source, Unit
from engagements.indicators import compute, compute_with_sites
from engagements.models import Engagement, EngagementVersion, LocalTarget, MonthlyIndicator, SiteMonthlyIndicator
from engagements.periods import Period
from engagements.services import local_target_add, monthly_indicators_refresh
from qualipref.calendar import working_days_between
from qualipref.enums import SiteKind
from tests.complaints.factories import CaseFactory
from tests.qualipref.factories import SiteFactory
from tests.surveys.factories import DistributionPointFactory, QuestionFactory, SurveyFactory, respond

from .factories import engagement, local

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 5, 15)
D = datetime.date
SITE_CODES = ("RECLAMATIONS-15J", "RECLAMATIONS-DELAI-MOYEN", "SATISFACTION-USAGERS")


def answered(prefecture, site, received, answered_on, due_on):
    return CaseFactory(
        prefecture=prefecture,
        site=site,
        received_on=received,
        due_on=due_on,
        answered_at=local(prefecture, answered_on),
        status=Status.ANSWERED,
    )


@pytest.fixture
def sites(reunion):
    """Saint-Denis answers on time, Saint-Pierre (a sous-préfecture) late; one case and answer of no site."""
    prefecture_site = SiteFactory(prefecture=reunion, name="Préfecture – Saint-Denis")
    sub = SiteFactory(prefecture=reunion, name="Sous-préfecture de Saint-Pierre", kind=SiteKind.SUB_PREFECTURE)
    for day in (3, 4, 5):
        answered(reunion, prefecture_site, D(2025, 3, day), D(2025, 3, day + 5), D(2025, 3, 24))
    answered(reunion, sub, D(2025, 3, 3), D(2025, 3, 31), D(2025, 3, 24))
    answered(reunion, sub, D(2025, 3, 4), D(2025, 3, 20), D(2025, 3, 25))
    CaseFactory(prefecture=reunion, site=sub, received_on=D(2025, 2, 5), due_on=D(2025, 2, 26), status="in_progress")
    answered(reunion, None, D(2025, 3, 6), D(2025, 4, 10), D(2025, 3, 27))
    survey = SurveyFactory(prefecture=reunion, results_public=True, opens_on=D(2025, 1, 1), closes_on=D(2025, 6, 30))
    question = QuestionFactory(survey=survey, is_public=True)
    counter = DistributionPointFactory(survey=survey, site=prefecture_site)
    kiosk = DistributionPointFactory(survey=survey, site=sub)
    for value in (5, 4, 4):
        respond(survey, {question: value}, point=counter, on=D(2025, 3, 12))
    for value in (2, 5):
        respond(survey, {question: value}, point=kiosk, on=D(2025, 3, 13))
    respond(survey, {question: 1}, on=D(2025, 3, 14))  # the survey's own link: no site
    return prefecture_site, sub


def by_code(figures):
    return {figure.engagement.code: figure for figure in figures}


def test_each_site_has_its_own_figures(reunion, sites):
    prefecture_site, sub = sites
    march = Period.month(D(2025, 3, 1))
    _whole, by_site = compute_with_sites(reunion, [march], today=TODAY)
    main, saint_pierre = by_code(by_site[prefecture_site.pk][march]), by_code(by_site[sub.pk][march])
    assert (main["RECLAMATIONS-15J"].numerator, main["RECLAMATIONS-15J"].denominator) == (3, 3)
    assert main["RECLAMATIONS-15J"].met is True
    assert (saint_pierre["RECLAMATIONS-15J"].numerator, saint_pierre["RECLAMATIONS-15J"].denominator) == (1, 2)
    assert saint_pierre["RECLAMATIONS-15J"].met is False
    assert main["SATISFACTION-USAGERS"].value == Decimal("100.00")
    assert saint_pierre["SATISFACTION-USAGERS"].value == Decimal("50.00")
    # Measures of the whole prefecture only (committee, publications) have no site figure; nor has a measure
    # without any record at the site (no letter received there).
    measured_here = {e.code for e in Engagement.objects.filter(source__in=[Source.CASES_ON_TIME, *SITE_SOURCES])}
    assert set(SITE_CODES) <= set(main) <= measured_here
    assert set(SITE_CODES) <= set(saint_pierre) <= measured_here


SITE_SOURCES = [
    Source.CASES_WITHIN_DAYS,
    Source.CASES_MEAN_DAYS,
    Source.ANSWER_SATISFACTION,
    Source.SURVEY_SATISFACTION,
]


@pytest.mark.parametrize("periods", [["2025-03"], ["2025-01", "2025-02", "2025-03", "2025-T1"]])
def test_sites_add_up_to_the_prefecture(reunion, sites, periods):
    """Counts: the sites' and the records of no site make the prefecture's; rates and means: recomputed from those
    parts."""
    periods = [Period.parse(p) for p in periods]
    whole, by_site = compute_with_sites(reunion, periods, today=TODAY)
    # The records of no site, all in March: a complaint answered late (in 24 working days), an answer of 1 out of 5.
    unsited = {
        "RECLAMATIONS-15J": (0, 1),
        "SATISFACTION-USAGERS": (0, 1),
        "RECLAMATIONS-DELAI-MOYEN": (working_days_between(D(2025, 3, 6), D(2025, 4, 10), "974"), 1),
    }
    for period in periods:
        prefecture = by_code(whole[period])
        in_march = period.start <= D(2025, 3, 1) <= period.end
        for code, (unsited_numerator, unsited_denominator) in unsited.items():
            parts = [by_code(figures[period]).get(code) for figures in by_site.values()]
            parts = [part for part in parts if part is not None]
            numerator = sum(part.numerator or 0 for part in parts) + (unsited_numerator if in_march else 0)
            denominator = sum(part.denominator or 0 for part in parts) + (unsited_denominator if in_march else 0)
            figure = prefecture[code]
            assert (figure.numerator or 0, figure.denominator or 0) == (numerator, denominator), (period, code)
            if not denominator:
                assert figure.value is None
                continue
            ratio = Decimal(numerator) / Decimal(denominator)
            expected = ratio if code == "RECLAMATIONS-DELAI-MOYEN" else 100 * ratio
            assert figure.value == expected.quantize(Decimal("0.01")), (period, code)


def test_the_prefecture_figures_are_those_computed_without_sites(reunion, sites):
    march = Period.month(D(2025, 3, 1))
    with_sites, _sites = compute_with_sites(reunion, [march], today=TODAY)
    assert [(f.engagement.code, f.numerator, f.denominator, f.value) for f in with_sites[march]] == [
        (f.engagement.code, f.numerator, f.denominator, f.value) for f in compute(reunion, [march], today=TODAY)[march]
    ]


def test_refresh_stores_the_sites_figures_and_replaces_them(reunion, sites):
    prefecture_site, sub = sites
    monthly_indicators_refresh(prefecture=reunion, months=[D(2025, 3, 1)], today=TODAY)
    stored = {
        (row.site_id, row.engagement.code): row
        for row in SiteMonthlyIndicator.objects.filter(month=D(2025, 3, 1)).select_related("engagement")
    }
    assert stored[(sub.pk, "RECLAMATIONS-15J")].value == Decimal("50.00")
    assert stored[(sub.pk, "RECLAMATIONS-15J")].met is False
    assert stored[(prefecture_site.pk, "RECLAMATIONS-15J")].met is True
    # Every case of Saint-Pierre moved to Saint-Denis: Saint-Pierre has no case figure any more.
    reunion.cases.filter(site=sub).update(site=prefecture_site)
    monthly_indicators_refresh(prefecture=reunion, months=[D(2025, 3, 1)], today=TODAY)
    codes = set(SiteMonthlyIndicator.objects.filter(site=sub).values_list("engagement__code", flat=True))
    assert codes == {"SATISFACTION-USAGERS"}
    assert SiteMonthlyIndicator.objects.get(site=prefecture_site, engagement__code="RECLAMATIONS-15J").denominator == 5


def test_site_figures_cost_no_query_more_than_the_prefecture_ones(reunion, sites, django_assert_max_num_queries):
    months = [Period.month(D(2025, m, 1)) for m in (1, 2, 3)]
    compute(reunion, months, today=TODAY)  # the calendar written
    SiteFactory.create_batch(5, prefecture=reunion)
    # The prefecture's own cap (tests/engagements/test_indicators.py), measured engagements' second query included.
    with django_assert_max_num_queries(23):
        compute_with_sites(reunion, months, today=TODAY)


# Local targets -------------------------------------------------------------------------------------------------


def test_a_local_target_must_be_stricter_than_the_national_one(reunion):
    on_time = engagement("RECLAMATIONS-15J")  # national: at least 90 %
    with pytest.raises(ValidationError) as error:
        local_target_add(prefecture=reunion, engagement=on_time, valid_from=D(2025, 1, 1), target_value=85, by=None)
    assert "plus exigeant que l’objectif national" in str(error.value)
    with pytest.raises(ValidationError):
        local_target_add(prefecture=reunion, engagement=on_time, valid_from=D(2025, 1, 1), target_value=90, by=None)
    mean = engagement("RECLAMATIONS-DELAI-MOYEN")  # national: at most 15 working days
    with pytest.raises(ValidationError) as error:
        local_target_add(prefecture=reunion, engagement=mean, valid_from=D(2025, 1, 1), target_value=20, by=None)
    assert "saisissez un chiffre plus bas" in str(error.value)
    target = local_target_add(prefecture=reunion, engagement=mean, valid_from=D(2025, 1, 9), target_value=10, by=None)
    assert target.valid_from == D(2025, 1, 1)


def test_the_refusal_is_said_in_french(reunion, settings):
    from django.utils import translation

    with translation.override("fr"), pytest.raises(ValidationError) as error:
        local_target_add(
            prefecture=reunion, engagement=engagement("RECLAMATIONS-15J"), valid_from=D(2025, 1, 1), target_value=80
        )
    message = error.value.message_dict["target_value"][0]
    assert "plus exigeant que l’objectif national" in message
    assert "90" in message


def test_an_officer_of_another_prefecture_cannot_set_a_local_target(reunion, mainland):
    from django.core.exceptions import PermissionDenied

    from tests.qualipref.factories import officer_of

    with pytest.raises(PermissionDenied):
        local_target_add(
            prefecture=reunion,
            engagement=engagement("RECLAMATIONS-15J"),
            valid_from=D(2025, 1, 1),
            target_value=95,
            by=officer_of(mainland),
        )


def test_a_stricter_local_target_judges_the_figures_of_its_months(reunion, sites):
    prefecture_site, _sub = sites
    local_target_add(
        prefecture=reunion, engagement=engagement("SATISFACTION-USAGERS"), valid_from=D(2025, 3, 1), target_value=95
    )
    march, february = Period.month(D(2025, 3, 1)), Period.month(D(2025, 2, 1))
    whole, by_site = compute_with_sites(reunion, [february, march], today=TODAY)
    figure = by_code(whole[march])["SATISFACTION-USAGERS"]  # 4 satisfied out of 6: 66.67 %
    assert figure.local_target == 95 and figure.target_value == 95
    assert figure.met is False
    assert by_code(whole[february])["SATISFACTION-USAGERS"].local_target is None
    assert by_code(by_site[prefecture_site.pk][march])["SATISFACTION-USAGERS"].met is True  # 100 % ≥ 95 %
    monthly_indicators_refresh(prefecture=reunion, months=[D(2025, 3, 1)], today=TODAY)
    stored = MonthlyIndicator.objects.get(engagement__code="SATISFACTION-USAGERS", month=D(2025, 3, 1))
    assert (stored.target_value, stored.local_target) == (95, True)


def test_the_national_target_applies_again_once_it_is_the_stricter(reunion):
    on_time = engagement("RECLAMATIONS-15J")
    local_target_add(prefecture=reunion, engagement=on_time, valid_from=D(2025, 1, 1), target_value=92)
    EngagementVersion.objects.create(
        engagement=on_time, valid_from=D(2025, 3, 1), wording="Plus exigeant", target_value=95, unit=Unit.PERCENT
    )
    figures = compute(reunion, [Period.month(D(2025, 2, 1)), Period.month(D(2025, 3, 1))], today=TODAY)
    february, march = (by_code(f)["RECLAMATIONS-15J"] for f in figures.values())
    assert february.target_value == 92
    assert (march.target_value, march.local_target) == (95, None)


def test_a_local_target_of_another_prefecture_changes_nothing(reunion, mainland):
    local_target_add(
        prefecture=mainland, engagement=engagement("RECLAMATIONS-15J"), valid_from=D(2025, 1, 1), target_value=99
    )
    figure = by_code(compute(reunion, [Period.month(D(2025, 3, 1))], today=TODAY)[Period.month(D(2025, 3, 1))])
    assert figure["RECLAMATIONS-15J"].target_value == 90


# Local engagements ---------------------------------------------------------------------------------------------


def local_engagement(prefecture, code="974-RDV-MAIRIE", target=80):
    item = Engagement.objects.create(
        code=code, prefecture=prefecture, source=Source.ANSWER_SATISFACTION, position=99, label="qualipref"
    )
    EngagementVersion.objects.create(
        engagement=item,
        valid_from=D(2025, 1, 1),
        wording="Engagement local",
        target_value=target,
        comparator=Comparator.AT_LEAST,
    )
    return item


def test_a_local_engagement_is_computed_for_its_prefecture_only(reunion, mainland):
    own = local_engagement(reunion)
    march = Period.month(D(2025, 3, 1))
    assert own in [f.engagement for f in compute(reunion, [march], today=TODAY)[march]]
    assert own not in [f.engagement for f in compute(mainland, [march], today=TODAY)[march]]
    assert own not in Engagement.objects.national()
    assert set(Engagement.objects.of_prefecture(mainland)) == set(Engagement.objects.national())


def test_a_local_engagement_cannot_be_a_headline(reunion):
    own = local_engagement(reunion)
    own.is_headline = True
    with pytest.raises(ValidationError):
        own.full_clean()


def test_a_local_target_is_for_a_national_engagement(reunion):
    own = local_engagement(reunion)
    with pytest.raises(ValidationError):
        LocalTarget(prefecture=reunion, engagement=own, valid_from=D(2025, 1, 1), target_value=90).full_clean()
