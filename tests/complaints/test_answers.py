"""Filling an answer template: plain replacement of the known placeholders, nothing rendered."""

import datetime

import pytest

from complaints.answers import fill_placeholders, unfilled_placeholders
from complaints.models import AnswerTemplate
from tests.complaints.factories import CaseFactory
from tests.qualipref.factories import PrefectureFactory, ServiceFactory, UserFactory


@pytest.fixture
def case():
    reunion = PrefectureFactory(reunion=True)
    return CaseFactory(
        prefecture=reunion,
        reference="974-2026-000123",
        name="Marie Hoarau",
        received_on=datetime.date(2026, 12, 17),
        service=ServiceFactory(prefecture=reunion, name="Titres de séjour"),
    )


@pytest.fixture
def officer():
    return UserFactory(first_name="Camille", last_name="Payet")


@pytest.mark.django_db
def test_every_known_placeholder_is_filled(case, officer):
    body = "Bonjour {nom},\nVotre demande {reference} du {date_reception} ({service}).\n{signature}"
    assert fill_placeholders(body, case, officer) == (
        "Bonjour Marie Hoarau,\nVotre demande 974-2026-000123 du 17 décembre 2026 (Titres de séjour).\n"
        "Camille Payet\nLa Réunion"
    )


@pytest.mark.django_db
def test_the_helper_knows_every_placeholder_the_model_advertises(case, officer):
    filled = fill_placeholders(" ".join(AnswerTemplate.PLACEHOLDERS), case, officer)
    assert "{" not in filled


@pytest.mark.django_db
def test_unknown_braces_stay_as_written(case, officer):
    assert fill_placeholders("{nom} {prenom} {{nom}} { nom }", case, officer) == (
        "Marie Hoarau {prenom} {Marie Hoarau} { nom }"
    )


@pytest.mark.django_db
def test_a_value_holding_a_placeholder_is_not_replaced_again(case, officer):
    case.name = "{reference}"
    assert fill_placeholders("{nom} / {reference}", case, officer) == "{reference} / 974-2026-000123"


@pytest.mark.django_db
def test_template_syntax_in_the_text_is_never_rendered(case, officer):
    body = "{% load static %}{{ case.email }} {% debug %} {nom}"
    assert fill_placeholders(body, case, officer) == "{% load static %}{{ case.email }} {% debug %} Marie Hoarau"


@pytest.mark.django_db
def test_anonymous_citizen_is_greeted_politely(case, officer):
    case.name = ""
    assert fill_placeholders("Bonjour {nom},", case, officer) == "Bonjour Madame, Monsieur,"


@pytest.mark.django_db
def test_a_case_without_service_names_the_prefecture(case, officer):
    case.service = None
    assert fill_placeholders("{service}", case, officer) == "La Réunion"


@pytest.mark.django_db
def test_the_date_is_written_in_french_whatever_the_officer_language(case, officer):
    from django.utils import translation

    with translation.override("en"):
        assert fill_placeholders("{date_reception}", case, officer) == "17 décembre 2026"


def test_passages_left_to_complete_are_found_once_each_in_order():
    text = "Bonjour {nom}, envoyez [préciser la pièce] et {piece}, puis [préciser la pièce]."
    assert unfilled_placeholders(text) == ["{nom}", "[préciser la pièce]", "{piece}"]


def test_brackets_and_braces_without_words_are_not_placeholders():
    text = "« Le guichet […] était fermé » [...] [1] {} {12} ; le service (accueil) vous répond."
    assert unfilled_placeholders(text) == []


@pytest.mark.django_db
def test_the_service_refuses_an_answer_with_a_passage_to_complete(case, officer):
    from django.core.exceptions import ValidationError

    from complaints.services import case_answer

    case.status = "in_progress"
    case.save()
    with pytest.raises(ValidationError):
        case_answer(case=case, by=officer, text="Merci d’envoyer [préciser la pièce].", final=False)
    assert not case.messages.exists()
