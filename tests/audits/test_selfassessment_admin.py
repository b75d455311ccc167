"""Self-assessments in the admin: an officer starts a campaign and saves lines one by one, a conflict keeps what was
typed, nothing changes once submitted; the auditor reads a submitted one (reached from the audit), never a draft;
lists and the grid in a bounded number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.enums import AuditStatus, SelfRating
from audits.models import SelfAssessment, SelfAssessmentLine
from audits.services import audit_transition, self_assessment_line_save, self_assessment_submit
from qualipref.enums import Label, Role
from tests.engagements.factories import MonthlyIndicatorFactory, engagement
from tests.qualipref.factories import MembershipFactory, PrefectureFactory, officer_of

from .factories import auditor_of, awarded_cycle, campaign, planned_audit

pytestmark = pytest.mark.django_db


@pytest.fixture
def prefecture():
    return PrefectureFactory(label=Label.NONE, label_awarded_on=None)


@pytest.fixture
def officer(prefecture):
    return officer_of(prefecture, first_name="Nadia", last_name="Payet")


@pytest.fixture
def auditor(prefecture):
    return auditor_of(prefecture)


@pytest.fixture
def started(prefecture, officer):
    return campaign(prefecture, by=officer)


def _grid(campaign):
    return reverse("admin:audits_selfassessment_change", args=[campaign.pk])


def _line_url(line):
    return reverse("admin:audits_selfassessment_line", args=[line.campaign_id, line.pk])


def _post_line(client, line, *, how_met="Procédure écrite et affichée.", rating=SelfRating.MET, revision=None):
    prefix = f"line{line.pk}"
    return client.post(
        _line_url(line),
        {
            f"{prefix}-how_met": how_met,
            f"{prefix}-rating": rating,
            f"{prefix}-comment": "",
            f"{prefix}-revision": line.revision if revision is None else revision,
        },
    )


def _submit_all(campaign, by):
    for line in campaign.lines.all():
        self_assessment_line_save(line=line, by=by, how_met="Fait.", rating=SelfRating.MET, revision=line.revision)
    return self_assessment_submit(campaign=campaign, by=by)


def test_the_officer_starts_a_campaign_from_the_admin(client, prefecture, officer):
    client.force_login(officer)
    response = client.post(
        reverse("admin:audits_selfassessment_add"),
        {"prefecture": prefecture.pk, "on": "16/02/2026", "note": "Avant l’audit de surveillance."},
    )
    started = SelfAssessment.objects.get()
    assert response.status_code == 302 and response["Location"] == _grid(started)
    assert started.started_by == officer and started.lines.count() > 10
    assert (started.period_start, started.period_end) == (datetime.date(2025, 2, 1), datetime.date(2026, 1, 1))


def test_a_second_draft_is_refused_on_the_form(client, prefecture, officer, started):
    client.force_login(officer)
    response = client.post(reverse("admin:audits_selfassessment_add"), {"prefecture": prefecture.pk})
    assert response.status_code == 200 and SelfAssessment.objects.count() == 1
    assert "déjà une autoévaluation en cours" in response.content.decode()


def test_the_officer_saves_a_line_and_the_grid_shows_who_and_the_rating(client, officer, started):
    line = started.lines.get(engagement__code="COURRIERS-15J")
    client.force_login(officer)
    response = _post_line(client, line)
    assert response.status_code == 302 and response["Location"].endswith(f"#line-{line.pk}")
    line.refresh_from_db()
    assert (line.rating, line.how_met, line.edited_by, line.revision) == (
        SelfRating.MET,
        "Procédure écrite et affichée.",
        officer,
        1,
    )
    page = client.get(_grid(started)).content.decode()
    assert "Nadia Payet" in page and "Procédure écrite et affichée." in page


def test_a_conflicting_save_keeps_what_was_typed_and_shows_the_other_s(client, prefecture, officer, started):
    colleague = officer_of(prefecture, first_name="Julie", last_name="Hoarau")
    line = started.lines.get(engagement__code="COURRIERS-15J")
    self_assessment_line_save(
        line=line, by=colleague, how_met="Version de Julie", rating=SelfRating.PARTLY_MET, revision=0
    )
    client.force_login(officer)
    response = _post_line(client, line, how_met="Version de Nadia", revision=0)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Julie Hoarau" in page and "Version de Julie" in page and "Version de Nadia" in page
    line.refresh_from_db()
    assert line.how_met == "Version de Julie"
    # The form came back made from the revision now stored: saving it again is the officer's choice, and passes.
    form = response.context["rows"][[r["line"].pk for r in response.context["rows"]].index(line.pk)]["form"]
    assert form["revision"].value() == "1"
    assert _post_line(client, line, how_met="Version de Nadia", revision=1).status_code == 302
    line.refresh_from_db()
    assert line.how_met == "Version de Nadia"


def test_submitting_from_the_grid_freezes_it(client, officer, started):
    client.force_login(officer)
    submit = reverse("admin:audits_selfassessment_submit", args=[started.pk])
    client.post(submit)
    started.refresh_from_db()
    assert not started.is_submitted  # lines not rated: refused, with the message
    for line in started.lines.all():
        self_assessment_line_save(
            line=line, by=officer, how_met="Fait.", rating=SelfRating.MET, revision=line.revision
        )
    assert client.post(submit).status_code == 302
    started.refresh_from_db()
    assert started.is_submitted and started.submitted_by == officer

    line = started.lines.first()
    response = _post_line(client, line, rating=SelfRating.NOT_MET)
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.rating == SelfRating.MET
    page = client.get(_grid(started)).content.decode()
    assert f'action="{_line_url(line)}"' not in page and "Soumise par Nadia Payet" in page
    # Nor deleted, nor changed through Django's own views.
    assert client.get(reverse("admin:audits_selfassessment_delete", args=[started.pk])).status_code == 403
    assert client.post(_grid(started), {"note": "changé"}).status_code == 403


def test_the_auditor_reads_a_submitted_self_assessment_from_the_audit(client, prefecture, officer, auditor, started):
    _submit_all(started, officer)
    audit = planned_audit(awarded_cycle(prefecture), auditor, starts_on=datetime.date(2026, 3, 2))
    audit_transition(audit=audit, to=AuditStatus.IN_PROGRESS)
    client.force_login(auditor)
    page = client.get(reverse("admin:audits_audit_change", args=[audit.pk])).content.decode()
    assert _grid(started) in page
    grid = client.get(_grid(started))
    assert grid.status_code == 200
    assert "Fait." in grid.content.decode() and "<form" not in grid.content.decode().split('id="content-main"')[1]
    line = started.lines.first()
    assert _post_line(client, line, rating=SelfRating.NOT_MET).status_code == 403


def test_the_auditor_never_sees_a_draft(client, auditor, started):
    client.force_login(auditor)
    listed = client.get(reverse("admin:audits_selfassessment_changelist")).context["cl"].result_list
    assert started not in listed
    assert client.get(_grid(started)).status_code == 404
    assert client.get(reverse("admin:audits_selfassessment_add")).status_code == 403
    assert _post_line(client, started.lines.first()).status_code == 404


def test_an_officer_of_another_prefecture_cannot_read_nor_write(client, started):
    stranger = officer_of(PrefectureFactory())
    client.force_login(stranger)
    assert client.get(_grid(started)).status_code == 404
    assert _post_line(client, started.lines.first()).status_code == 404
    assert client.post(reverse("admin:audits_selfassessment_submit", args=[started.pk])).status_code == 404
    assert not SelfAssessmentLine.objects.filter(campaign=started).exclude(rating="").exists()


def test_the_grid_shows_the_flag_and_filters_the_flagged_lines(client, prefecture, officer, started):
    MonthlyIndicatorFactory(prefecture=prefecture, engagement=engagement("RECLAMATIONS-15J"), met=False)
    MonthlyIndicatorFactory(
        prefecture=prefecture, engagement=engagement("RECLAMATIONS-15J"), month=datetime.date(2025, 4, 1), met=True
    )
    line = started.lines.get(engagement__code="RECLAMATIONS-15J")
    self_assessment_line_save(line=line, by=officer, how_met="Fait.", rating=SelfRating.MET, revision=0)
    client.force_login(officer)
    response = client.get(_grid(started) + "?show=flagged")
    assert [row["line"].pk for row in response.context["rows"]] == [line.pk]
    assert response.context["totals"]["flagged"] == 1
    listed = client.get(reverse("admin:audits_selfassessment_changelist")).context["cl"].result_list
    assert [c._flagged for c in listed] == [1]


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_list_and_the_grid_take_the_same_queries_whatever_the_rows(client):
    coordinator = MembershipFactory(prefecture=None, role=Role.NATIONAL_COORDINATOR).user
    client.force_login(coordinator)

    def add_one():
        prefecture = PrefectureFactory()
        officer = officer_of(prefecture)
        started = campaign(prefecture, by=officer)
        MonthlyIndicatorFactory(prefecture=prefecture, engagement=engagement("RECLAMATIONS-15J"), met=False)
        return _submit_all(started, officer)

    first = add_one()
    url = reverse("admin:audits_selfassessment_changelist")
    _queries(client, url)
    one = _queries(client, url)
    grid = _queries(client, _grid(first))
    for _ in range(3):
        add_one()
    assert _queries(client, url) == one
    assert _queries(client, _grid(first)) == grid
    # The grid: a campaign's lines are read in one query, whatever their number.
    assert grid <= 12
