"""The builder in the admin: questions and choices, changes that would break answers, actions, results, export."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from qualipref.enums import Role
from surveys.enums import QuestionKind, SurveyStatus
from surveys.models import Choice, DistributionPoint, Survey
from tests.qualipref.factories import MembershipFactory, ServiceFactory, SiteFactory, officer_of

from .factories import DistributionPointFactory, QuestionFactory, SurveyFactory, questions_of, respond


@pytest.fixture
def officer_client(client, reunion):
    client.force_login(officer_of(reunion))
    return client


def question_rows(survey):
    return [
        {
            "id": q.pk,
            "position": q.position,
            "text": q.text,
            "help_text": q.help_text,
            "kind": q.kind,
            "required": q.required,
            "is_public": q.is_public,
            "choices_text": "\n".join(c.label for c in q.choices.all()),
        }
        for q in survey.questions.prefetch_related("choices")
    ]


def form_data(survey=None, *, questions=None, points=(), **fields):
    """What the survey's admin page posts: the survey's fields and its two inline formsets."""
    data = {
        "prefecture": survey.prefecture_id if survey else fields.pop("prefecture").pk,
        "title": survey.title if survey else "Accueil 2026",
        "slug": survey.slug if survey else "accueil-2026",
        "introduction": "",
        "opens_on": (survey.opens_on if survey else datetime.date(2026, 1, 1)).isoformat(),
        "closes_on": (survey.closes_on if survey else datetime.date(2026, 12, 31)).isoformat(),
        "status": survey.status if survey else SurveyStatus.DRAFT,
    }
    if survey and survey.results_public:
        data["results_public"] = "on"
    data.update(fields)
    questions = question_rows(survey) if questions is None and survey else questions or []
    for prefix, rows in (("questions", questions), ("points", list(points))):
        data[f"{prefix}-TOTAL_FORMS"] = len(rows)
        data[f"{prefix}-INITIAL_FORMS"] = sum(1 for row in rows if row.get("id"))
        data[f"{prefix}-MIN_NUM_FORMS"] = 0
        data[f"{prefix}-MAX_NUM_FORMS"] = 1000
        for n, row in enumerate(rows):
            for key, value in row.items():
                if value is True:
                    value = "on"
                if value not in (False, None):
                    data[f"{prefix}-{n}-{key}"] = value
            if survey:
                data[f"{prefix}-{n}-survey"] = survey.pk
    return data


def change_url(survey):
    return reverse("admin:surveys_survey_change", args=[survey.pk])


def inline_errors(response):
    """Every error of the questions formset, as text."""
    formset = next(f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "questions").formset
    errors = [str(e) for form_errors in formset.errors for field in form_errors.values() for e in field]
    return errors + [str(e) for e in formset.non_form_errors()]


def test_an_officer_builds_a_survey_with_every_kind_of_question(officer_client, reunion):
    site = SiteFactory(prefecture=reunion, name="Préfecture de Saint-Denis")
    questions = [
        {"position": 1, "text": "Satisfait ?", "kind": QuestionKind.SATISFACTION, "required": True, "is_public": True},
        {"position": 2, "text": "Recommanderiez-vous ?", "kind": QuestionKind.RECOMMENDATION, "is_public": True},
        {"position": 3, "text": "Démarche ?", "kind": QuestionKind.SINGLE_CHOICE, "choices_text": "Séjour\nPermis\n"},
        {"position": 4, "text": "Préparation ?", "kind": QuestionKind.MULTIPLE_CHOICE, "choices_text": "Site\nTél."},
        {"position": 5, "text": "Abouti ?", "kind": QuestionKind.YES_NO},
        {"position": 6, "text": "Remarque ?", "kind": QuestionKind.FREE_TEXT, "is_public": True},
    ]
    data = form_data(prefecture=reunion, questions=questions, points=[{"name": "Guichet 1", "site": site.pk}])
    response = officer_client.post(reverse("admin:surveys_survey_add"), data)
    assert response.status_code == 302, inline_errors(response)
    survey = Survey.objects.get(slug="accueil-2026")
    assert survey.prefecture == reunion and survey.status == SurveyStatus.DRAFT
    assert [q.kind for q in survey.questions.all()] == [row["kind"] for row in questions]
    single = survey.questions.get(kind=QuestionKind.SINGLE_CHOICE)
    assert [c.label for c in single.choices.all()] == ["Séjour", "Permis"]
    assert survey.questions.get(kind=QuestionKind.FREE_TEXT).is_public is False  # never public
    point = survey.points.get()
    assert point.site == site and len(point.code) == 6


@pytest.mark.parametrize(
    ("kind", "choices_text", "message"),
    [
        (QuestionKind.SINGLE_CHOICE, "Seul choix", "Give at least two choices, one per line."),
        (QuestionKind.MULTIPLE_CHOICE, "", "Give at least two choices, one per line."),
        (
            QuestionKind.SATISFACTION,
            "Un\nDeux",
            "Only single and multiple choice questions have choices: empty this list.",
        ),
        (QuestionKind.SINGLE_CHOICE, "Oui\nNon\nOui", "Each choice must appear once: “%(label)s” is repeated."),
    ],
)
def test_choices_must_fit_the_kind_and_what_was_typed_is_kept(officer_client, reunion, kind, choices_text, message):
    questions = [{"position": 1, "text": "Démarche ?", "kind": kind, "choices_text": choices_text}]
    response = officer_client.post(
        reverse("admin:surveys_survey_add"),
        form_data(prefecture=reunion, questions=questions),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    expected = gettext(message) % {"label": "Oui"} if "%(label)s" in message else gettext(message)
    assert expected in inline_errors(response)
    assert not Survey.objects.exists()
    assert "Démarche ?" in response.content.decode()


@pytest.fixture
def answered_survey(survey):
    q = questions_of(survey)
    respond(
        survey,
        {
            q[QuestionKind.SATISFACTION]: 5,
            q[QuestionKind.SINGLE_CHOICE]: q[QuestionKind.SINGLE_CHOICE].choices.get(label="Permis de conduire"),
        },
    )
    return survey


def test_the_kind_of_an_answered_question_cannot_change(officer_client, answered_survey):
    rows = question_rows(answered_survey)
    rows[0]["kind"] = QuestionKind.YES_NO
    response = officer_client.post(change_url(answered_survey), form_data(answered_survey, questions=rows))
    assert response.status_code == 200
    expected = ngettext(
        "This question already has %(count)d answer: its kind cannot change. Add a new question instead.",
        "This question already has %(count)d answers: its kind cannot change. Add a new question instead.",
        1,
    ) % {"count": 1}
    assert expected in inline_errors(response)
    assert questions_of(answered_survey)[QuestionKind.SATISFACTION].kind == QuestionKind.SATISFACTION


def test_the_kind_of_an_unanswered_question_may_change(officer_client, answered_survey):
    rows = question_rows(answered_survey)
    rows[4]["kind"] = QuestionKind.SATISFACTION  # the yes/no question has no answer
    response = officer_client.post(change_url(answered_survey), form_data(answered_survey, questions=rows))
    assert response.status_code == 302, inline_errors(response)
    assert answered_survey.questions.filter(kind=QuestionKind.SATISFACTION).count() == 2


def test_an_answered_choice_cannot_be_removed_or_renamed(officer_client, answered_survey):
    rows = question_rows(answered_survey)
    rows[2]["choices_text"] = "Titre de séjour\nPermis\nAutre"  # "Permis de conduire" renamed
    response = officer_client.post(change_url(answered_survey), form_data(answered_survey, questions=rows))
    assert response.status_code == 200
    expected = gettext(
        "The choice “%(label)s” already has answers: it cannot be removed or renamed. "
        "Add new choices instead, or duplicate the survey for the next period."
    ) % {"label": "Permis de conduire"}
    assert expected in inline_errors(response)
    single = questions_of(answered_survey)[QuestionKind.SINGLE_CHOICE]
    assert [c.label for c in single.choices.all()] == ["Titre de séjour", "Permis de conduire", "Autre"]


def test_unanswered_choices_may_be_removed_added_and_reordered(officer_client, answered_survey):
    rows = question_rows(answered_survey)
    rows[2]["choices_text"] = "Naturalisation\nPermis de conduire\nTitre de séjour"  # "Autre" removed
    response = officer_client.post(change_url(answered_survey), form_data(answered_survey, questions=rows))
    assert response.status_code == 302, inline_errors(response)
    single = questions_of(answered_survey)[QuestionKind.SINGLE_CHOICE]
    assert [c.label for c in single.choices.all()] == ["Naturalisation", "Permis de conduire", "Titre de séjour"]
    # The answer still points to the same choice.
    assert single.answers.get().choice.label == "Permis de conduire"


def test_an_answered_question_cannot_be_deleted(officer_client, answered_survey):
    rows = question_rows(answered_survey)
    rows[0]["DELETE"] = True
    response = officer_client.post(change_url(answered_survey), form_data(answered_survey, questions=rows))
    assert response.status_code == 200
    expected = gettext(
        "The question “%(text)s” already has answers: it cannot be deleted. Make it optional instead."
    ) % {"text": "Êtes-vous satisfait de l'accueil ?"}
    assert expected in inline_errors(response)
    assert answered_survey.questions.count() == 6


def test_an_unanswered_question_may_be_deleted(officer_client, answered_survey):
    rows = question_rows(answered_survey)
    rows[5]["DELETE"] = True
    response = officer_client.post(change_url(answered_survey), form_data(answered_survey, questions=rows))
    assert response.status_code == 302, inline_errors(response)
    assert answered_survey.questions.count() == 5


def test_an_open_survey_needs_a_question(officer_client, reunion):
    data = form_data(prefecture=reunion, status=SurveyStatus.OPEN, questions=[])
    response = officer_client.post(reverse("admin:surveys_survey_add"), data)
    assert response.status_code == 200
    assert gettext("An open or closed survey needs at least one question.") in inline_errors(response)


def test_an_answered_survey_cannot_go_back_to_draft(officer_client, answered_survey):
    response = officer_client.post(change_url(answered_survey), form_data(answered_survey, status=SurveyStatus.DRAFT))
    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    answered_survey.refresh_from_db()
    assert answered_survey.status == SurveyStatus.OPEN


def test_an_answered_survey_cannot_be_deleted(officer_client, answered_survey):
    response = officer_client.post(reverse("admin:surveys_survey_delete", args=[answered_survey.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Survey.objects.filter(pk=answered_survey.pk).exists()
    actions = officer_client.get(reverse("admin:surveys_survey_changelist")).context["action_form"]
    assert "delete_selected" not in dict(actions.fields["action"].choices)


def test_a_site_of_another_prefecture_cannot_be_a_distribution_point(officer_client, survey, other):
    foreign_site = SiteFactory(prefecture=other)
    data = form_data(survey, points=[{"name": "Intrus", "site": foreign_site.pk}])
    response = officer_client.post(change_url(survey), data)
    assert response.status_code == 200
    assert not DistributionPoint.objects.filter(name="Intrus").exists()


# --- actions ----------------------------------------------------------------------------------------


def test_duplicating_a_survey_prepares_the_next_period(officer_client, survey, point):
    survey.title, survey.slug = "Accueil 2026", "accueil-2026"
    survey.opens_on, survey.closes_on = datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)
    survey.save()
    response = officer_client.post(
        reverse("admin:surveys_survey_changelist"), {"action": "duplicate", "_selected_action": [survey.pk]}
    )
    assert response.status_code == 302
    copy = Survey.objects.exclude(pk=survey.pk).get()
    assert (copy.title, copy.slug, copy.status) == ("Accueil 2027", "accueil-2027", SurveyStatus.DRAFT)
    assert (copy.opens_on, copy.closes_on) == (datetime.date(2027, 1, 1), datetime.date(2027, 12, 31))
    assert [(q.kind, q.text, q.required) for q in copy.questions.all()] == [
        (q.kind, q.text, q.required) for q in survey.questions.all()
    ]
    copied_choices = Choice.objects.filter(question__survey=copy).values_list("label", flat=True)
    assert sorted(copied_choices) == sorted(
        Choice.objects.filter(question__survey=survey).values_list("label", flat=True)
    )
    new_point = copy.points.get()
    assert new_point.name == point.name and new_point.site == point.site and new_point.code != point.code
    assert not copy.responses.exists() and copy.results_public is False


def test_publishing_results_is_an_action(officer_client, survey):
    officer_client.post(
        reverse("admin:surveys_survey_changelist"), {"action": "publish_results", "_selected_action": [survey.pk]}
    )
    survey.refresh_from_db()
    assert survey.results_public is True


def test_a_draft_cannot_be_published_nor_opened_without_questions(officer_client, reunion):
    draft = SurveyFactory(prefecture=reunion, draft=True)
    url = reverse("admin:surveys_survey_changelist")
    officer_client.post(url, {"action": "publish_results", "_selected_action": [draft.pk]})
    officer_client.post(url, {"action": "open_surveys", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.results_public is False and draft.status == SurveyStatus.DRAFT


def test_closing_a_survey_is_an_action(officer_client, survey):
    officer_client.post(
        reverse("admin:surveys_survey_changelist"), {"action": "close_surveys", "_selected_action": [survey.pk]}
    )
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.CLOSED


# --- results, export, lists ---------------------------------------------------------------------------


def test_the_officer_results_page_shows_figures_and_free_text(officer_client, survey):
    q = questions_of(survey)
    respond(survey, {q[QuestionKind.SATISFACTION]: 5, q[QuestionKind.FREE_TEXT]: "Très bon accueil au guichet 2"})
    respond(survey, {q[QuestionKind.SATISFACTION]: 2})
    response = officer_client.get(reverse("admin:surveys_survey_results", args=[survey.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Très bon accueil au guichet 2" in html
    assert "50,0 %" in html or "50.0 %" in html  # one satisfied out of two


def test_another_prefecture_officer_gets_404_on_results_export_and_qr(client, survey, point, other):
    client.force_login(officer_of(other))
    for url in (
        reverse("admin:surveys_survey_results", args=[survey.pk]),
        reverse("admin:surveys_survey_export", args=[survey.pk]),
        reverse("admin:surveys_distributionpoint_qr_svg", args=[point.pk]),
        reverse("admin:surveys_distributionpoint_qr_png", args=[point.pk]),
        reverse("admin:surveys_distributionpoint_poster", args=[point.pk]),
    ):
        assert client.get(url).status_code == 404, url


def test_a_service_agent_may_not_read_survey_results(client, survey, reunion):
    agent = MembershipFactory(
        prefecture=reunion, role=Role.SERVICE_AGENT, service=ServiceFactory(prefecture=reunion)
    ).user
    client.force_login(agent)
    assert client.get(reverse("admin:surveys_survey_export", args=[survey.pk])).status_code in {403, 404}


def test_the_auditor_reads_results_but_cannot_change_the_survey(client, survey, reunion):
    auditor = MembershipFactory(prefecture=reunion, role=Role.AUDITOR).user
    client.force_login(auditor)
    assert client.get(reverse("admin:surveys_survey_results", args=[survey.pk])).status_code == 200
    client.post(change_url(survey), form_data(survey, title="Changé"))
    survey.refresh_from_db()
    assert survey.title != "Changé"


def test_csv_export_holds_one_line_per_response_and_nothing_else(officer_client, survey, point):
    q = questions_of(survey)
    multiple = list(q[QuestionKind.MULTIPLE_CHOICE].choices.all())
    respond(
        survey,
        {
            q[QuestionKind.SATISFACTION]: 4,
            q[QuestionKind.RECOMMENDATION]: 10,
            q[QuestionKind.SINGLE_CHOICE]: q[QuestionKind.SINGLE_CHOICE].choices.get(label="Autre"),
            q[QuestionKind.MULTIPLE_CHOICE]: multiple[:2],
            q[QuestionKind.YES_NO]: 0,
            q[QuestionKind.FREE_TEXT]: '=HYPERLINK("http://evil")',
        },
        point=point,
        on=datetime.date(2026, 3, 14),
    )
    respond(survey, {q[QuestionKind.SATISFACTION]: 1}, on=datetime.date(2026, 3, 15))
    response = officer_client.get(reverse("admin:surveys_survey_export", args=[survey.pk]))
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff")), delimiter=";"))
    assert len(rows) == 3
    assert rows[0][:3] == [gettext("Sent on"), gettext("Distribution point"), "1. Êtes-vous satisfait de l'accueil ?"]
    assert rows[1][0] == "2026-03-14" and rows[1][1] == "Guichet 3"
    assert rows[1][2:7] == ["4", "10", "Autre", "Site internet | Téléphone", gettext("No")]
    assert rows[1][7] == '\'=HYPERLINK("http://evil")'  # never a formula in a spreadsheet
    assert rows[2][:3] == ["2026-03-15", "", "1"]
    assert rows[2][3:] == ["", "", "", "", ""]


def test_the_survey_list_takes_a_bounded_number_of_queries(officer_client, reunion):
    SurveyFactory(prefecture=reunion)
    with CaptureQueriesContext(connection) as few:
        officer_client.get(reverse("admin:surveys_survey_changelist"))
    for _ in range(5):
        survey = SurveyFactory(prefecture=reunion)
        respond(survey, {QuestionFactory(survey=survey): 3})
    with CaptureQueriesContext(connection) as many:
        response = officer_client.get(reverse("admin:surveys_survey_changelist"))
    assert response.status_code == 200
    assert len(many) == len(few)


def test_the_survey_page_takes_a_bounded_number_of_queries(officer_client, survey, point):
    with CaptureQueriesContext(connection) as few:
        officer_client.get(change_url(survey))
    for n in range(3):
        QuestionFactory(survey=survey, kind=QuestionKind.SINGLE_CHOICE, choices=[f"A{n}", f"B{n}"])
        DistributionPointFactory(survey=survey)
    with CaptureQueriesContext(connection) as many:
        assert officer_client.get(change_url(survey)).status_code == 200
    # Each new question costs its history-free inline form nothing; choices are prefetched.
    assert len(many) <= len(few) + 3


def test_a_point_with_answers_cannot_be_deleted(officer_client, survey, point):
    respond(survey, {questions_of(survey)[QuestionKind.SATISFACTION]: 4}, point=point)
    data = form_data(survey, points=[{"id": point.pk, "name": point.name, "site": point.site_id, "DELETE": True}])
    response = officer_client.post(change_url(survey), data)
    assert response.status_code == 200
    assert DistributionPoint.objects.filter(pk=point.pk).exists()
    delete = reverse("admin:surveys_distributionpoint_delete", args=[point.pk])
    assert officer_client.post(delete, {"post": "yes"}).status_code == 403
    assert DistributionPoint.objects.filter(pk=point.pk).exists()
