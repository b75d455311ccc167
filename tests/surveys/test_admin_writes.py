"""Every write of the surveys admin goes through a service, and the services check their rules whoever calls them.

The first part calls the services directly (no admin, no form): a prefecture the user does not work for, a
survey's state, its answers. The second posts to the admin and checks it still works through them.
"""

import datetime

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from surveys.cache import results_generation
from surveys.enums import QuestionKind, SurveyStatus
from surveys.models import DistributionPoint, Question, Survey
from surveys.services import (
    point_delete,
    point_save,
    question_delete,
    question_save,
    survey_close,
    survey_delete,
    survey_duplicate,
    survey_open,
    survey_publish_results,
    survey_save,
)
from tests.qualipref.factories import SiteFactory, officer_of

from .factories import DistributionPointFactory, QuestionFactory, SurveyFactory, questions_of, respond
from .test_admin import change_url, form_data, inline_errors, question_rows

NOT_YOURS = "Vous n’êtes pas affecté à cette préfecture."


@pytest.fixture
def officer(reunion):
    return officer_of(reunion)


@pytest.fixture
def answered(survey):
    """``survey`` (open, La Réunion) with one response: a satisfaction and a single choice."""
    q = questions_of(survey)
    single = q[QuestionKind.SINGLE_CHOICE]
    respond(survey, {q[QuestionKind.SATISFACTION]: 5, single: single.choices.get(label="Permis de conduire")})
    return survey


def refused(call, *args, **kwargs):
    """The French messages of the ``ValidationError`` that ``call`` raises."""
    with translation.override("fr"), pytest.raises(ValidationError) as raised:
        call(*args, **kwargs)
    return spaced(raised.value.messages)


def spaced(messages):
    """French messages with plain spaces for the narrow no-break ones (``test_typography`` checks those)."""
    return [message.replace("\u202f", " ").replace("\xa0", " ") for message in messages]


def forbidden(call, **kwargs):
    with translation.override("fr"), pytest.raises(PermissionDenied) as raised:
        call(**kwargs)
    return str(raised.value)


# --- the services, called directly ------------------------------------------------------------------


def test_a_survey_of_another_prefecture_is_refused_to_every_service(officer, other):
    foreign = SurveyFactory(prefecture=other)
    question = QuestionFactory(survey=foreign)
    point = DistributionPointFactory(survey=foreign)
    for call, kwargs in [
        (survey_save, {"survey": foreign}),
        (survey_open, {"survey": foreign}),
        (survey_close, {"survey": foreign}),
        (survey_publish_results, {"survey": foreign}),
        (survey_duplicate, {"survey": foreign}),
        (survey_delete, {"survey": foreign}),
        (question_save, {"question": question}),
        (question_delete, {"question": question}),
        (point_save, {"point": point}),
        (point_delete, {"point": point}),
    ]:
        assert forbidden(call, by=officer, **kwargs) == NOT_YOURS, call.__name__
    foreign.refresh_from_db()
    assert foreign.status == SurveyStatus.OPEN and Survey.objects.count() == 1
    assert Question.objects.filter(pk=question.pk).exists() and DistributionPoint.objects.filter(pk=point.pk).exists()


def test_a_survey_is_neither_created_in_nor_moved_to_another_prefecture(officer, reunion, other, survey):
    new = Survey(
        prefecture=other, title="Accueil", slug="accueil-94", opens_on=survey.opens_on, closes_on=survey.closes_on
    )
    assert forbidden(survey_save, survey=new, by=officer) == NOT_YOURS
    survey.prefecture = other
    assert forbidden(survey_save, survey=survey, by=officer, fields=["prefecture"]) == NOT_YOURS
    assert Survey.objects.get(pk=survey.pk).prefecture == reunion and not Survey.objects.filter(slug="accueil-94")


def test_a_survey_moves_to_another_prefecture_only_once_its_points_have_no_site_there(officer, survey, point, other):
    officer.memberships.create(prefecture=other, role=officer.memberships.get().role)
    officer = type(officer).objects.get(pk=officer.pk)  # its prefectures read again
    survey.prefecture = other
    assert refused(survey_save, survey=survey, by=officer, fields=["prefecture"]) == [
        "Des points de diffusion de cette enquête sont situés sur des sites d’une autre préfecture : "
        "retirez d’abord leur site."
    ]
    point.site = None
    point_save(point=point, by=officer, fields=["site"])
    survey_save(survey=survey, by=officer, fields=["prefecture"])
    assert Survey.objects.get(pk=survey.pk).prefecture == other


