"""A case filed without a service goes where the prefecture's rules send it: the most precise rule wins."""

import pytest
from django.core.exceptions import ValidationError

from complaints.routing import routed_service
from complaints.services import case_submit
from tests.qualipref.factories import PrefectureFactory, ServiceFactory, SiteFactory, officer_of

from .factories import RoutingRuleFactory, topic_of
from .test_public import FORM_URL


@pytest.fixture
def rules(reunion):
    saint_pierre = reunion.sites.get()
    services = {
        name: ServiceFactory(prefecture=reunion, name=name)
        for name in ("Accueil général", "Accueil de Saint-Pierre", "Guichets", "Guichets de Saint-Pierre")
    }
    RoutingRuleFactory(prefecture=reunion, topic="", site=None, service=services["Accueil général"])
    RoutingRuleFactory(prefecture=reunion, topic="", site=saint_pierre, service=services["Accueil de Saint-Pierre"])
    RoutingRuleFactory(prefecture=reunion, topic="counter", site=None, service=services["Guichets"])
    RoutingRuleFactory(
        prefecture=reunion, topic="counter", site=saint_pierre, service=services["Guichets de Saint-Pierre"]
    )
    return saint_pierre


@pytest.mark.parametrize(
    ("topic", "at_site", "service"),
    [
        ("counter", True, "Guichets de Saint-Pierre"),
        ("phone", True, "Accueil de Saint-Pierre"),
        ("counter", False, "Guichets"),
        ("phone", False, "Accueil général"),
    ],
)
def test_the_most_precise_rule_wins(reunion, rules, topic, at_site, service):
    found = routed_service(prefecture=reunion, topic=topic_of(reunion, topic), site=rules if at_site else None)
    assert found.name == service


def test_a_case_filed_without_a_service_is_routed_and_a_chosen_service_is_kept(client, reunion, rules):
    data = {
        "kind": "complaint",
        "site": rules.pk,
        "topic": "counter",
        "subject": "Attente",
        "description": "Trois heures.",
        "name": "Marie Hoarau",
        "email": "marie@example.org",
        "consent": "on",
    }
    assert client.post(FORM_URL, {**data, "service": ""}).status_code == 302
    assert client.post(FORM_URL, {**data, "service": reunion.services.get(name="Guichets").pk}).status_code == 302
    assert [case.service.name for case in reunion.cases.order_by("pk")] == ["Guichets de Saint-Pierre", "Guichets"]


def test_no_rule_no_service_and_closed_services_are_skipped(reunion):
    closed = ServiceFactory(prefecture=reunion, name="Fermé", is_active=False)
    RoutingRuleFactory(prefecture=reunion, topic="counter", service=closed)
    case, _token = case_submit(
        prefecture=reunion, data={"kind": "suggestion", "topic": "counter", "subject": "x", "description": "y"}
    )
    assert case.service is None


def test_a_rule_keeps_to_its_prefecture_and_is_not_doubled(reunion):
    other = PrefectureFactory(department_code="94", slug="val-de-marne")
    rule = RoutingRuleFactory.build(prefecture=reunion, service=ServiceFactory(prefecture=other))
    with pytest.raises(ValidationError) as refused:
        rule.full_clean()
    assert "service" in refused.value.message_dict
    RoutingRuleFactory(prefecture=reunion, topic="counter", site=SiteFactory(prefecture=reunion, name="X"))
    twice = RoutingRuleFactory.build(
        prefecture=reunion, topic="counter", site=reunion.sites.get(name="X"), service=reunion.services.first()
    )
    with pytest.raises(ValidationError):
        twice.full_clean()


def test_an_officer_writes_a_rule_in_the_admin(client, reunion):
    from django.urls import reverse

    client.force_login(officer_of(reunion))
    response = client.post(
        reverse("admin:complaints_routingrule_add"),
        {
            "prefecture": reunion.pk,
            "topic": topic_of(reunion, "counter").pk,
            "site": "",
            "service": reunion.services.get().pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert routed_service(prefecture=reunion, topic=topic_of(reunion, "counter")).name == "Titres de séjour"


def test_the_demo_routes_counter_cases_to_residence_permits(reunion):
    from complaints.demo import routing_rules_ensure

    routing_rules_ensure(reunion)
    routing_rules_ensure(reunion)  # idempotent
    assert routed_service(prefecture=reunion, topic=topic_of(reunion, "counter")).name == "Titres de séjour"
    assert reunion.routing_rules.count() == 1


def test_a_rule_for_a_topic_of_another_prefecture_is_refused(reunion):
    other = PrefectureFactory(department_code="94", slug="val-de-marne")
    rule = RoutingRuleFactory.build(
        prefecture=reunion, topic=topic_of(other, "counter"), service=reunion.services.get()
    )
    with pytest.raises(ValidationError) as refused:
        rule.full_clean()
    assert "topic" in refused.value.message_dict


def test_a_case_without_topic_is_routed_by_the_rules_for_any_topic(reunion, rules):
    case, _token = case_submit(
        prefecture=reunion, data={"kind": "suggestion", "topic": None, "subject": "x", "description": "y"}
    )
    # No topic given: the prefecture's "other" topic, which only the rule for any topic matches.
    assert case.topic.code == "other" and case.service.name == "Accueil général"
