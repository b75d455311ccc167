"""A service agent works on their own service's cases only, wherever the admin shows cases: the lists, the
foreign-key choices of other models (an action's originating cases, a meeting's agenda item) and the
autocomplete. The rule lives in ``scope_queryset``, read from the models' ``service_lookup``; a prefecture where
the same account holds another staff role is seen whole."""

import json

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from committee.admin.meetings import AgendaItemInline
from committee.models import AgendaItem, ImprovementAction, Meeting
from complaints.enums import Kind
from complaints.models import Attachment, Case, Message, Transition
from qualipref.enums import Role
from qualipref.scoping import scope_queryset
from tests.complaints.factories import AttachmentFactory, CaseFactory, MessageFactory
from tests.qualipref.factories import MembershipFactory, ServiceFactory, fresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(reunion, other):
    titles = ServiceFactory(prefecture=reunion, name="Titres (agent)")
    agent = MembershipFactory(prefecture=reunion, role=Role.SERVICE_AGENT, service=titles).user
    theirs = CaseFactory(prefecture=reunion, service=titles, kind=Kind.SUGGESTION)
    not_theirs = CaseFactory(prefecture=reunion, service=ServiceFactory(prefecture=reunion), kind=Kind.SUGGESTION)
    unsorted = CaseFactory(prefecture=reunion, service=None, kind=Kind.SUGGESTION)
    elsewhere = CaseFactory(prefecture=other, kind=Kind.SUGGESTION)
    return {"agent": agent, "theirs": theirs, "others": [not_theirs, unsorted], "elsewhere": elsewhere}


def choices(user, model, field_name):
    """The cases ``user`` may pick in ``field_name`` of ``model``'s admin form (agenda items: the meeting's)."""
    request = RequestFactory().get("/")
    request.user = user
    model_admin = admin.site._registry.get(model) or AgendaItemInline(Meeting, admin.site)
    field = model._meta.get_field(field_name)
    if field.many_to_many:
        formfield = model_admin.formfield_for_manytomany(field, request)
    else:
        formfield = model_admin.formfield_for_foreignkey(field, request)
    return set(formfield.queryset)


def test_the_agent_account_knows_where_it_is_limited(setup, reunion, other):
    agent = fresh(setup["agent"])
    assert agent.agent_scope == {reunion.pk: frozenset({setup["theirs"].service_id})}
    assert agent.service_ids_in(reunion) == {setup["theirs"].service_id}
    assert agent.service_ids_in(other) is None


def test_the_scope_limits_cases_and_what_hangs_from_them(setup):
    agent, theirs = fresh(setup["agent"]), setup["theirs"]
    assert set(scope_queryset(Case.objects.all(), agent)) == {theirs}
    assert set(Case.objects.for_user(agent)) == {theirs}
    for case in [theirs, *setup["others"]]:
        MessageFactory(case=case)
        AttachmentFactory(case=case)
    assert {m.case for m in scope_queryset(Message.objects.all(), agent)} == {theirs}
    assert {a.case for a in scope_queryset(Attachment.objects.all(), agent)} == {theirs}
    assert {t.case for t in scope_queryset(Transition.objects.all(), agent)} <= {theirs}


def test_the_case_choices_of_other_models_are_their_service_only(setup):
    agent = fresh(setup["agent"])
    assert choices(agent, ImprovementAction, "origin_cases") == {setup["theirs"]}
    assert choices(agent, AgendaItem, "case") == {setup["theirs"]}


def test_the_case_autocomplete_offers_their_service_only(client, setup):
    client.force_login(setup["agent"])
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "committee", "model_name": "improvementaction", "field_name": "origin_cases", "term": ""},
    )
    assert response.status_code == 200
    assert {int(row["id"]) for row in json.loads(response.content)["results"]} == {setup["theirs"].pk}


def test_an_agent_here_and_officer_there_sees_the_other_prefecture_whole(client, setup, other):
    agent = setup["agent"]
    MembershipFactory(user=agent, prefecture=other, role=Role.QUALITY_OFFICER)  # set up before the rule
    second = CaseFactory(prefecture=other, kind=Kind.SUGGESTION)
    agent = fresh(agent)
    expected = {setup["theirs"], setup["elsewhere"], second}
    assert set(Case.objects.for_user(agent)) == expected
    assert choices(agent, ImprovementAction, "origin_cases") == expected
    assert choices(agent, AgendaItem, "case") == expected
    client.force_login(agent)
    response = client.get(reverse("admin:complaints_case_changelist"))
    assert set(response.context["cl"].result_list) == expected


def test_an_agent_who_is_also_officer_in_the_same_prefecture_sees_it_whole(setup, reunion):
    agent = setup["agent"]
    MembershipFactory(user=agent, prefecture=reunion, role=Role.QUALITY_OFFICER)
    agent = fresh(agent)
    assert agent.agent_scope == {}
    assert set(Case.objects.for_user(agent)) == {setup["theirs"], *setup["others"]}
