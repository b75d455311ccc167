"""Admin actions change data: each declares the permission it needs, and a role without it is neither offered the
action nor able to run it by posting its name. Walks every action of every registered ModelAdmin, so a new one is
covered the day it is written."""

import importlib
import inspect
import pkgutil

import factory
import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

import tests
from committee.enums import ActionStatus
from committee.models import ImprovementAction
from qualipref.enums import Role
from qualipref.models import Prefecture
from qualipref.roles import OUR_APPS, role_allows
from tests.committee.factories import ImprovementActionFactory
from tests.qualipref.factories import MembershipFactory, ServiceFactory, UserFactory, officer_of

# The roles the admin shows data to but that must not act on it (the committee member has no admin at all).
READ_ONLY_ROLES = [Role.AUDITOR, Role.SERVICE_AGENT]


def _registered_actions():
    """(model, model_admin, action name, action function) for every action of every registered ModelAdmin,
    Django's site-wide ``delete_selected`` included, before any filtering by the user's permissions."""
    return [
        (model, model_admin, name, func)
        for model, model_admin in admin.site._registry.items()
        for func, name, _description in model_admin._get_base_actions()
    ]


def _factories():
    """The first DjangoModelFactory of each model, found in tests/<app>/factories.py."""
    found = {}
    for module_info in pkgutil.iter_modules(tests.__path__):
        try:
            module = importlib.import_module(f"tests.{module_info.name}.factories")
        except ModuleNotFoundError:
            continue
        for _name, klass in inspect.getmembers(module, inspect.isclass):
            if issubclass(klass, factory.django.DjangoModelFactory) and klass._meta.model is not None:
                found.setdefault(klass._meta.model, klass)
    return found


def _database():
    """Every row of every table of the project's apps (accounts, outbox, history tables included)."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values_list())
        for label in OUR_APPS
        for model in apps.get_app_config(label).get_models()
    }


def test_every_admin_action_declares_the_permission_it_needs():
    undeclared = [
        f"{model._meta.label}: {name}"
        for model, _model_admin, name, func in _registered_actions()
        if not getattr(func, "allowed_permissions", None)
    ]
    assert undeclared == [], "declare @admin.action(permissions=[...]) on these actions"


@pytest.fixture
def objects(db):
    """One object of each of our models that has an admin action: built by its factory, or a row the data
    migrations put in (the national referential). Third-party models (accounts' groups, django-axes' logs, the
    DSFR's settings) keep only the check that their actions are not offered."""
    factories = _factories()
    built = {}
    for model in {model for model, *_ in _registered_actions()}:
        if model in factories:
            built[model] = factories[model]()
        elif model._meta.app_label in OUR_APPS and model._base_manager.exists():
            built[model] = model._base_manager.order_by("pk").first()
    return built


def test_the_walk_posts_every_action_of_our_apps(objects):
    missing = sorted(
        model._meta.label
        for model, *_ in _registered_actions()
        if model._meta.app_label in OUR_APPS and model not in objects
    )
    assert missing == [], "add a factory for these models (tests/<app>/factories.py)"


def _member_of_every_prefecture(role):
    """An account of ``role`` that reaches every object built (each factory makes its own prefecture)."""
    user = UserFactory(is_staff=True)
    for prefecture in Prefecture.objects.all():
        service = None
        if role == Role.SERVICE_AGENT:
            service = prefecture.services.first() or ServiceFactory(prefecture=prefecture)
        MembershipFactory(user=user, prefecture=prefecture, role=role, service=service)
    return user


def _lacks(role, model, func):
    needed = getattr(func, "allowed_permissions", None) or ["change"]
    return any(not role_allows(role, model._meta.app_label, model._meta.model_name, p) for p in needed)


@pytest.mark.parametrize("role", READ_ONLY_ROLES)
def test_a_read_only_role_is_neither_offered_nor_able_to_run_an_action(client, objects, role):
    user = _member_of_every_prefecture(role)
    client.force_login(user)
    walked = 0
    for model, _model_admin, name, func in _registered_actions():
        if not _lacks(role, model, func):
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        page = client.get(url)
        if page.status_code == 200 and page.context.get("action_form") is not None:
            offered = [value for value, _label in page.context["action_form"].fields["action"].choices]
            assert name not in offered, f"{model._meta.label}: {name} offered to the {role.label}"
        obj = objects.get(model)
        if obj is None:
            continue
        before = _database()
        client.post(url, {"action": name, "_selected_action": [obj.pk], "index": 0, "post": "yes"})
        assert _database() == before, f"{model._meta.label}: {name} run by the {role.label}"
        walked += 1
    if role == Role.AUDITOR:
        assert walked >= 15  # the walk reaches the objects (the auditor may run none of the actions)


def test_the_auditor_cannot_mark_an_improvement_action_in_progress(client, db):
    improvement = ImprovementActionFactory()
    auditor = MembershipFactory(prefecture=improvement.prefecture, role=Role.AUDITOR).user
    client.force_login(auditor)
    url = reverse("admin:committee_improvementaction_changelist")
    assert client.get(url).status_code == 200  # the auditor reads the list
    client.post(url, {"action": "mark_in_progress", "_selected_action": [improvement.pk], "index": 0})
    improvement.refresh_from_db()
    assert improvement.status == ActionStatus.PROPOSED
    assert not improvement.transitions.exists()


def test_the_quality_officer_keeps_the_actions_of_the_job(client, db):
    improvement = ImprovementActionFactory()
    client.force_login(officer_of(improvement.prefecture))
    for changelist, expected in [
        ("committee_improvementaction", {"mark_planned", "mark_in_progress", "mark_done", "delete_selected"}),
        ("committee_member", {"invite_to_space"}),
        ("committee_meeting", {"send_invitations", "prepare_attendance", "add_suggestions"}),
        ("complaints_case", {"assign_to_me", "acknowledge"}),
        ("qualipref_outgoingemail", {"send_again"}),
    ]:
        page = client.get(reverse(f"admin:{changelist}_changelist"))
        offered = {value for value, _label in page.context["action_form"].fields["action"].choices}
        assert expected <= offered, changelist
    url = reverse("admin:committee_improvementaction_changelist")
    client.post(url, {"action": "mark_in_progress", "_selected_action": [improvement.pk], "index": 0})
    assert ImprovementAction.objects.get(pk=improvement.pk).status == ActionStatus.IN_PROGRESS