def test_a_question_or_a_point_is_never_moved_into_a_survey_of_another_prefecture(officer, survey, point, other):
    foreign = SurveyFactory(prefecture=other)
    question = survey.questions.first()
    question.survey = foreign
    assert forbidden(question_save, question=question, by=officer) == NOT_YOURS
    point.survey = foreign
    assert forbidden(point_save, point=point, by=officer) == NOT_YOURS
    assert not foreign.questions.exists() and not foreign.points.exists()


def test_the_portal_itself_writes_in_every_prefecture(survey):
    """``by=None``: the demo data, a shell, a task."""
    assert survey_close(survey=survey, by=None).status == SurveyStatus.CLOSED


def test_an_answered_survey_never_goes_back_to_draft(officer, answered):
    answered.status = SurveyStatus.DRAFT
    assert refused(survey_save, survey=answered, by=officer, fields=["status"]) == [
        "Cette enquête a déjà reçu des réponses : elle ne peut pas revenir à l’état de brouillon. Clôturez-la plutôt."
    ]
    assert Survey.objects.get(pk=answered.pk).status == SurveyStatus.OPEN


def test_a_draft_has_no_results_to_publish(officer, reunion):
    draft = SurveyFactory(prefecture=reunion, draft=True)
    message = ["Une enquête en brouillon n’a aucun résultat à publier."]
    assert refused(survey_publish_results, survey=draft, by=officer) == message
    draft.results_public = True
    assert refused(survey_save, survey=draft, by=officer, fields=["results_public"]) == message
    assert Survey.objects.get(pk=draft.pk).results_public is False


def test_an_open_survey_keeps_a_question(officer, reunion):
    opened = Survey(
        prefecture=reunion, title="Accueil", slug="accueil-vide", status=SurveyStatus.OPEN,
        opens_on=datetime.date(2026, 1, 1), closes_on=datetime.date(2026, 12, 31),
    )  # fmt: skip
    message = ["Une enquête ouverte ou clôturée doit comporter au moins une question."]
    assert refused(survey_save, survey=opened, by=officer) == message
    assert not Survey.objects.filter(slug="accueil-vide").exists()  # rolled back whole
    draft = SurveyFactory(prefecture=reunion, draft=True)
    assert refused(survey_open, survey=draft, by=officer) == [
        "Ajoutez au moins une question avant d’ouvrir l’enquête."
    ]
    only = QuestionFactory(survey=SurveyFactory(prefecture=reunion))
    assert refused(question_delete, question=only, by=officer) == message
    assert Question.objects.filter(pk=only.pk).exists()


def test_a_survey_saved_with_its_questions_and_points_opens_at_once(officer, reunion):
    site = SiteFactory(prefecture=reunion)
    survey = Survey(
        prefecture=reunion, title="Accueil", slug="accueil-neuf", status=SurveyStatus.OPEN,
        opens_on=datetime.date(2026, 1, 1), closes_on=datetime.date(2026, 12, 31),
    )  # fmt: skip
    question = Question(position=1, text="Démarche ?", kind=QuestionKind.SINGLE_CHOICE)
    survey_save(
        survey=survey,
        by=officer,
        questions=[(question, ["Séjour", "Permis"], None)],
        points=[(DistributionPoint(name="Guichet 1", site=site), None)],
    )
    assert [c.label for c in question.choices.all()] == ["Séjour", "Permis"]
    assert survey.points.get().site == site
    assert survey.history.get().history_user == officer  # signed by the officer, whoever calls


def test_an_answered_question_keeps_its_kind_and_its_answered_choices(officer, answered):
    q = questions_of(answered)
    rated = q[QuestionKind.SATISFACTION]
    rated.kind = QuestionKind.YES_NO
    assert refused(question_save, question=rated, by=officer, fields=["kind"]) == [
        "Cette question a déjà 1 réponse : son type ne peut plus changer. Ajoutez plutôt une nouvelle question."
    ]
    single = q[QuestionKind.SINGLE_CHOICE]
    (message,) = refused(question_save, question=single, by=officer, choice_labels=["Titre de séjour", "Autre"])
    assert "« Permis de conduire »" in message
    assert [c.label for c in single.choices.all()] == ["Titre de séjour", "Permis de conduire", "Autre"]
    assert Question.objects.get(pk=rated.pk).kind == QuestionKind.SATISFACTION


