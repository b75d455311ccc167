""" "Mes préférences": a staff account sets its own notification setting, without rights on the user model."""

import re

import pytest
from django.test import Client

from qualipref.enums import Role
from tests.qualipref.factories import (
    MembershipFactory,
    PrefectureFactory,
    ServiceFactory,
    UserFactory,
    fresh,
)

URL = "/admin/mes-preferences/"


@pytest.fixture
def agent(db):
    prefecture = PrefectureFactory(reunion=True)
    return MembershipFactory(
        prefecture=prefecture, role=Role.SERVICE_AGENT, service=ServiceFactory(prefecture=prefecture)
    ).user


def test_a_service_agent_turns_the_arrival_emails_on_and_off_without_rights_on_users(client, agent):
    client.force_login(agent)
    assert client.get("/admin/qualipref/user/").status_code == 403  # no rights on the user model
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>Mes préférences</h1>" in html and "M’envoyer un courriel pour chaque nouvelle demande" in html
    assert (
        'name="notify_new_cases"' in html and "checked" not in re.search(r"<input[^>]+notify_new_cases[^>]*>", html)[0]
    )

    saved = client.post(URL, {"notify_new_cases": "on"}, follow=True)
    assert saved.redirect_chain == [(URL, 302)]
    assert "Vos préférences sont enregistrées." in saved.content.decode()
    assert fresh(agent).notify_new_cases
    assert "checked" in re.search(r"<input[^>]+notify_new_cases[^>]*>", saved.content.decode())[0]

    client.post(URL, {})  # the box unticked
    assert not fresh(agent).notify_new_cases


def test_the_page_changes_the_signed_in_account_only(client, agent):
    other = UserFactory(is_staff=True, notify_new_cases=False)
    client.force_login(agent)
    client.post(URL, {"notify_new_cases": "on", "email": "pirate@example.org", "is_superuser": "on", "id": other.pk})
    agent, other = fresh(agent), fresh(other)
    assert agent.notify_new_cases and not agent.is_superuser and agent.email != "pirate@example.org"
    assert not other.notify_new_cases


def test_the_admin_user_menu_links_to_the_preferences(client, agent):
    client.force_login(agent)
    assert f'<a href="{URL}">Mes préférences</a>' in client.get("/admin/").content.decode()


def test_a_citizen_or_a_visitor_is_sent_to_the_admin_login(client, db):
    assert client.get(URL)["Location"].startswith("/admin/login/")
    client.force_login(UserFactory(is_staff=False))
    assert client.post(URL, {"notify_new_cases": "on"})["Location"].startswith("/admin/login/")


def test_a_post_without_its_csrf_token_is_refused(agent):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    assert client.post(URL, {"notify_new_cases": "on"}).status_code == 403
    assert not fresh(agent).notify_new_cases
