"""Self-assessment: the grid generated from the engagements in force, line-by-line saves with their optimistic check,
the freeze on submission, the flags against the monthly figures and the comparison with the previous campaign."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audits.enums import RatingTrend, SelfRating
from audits.models import SelfAssessment, SelfAssessmentLine
from audits.selfassessment import judged_lines, summary
from audits.services import (
    LineConflict,
    self_assessment_discard,
    self_assessment_line_save,
    self_assessment_start,
    self_assessment_submit,
)
from engagements.models import Engagement
from tests.engagements.factories import (
    EngagementVersionFactory,
    LocalEngagementFactory,
    MonthlyIndicatorFactory,
    SiteMonthlyIndicatorFactory,
    engagement,
)
from tests.qualipref.factories import PrefectureFactory, SiteFactory, officer_of

from .factories import auditor_of, campaign

pytestmark = pytest.mark.django_db

M, P, N = SelfRating.MET, SelfRating.PARTLY_MET, SelfRating.NOT_MET


@pytest.fixture
def prefecture():
    return PrefectureFactory()


@pytest.fixture
def officer(prefecture):
    return officer_of(prefecture, first_name="Nadia", last_name="Payet")


def _line(campaign, code):
    return SelfAssessmentLine.objects.get(campaign=campaign, engagement__code=code)


def _save(line, by, rating=M, how_met="Procédure écrite.", comment=""):
    line.refresh_from_db()
    return self_assessment_line_save(
        line=line, by=by, how_met=how_met, rating=rating, comment=comment, revision=line.revision
    )


def _rate_all(campaign, by, rating=M):
    for line in campaign.lines.all():
        _save(line, by, rating)


def test_a_campaign_has_one_line_per_engagement_in_force_national_and_local(prefecture, officer):
    own = LocalEngagementFactory(prefecture=prefecture, code="RDV-48H")
    later = LocalEngagementFactory(prefecture=prefecture, code="PLUS-TARD", version=None)
    EngagementVersionFactory(engagement=later, valid_from=datetime.date(2026, 6, 1))
    LocalEngagementFactory(prefecture=PrefectureFactory(), code="AILLEURS")
    started = campaign(prefecture, by=officer)

    codes = set(started.lines.values_list("engagement__code", flat=True))
    national = set(Engagement.objects.active().national().values_list("code", flat=True))
    assert codes == national | {own.code}
    assert started.started_by == officer and not started.is_submitted
    # The figures compared by default: the twelve complete months before the campaign's date.
    assert (started.period_start, started.period_end) == (datetime.date(2025, 2, 1), datetime.date(2026, 1, 1))
    line = _line(started, own.code)
    assert line.version.engagement_id == own.pk and line.prefecture == prefecture


def test_only_one_campaign_in_progress_per_prefecture(prefecture, officer):
    campaign(prefecture, by=officer)
    with pytest.raises(ValidationError) as refused:
        campaign(prefecture, by=officer)
    assert "prefecture" in refused.value.message_dict


def test_sites_of_another_prefecture_are_refused(prefecture, officer):
    with pytest.raises(ValidationError) as refused:
        campaign(prefecture, by=officer, sites=[SiteFactory()])
    assert "sites" in refused.value.message_dict


def test_only_the_prefecture_s_officers_start_and_write(prefecture, officer):
    with pytest.raises(PermissionDenied):
        campaign(prefecture, by=auditor_of(prefecture))
    with pytest.raises(PermissionDenied):
        campaign(prefecture, by=officer_of(PrefectureFactory()))
    started = campaign(prefecture, by=officer)
    line = started.lines.first()
    with pytest.raises(PermissionDenied):
        _save(line, auditor_of(prefecture))
    with pytest.raises(PermissionDenied):
        self_assessment_submit(campaign=started, by=officer_of(PrefectureFactory()))


def test_two_officers_saving_different_lines_keep_both(prefecture, officer):
    other = officer_of(prefecture, first_name="Julie")
    started = campaign(prefecture, by=officer)
    first, second = started.lines.order_by("position")[:2]
    # Both opened the grid at revision 0.
    self_assessment_line_save(line=first, by=officer, how_met="A", rating=M, revision=0)
    self_assessment_line_save(line=second, by=other, how_met="B", rating=P, revision=0)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.how_met, first.rating, first.edited_by) == ("A", M, officer)
    assert (second.how_met, second.rating, second.edited_by) == ("B", P, other)
    assert first.edited_at is not None


def test_a_save_from_an_older_revision_is_refused_and_names_who_saved(prefecture, officer):
    other = officer_of(prefecture, first_name="Julie", last_name="Hoarau")
    line = campaign(prefecture, by=officer).lines.first()
    self_assessment_line_save(line=line, by=other, how_met="Version de Julie", rating=M, revision=0)
    with pytest.raises(LineConflict) as conflict:
        self_assessment_line_save(line=line, by=officer, how_met="Version de Nadia", rating=N, revision=0)
    assert "Julie Hoarau" in conflict.value.messages[0]
    line.refresh_from_db()
    assert (line.how_met, line.rating, line.revision) == ("Version de Julie", M, 1)
    # Saving again from the revision now stored is a choice the officer makes: it passes.
    self_assessment_line_save(line=line, by=officer, how_met="Version de Nadia", rating=N, revision=1)
    line.refresh_from_db()
    assert (line.how_met, line.revision, line.history.count()) == ("Version de Nadia", 2, 2)


def test_an_unknown_rating_is_refused(prefecture, officer):
    line = campaign(prefecture, by=officer).lines.first()
    with pytest.raises(ValidationError):
        self_assessment_line_save(line=line, by=officer, how_met="", rating="excellent", revision=0)


def test_submitting_needs_every_line_rated_then_freezes_the_campaign(prefecture, officer):
    started = campaign(prefecture, by=officer)
    first = started.lines.order_by("position").first()
    _save(first, officer)
    with pytest.raises(ValidationError) as refused:
        self_assessment_submit(campaign=started, by=officer)
    unrated = started.lines.order_by("position")[1].engagement.code
    assert unrated in refused.value.messages[0] and first.engagement.code not in refused.value.messages[0]
    _rate_all(started, officer)
    submitted = self_assessment_submit(campaign=started, by=officer)
    assert submitted.submitted_by == officer and submitted.submitted_at is not None

    with pytest.raises(ValidationError):
        _save(first, officer, rating=N)
    with pytest.raises(ValidationError):
        self_assessment_submit(campaign=started, by=officer)
    with pytest.raises(ValidationError):
        self_assessment_discard(campaign=started, by=officer)
    first.refresh_from_db()
    assert first.rating == M


def test_a_draft_is_discarded_with_its_lines(prefecture, officer):
    started = campaign(prefecture, by=officer)
    self_assessment_discard(campaign=started, by=officer)
    assert not SelfAssessment.objects.exists() and not SelfAssessmentLine.objects.exists()


def _figures(prefecture, code, met_by_month, model=MonthlyIndicatorFactory, **fields):
    for month, met in met_by_month.items():
        model(prefecture=prefecture, engagement=engagement(code), month=month, met=met, **fields)


def test_a_line_rated_met_whose_indicator_missed_its_target_is_flagged(prefecture, officer):
    started = campaign(prefecture, by=officer)  # figures of February 2025 to January 2026
    _figures(prefecture, "RECLAMATIONS-15J", {datetime.date(2025, 5, 1): True, datetime.date(2025, 6, 1): False})
    _figures(prefecture, "COURRIERS-15J", {datetime.date(2025, 5, 1): True, datetime.date(2025, 6, 1): True})
    # A miss outside the period does not count; nor one of another prefecture.
    _figures(prefecture, "COURRIERS-15J", {datetime.date(2024, 12, 1): False, datetime.date(2026, 2, 1): False})
    _figures(PrefectureFactory(), "COURRIERS-15J", {datetime.date(2025, 7, 1): False})
    _figures(prefecture, "SATISFACTION-USAGERS", {datetime.date(2025, 5, 1): False})
    _save(_line(started, "RECLAMATIONS-15J"), officer, M)
    _save(_line(started, "COURRIERS-15J"), officer, M)
    _save(_line(started, "SATISFACTION-USAGERS"), officer, P)  # not claimed met: not flagged

    lines = {line.engagement.code: line for line in judged_lines(started.lines.select_related("engagement"))}
    complaints, letters, reception = lines["RECLAMATIONS-15J"], lines["COURRIERS-15J"], lines["SATISFACTION-USAGERS"]
    assert (complaints.flagged, complaints.figures_judged, complaints.figures_missed) == (True, 2, 1)
    assert complaints.indicator_rating == P
    assert (letters.flagged, letters.figures_judged, letters.indicator_rating) == (False, 2, M)
    assert (reception.flagged, reception.indicator_rating) == (False, N)
    assert summary(started)["flagged"] == 1


def test_a_campaign_of_some_sites_is_judged_on_their_figures(prefecture, officer):
    site, other_site = SiteFactory(prefecture=prefecture), SiteFactory(prefecture=prefecture)
    started = campaign(prefecture, by=officer, sites=[site])
    may = datetime.date(2025, 5, 1)
    # The prefecture missed, because of another site: the site assessed met its target.
    _figures(prefecture, "RECLAMATIONS-15J", {may: False})
    _figures(prefecture, "RECLAMATIONS-15J", {may: True}, SiteMonthlyIndicatorFactory, site=site)
    _figures(prefecture, "RECLAMATIONS-15J", {may: False}, SiteMonthlyIndicatorFactory, site=other_site)
    # Without a site figure (the phone), the prefecture's.
    _figures(prefecture, "TELEPHONE-5-SONNERIES", {may: False})
    _save(_line(started, "RECLAMATIONS-15J"), officer, M)
    _save(_line(started, "TELEPHONE-5-SONNERIES"), officer, M)

    flagged = set(judged_lines(started.lines.all()).filter(flagged=True).values_list("engagement__code", flat=True))
    assert flagged == {"TELEPHONE-5-SONNERIES"}


def test_the_campaign_is_compared_with_the_previous_one(prefecture, officer):
    first = campaign(prefecture, by=officer, on=datetime.date(2025, 2, 16))
    _rate_all(first, officer, P)
    _save(_line(first, "COURRIERS-15J"), officer, M, how_met="Relance à J+10.")
    self_assessment_submit(campaign=first, by=officer)

    second = campaign(prefecture, by=officer)
    # What the previous campaign said of how an engagement is met is taken over, the rating is not.
    letters = _line(second, "COURRIERS-15J")
    assert (letters.how_met, letters.rating) == ("Relance à J+10.", "")
    _save(_line(second, "RECLAMATIONS-15J"), officer, M)
    _save(letters, officer, N)
    _save(_line(second, "SATISFACTION-USAGERS"), officer, P)

    lines = {line.engagement.code: line for line in judged_lines(second.lines.select_related("engagement"))}
    assert (lines["RECLAMATIONS-15J"].previous_rating, lines["RECLAMATIONS-15J"].trend) == (P, RatingTrend.UP)
    assert (lines["COURRIERS-15J"].previous_rating, lines["COURRIERS-15J"].trend) == (M, RatingTrend.DOWN)
    assert lines["SATISFACTION-USAGERS"].trend == RatingTrend.SAME
    assert lines["TELEPHONE-5-SONNERIES"].trend == ""  # not rated yet
    totals = summary(second)
    assert (totals["up"], totals["down"], totals["met"], totals["not_met"], totals["partly_met"]) == (1, 1, 1, 1, 1)
    # The first campaign had none before it.
    assert set(judged_lines(first.lines.all()).values_list("trend", flat=True)) == {RatingTrend.NEW}


def test_a_campaign_started_by_the_portal_has_no_starter():
    prefecture = PrefectureFactory()
    started = self_assessment_start(prefecture=prefecture, on=datetime.date(2026, 2, 16))
    assert started.started_by is None and started.lines.exists()