@pytest.mark.parametrize(
    ("kind", "labels", "message"),
    [
        (QuestionKind.SINGLE_CHOICE, ["Seul"], "Indiquez au moins deux choix, un par ligne."),
        (QuestionKind.SATISFACTION, ["Un", "Deux"], "seules les questions à choix"),
        (QuestionKind.MULTIPLE_CHOICE, ["Oui", "Non", "Oui"], "« Oui »"),
        (QuestionKind.MULTIPLE_CHOICE, ["=1+1", "Non"], "="),
    ],
)
def test_a_question_s_choices_fit_its_kind(officer, survey, kind, labels, message):
    question = Question(survey=survey, position=9, text="Démarche ?", kind=kind)
    (error,) = refused(question_save, question=question, by=officer, choice_labels=labels)
    assert message.lower() in error.lower()
    assert question.pk is None


def test_a_question_stays_in_its_survey(officer, survey, reunion):
    question = survey.questions.first()
    question.survey = SurveyFactory(prefecture=reunion)
    assert refused(question_save, question=question, by=officer) == [
        "Une question reste dans son enquête : ajoutez-en une nouvelle à l’autre enquête."
    ]


def test_answered_questions_points_and_surveys_are_never_deleted(officer, answered, point):
    respond(answered, {questions_of(answered)[QuestionKind.SATISFACTION]: 4}, point=point)
    rated = questions_of(answered)[QuestionKind.SATISFACTION]
    assert "ne peut pas être supprimée" in refused(question_delete, question=rated, by=officer)[0]
    assert "ne peut pas être supprimé" in refused(point_delete, point=point, by=officer)[0]
    assert refused(survey_delete, survey=answered, by=officer) == [
        "Cette enquête a déjà reçu des réponses : elle ne peut pas être supprimée. Clôturez-la plutôt."
    ]
    assert Survey.objects.filter(pk=answered.pk).exists() and answered.questions.count() == 6
    free_text = questions_of(answered)[QuestionKind.FREE_TEXT]
    question_delete(question=free_text, by=officer)  # nobody answered it
    assert answered.questions.count() == 5


def test_a_point_is_at_a_site_of_its_survey_s_prefecture_and_keeps_its_answers(officer, survey, point, other):
    point.site = SiteFactory(prefecture=other)
    assert refused(point_save, point=point, by=officer, fields=["site"]) == [
        "Ce site appartient à une autre préfecture."
    ]
    point.refresh_from_db()
    respond(survey, {questions_of(survey)[QuestionKind.SATISFACTION]: 4}, point=point)
    point.survey = SurveyFactory(prefecture=survey.prefecture)
    assert refused(point_save, point=point, by=officer, fields=["survey"]) == [
        "Ce point de diffusion a déjà reçu des réponses : il reste rattaché à son enquête."
    ]
    assert DistributionPoint.objects.get(pk=point.pk).survey == survey


def test_a_save_of_what_the_results_page_does_not_show_clears_nothing(
    officer, survey, django_capture_on_commit_callbacks
):
    generation = results_generation(survey.prefecture.slug)
    cache.set(generation, "before", timeout=None)
    question = survey.questions.first()
    question.help_text, survey.introduction = "Une indication", "Merci de votre aide."
    with django_capture_on_commit_callbacks(execute=True):
        question_save(question=question, by=officer, fields=["help_text"])
        survey_save(survey=survey, by=officer, fields=["introduction"])
    assert cache.get(generation) == "before"
    assert Question.objects.get(pk=question.pk).help_text == "Une indication"
    question.text = "Êtes-vous satisfait de notre accueil ?"
    with django_capture_on_commit_callbacks(execute=True):
        question_save(question=question, by=officer, fields=["text"])
    assert cache.get(generation) != "before"


# --- the admin, through the services -----------------------------------------------------------------


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


