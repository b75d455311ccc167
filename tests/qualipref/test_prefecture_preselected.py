"""An officer of one prefecture never has to pick it: every admin add form places the object there already."""

import re

import pytest
from django.contrib import admin
from django.urls import reverse

from qualipref.admin import scope_field_name
from qualipref.enums import Role
from qualipref.scoping import is_scoped
from tests.committee.factories import CommitteeFactory
from tests.surveys.factories import SurveyFactory

from .factories import MembershipFactory, PrefectureFactory, officer_of

# Scoped models whose admin offers no "add" to an officer (figures computed, comments written by members…).
NO_ADD_VIEW = {"MonthPublication", "MonthlyIndicator", "Comment"}
# Scoped models whose add form takes the prefecture from another choice (an opinion: its suggestion's committee).
PLACED_OTHERWISE = {"SuggestionOpinion"}


def models_placed_by_a_field():
    """Every scoped admin model whose add form places the object in a prefecture through one field."""
    return [model for model in admin.site._registry if is_scoped(model) and scope_field_name(model)]


def select_options(html, name):
    """``(value, selected)`` of each option of the page's ``<select name=…>``, None without one."""
    found = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    if found is None:
        return None
    return [
        (value, " selected" in attributes)
        for attributes, value in re.findall(r'<option((?:[^>]*?)value="([^"]*)"[^>]*)>', found.group(1))
    ]


@pytest.fixture
def reunion():
    return PrefectureFactory(reunion=True)


@pytest.fixture
def other():
    return PrefectureFactory(department_code="94", name="Val-de-Marne", slug="val-de-marne")


def placing_objects(prefecture):
    """What the placing field of each model points at in ``prefecture``: itself, its committee, its one survey."""
    return {
        "prefecture": prefecture,
        "committee": CommitteeFactory(prefecture=prefecture),
        "survey": SurveyFactory(prefecture=prefecture),
    }


def test_the_placing_field_is_found_for_the_main_admin_forms():
    names = {model.__name__: scope_field_name(model) for model in models_placed_by_a_field()}
    assert {
        "Case": "prefecture",
        "Survey": "prefecture",
        "Meeting": "committee",
        "ImprovementAction": "prefecture",
        "DeliveryImport": "prefecture",
        "AnswerTemplate": "prefecture",
        "AuditReport": "prefecture",
        "ManualMeasure": "prefecture",
        "Site": "prefecture",
    }.items() <= names.items()


@pytest.mark.django_db
@pytest.mark.parametrize("model", models_placed_by_a_field(), ids=lambda m: m.__name__)
def test_a_one_prefecture_officer_finds_it_preselected(client, reunion, other, model):
    mine = placing_objects(reunion)
    placing_objects(other)
    client.force_login(officer_of(reunion))
    response = client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add"))
    if response.status_code == 403:
        assert model.__name__ in NO_ADD_VIEW
        return
    assert response.status_code == 200
    name = scope_field_name(model)
    options = select_options(response.content.decode(), name)
    if options is None:
        assert model.__name__ in PLACED_OTHERWISE
        return
    assert [value for value, selected in options if selected] == [str(mine[name].pk)]


@pytest.mark.django_db
@pytest.mark.parametrize("model", models_placed_by_a_field(), ids=lambda m: m.__name__)
def test_an_officer_of_two_prefectures_still_picks(client, reunion, other, model):
    placing_objects(reunion)
    placing_objects(other)
    officer = officer_of(reunion)
    MembershipFactory(user=officer, prefecture=other, role=Role.QUALITY_OFFICER)
    client.force_login(officer)
    response = client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add"))
    if response.status_code == 403:
        assert model.__name__ in NO_ADD_VIEW
        return
    options = select_options(response.content.decode(), scope_field_name(model))
    if options is None:
        assert model.__name__ in PLACED_OTHERWISE
        return
    assert [value for value, selected in options if selected and value] == []
    assert len([value for value, _selected in options if value]) == 2


@pytest.mark.django_db
def test_the_only_prefecture_is_the_only_choice_and_another_is_still_refused(client, reunion, other):
    client.force_login(officer_of(reunion))
    url = reverse("admin:complaints_answertemplate_add")
    assert select_options(client.get(url).content.decode(), "prefecture") == [(str(reunion.pk), True)]
    response = client.post(url, {"prefecture": other.pk, "title": "Intrus", "body": "Bonjour {nom}", "kind": ""})
    assert response.status_code == 200 and "prefecture" in response.context["adminform"].form.errors