def test_the_survey_page_saves_through_the_services_signed_by_the_officer(
    officer_client, officer, survey, django_capture_on_commit_callbacks
):
    generation = results_generation(survey.prefecture.slug)
    cache.set(generation, "before", timeout=None)
    rows = question_rows(survey)
    rows[0]["help_text"] = "Une indication"
    data = form_data(survey, questions=rows, introduction="Merci de votre aide.")
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(change_url(survey), data)
    assert response.status_code == 302, inline_errors(response)
    survey.refresh_from_db()
    assert survey.introduction == "Merci de votre aide." and survey.history.first().history_user == officer
    assert survey.questions.first().history.first().history_user == officer
    assert cache.get(generation) == "before"  # neither shows on the results page

    rows[0]["text"] = "Êtes-vous satisfait de notre accueil ?"
    with django_capture_on_commit_callbacks(execute=True):
        assert officer_client.post(change_url(survey), form_data(survey, questions=rows)).status_code == 302
    assert cache.get(generation) != "before"


def test_a_new_survey_opens_with_the_questions_added_on_the_same_page(officer_client, reunion):
    questions = [{"position": 1, "text": "Satisfait ?", "kind": QuestionKind.SATISFACTION, "is_public": True}]
    data = form_data(prefecture=reunion, status=SurveyStatus.OPEN, questions=questions)
    response = officer_client.post(reverse("admin:surveys_survey_add"), data)
    assert response.status_code == 302, inline_errors(response)
    assert Survey.objects.get(slug="accueil-2026").questions.get().text == "Satisfait ?"


def test_the_survey_page_shows_the_service_s_refusal_in_french(officer_client, answered):
    data = form_data(answered, status=SurveyStatus.DRAFT)
    response = officer_client.post(change_url(answered), data, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert spaced(response.context["adminform"].form.errors["status"]) == [
        "Cette enquête a déjà reçu des réponses : elle ne peut pas revenir à l’état de brouillon. Clôturez-la plutôt."
    ]


def test_the_point_page_refuses_a_site_of_another_prefecture_and_saves_through_the_service(
    officer_client, officer, point, other
):
    url = reverse("admin:surveys_distributionpoint_change", args=[point.pk])
    data = {"survey": point.survey_id, "name": "Guichet 4", "site": SiteFactory(prefecture=other).pk}
    response = officer_client.post(url, data)
    assert response.status_code == 200  # the other prefecture's site is not even a choice
    assert DistributionPoint.objects.get(pk=point.pk).name == "Guichet 3"
    data["site"] = point.site_id
    assert officer_client.post(url, data).status_code == 302
    point.refresh_from_db()
    assert point.name == "Guichet 4" and point.history.first().history_user == officer


def test_an_answered_point_stays_with_its_survey_on_its_page(officer_client, survey, point, reunion):
    respond(survey, {questions_of(survey)[QuestionKind.SATISFACTION]: 4}, point=point)
    elsewhere = SurveyFactory(prefecture=reunion)
    url = reverse("admin:surveys_distributionpoint_change", args=[point.pk])
    data = {"survey": elsewhere.pk, "name": point.name, "site": point.site_id}
    response = officer_client.post(url, data, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert spaced(response.context["adminform"].form.errors["survey"]) == [
        "Ce point de diffusion a déjà reçu des réponses : il reste rattaché à son enquête."
    ]
    assert DistributionPoint.objects.get(pk=point.pk).survey == survey


def test_unanswered_surveys_and_points_are_deleted_through_the_services(officer_client, reunion):
    survey = SurveyFactory(prefecture=reunion)
    point = DistributionPointFactory(survey=survey)
    delete_point = reverse("admin:surveys_distributionpoint_delete", args=[point.pk])
    assert officer_client.post(delete_point, {"post": "yes"}).status_code == 302
    delete_survey = reverse("admin:surveys_survey_delete", args=[survey.pk])
    assert officer_client.post(delete_survey, {"post": "yes"}).status_code == 302
    assert not Survey.objects.filter(pk=survey.pk).exists()


def test_a_version_restored_from_the_history_is_saved_through_the_service(officer_client, officer, survey):
    title = survey.title
    survey.title = "Titre changé"
    survey.save()
    version = survey.history.order_by("history_date").first()
    url = reverse("admin:surveys_survey_simple_history", args=[survey.pk, version.history_id])
    response = officer_client.post(url, form_data(survey, title=title))
    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.title == title and survey.history.first().history_user == officer
