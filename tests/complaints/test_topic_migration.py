"""Topics became each prefecture's data (complaints 0014-0016): every case, rule and history row keeps its topic,
and going back gives every row its code again."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("complaints", "0013_case_media_url")]


def _migrate(targets):
    return MigrationExecutor(connection).migrate(targets).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_every_case_rule_and_history_row_keeps_its_topic_both_ways():
    old = _migrate(BEFORE)
    Prefecture = old.get_model("qualipref", "Prefecture")
    reunion = Prefecture.objects.create(department_code="974", name="La Réunion", slug="la-reunion")
    gironde = Prefecture.objects.create(department_code="33", name="Gironde", slug="gironde")
    Case = old.get_model("complaints", "Case")
    day = datetime.date(2026, 5, 4)
    common = {
        "subject": "Attente",
        "description": "Trois heures.",
        "received_on": day,
        "due_on": day,
        "email": "m@example.org",
    }
    cases = {
        (reunion.pk, "counter"): Case.objects.create(prefecture=reunion, reference="974-1", topic="counter", **common),
        (reunion.pk, "decision"): Case.objects.create(
            prefecture=reunion, reference="974-2", topic="decision", **common
        ),
        (gironde.pk, "counter"): Case.objects.create(prefecture=gironde, reference="33-1", topic="counter", **common),
        # A code no default has (written by hand, by SQL): kept as an archived topic of its prefecture.
        (gironde.pk, "vieux-theme"): Case.objects.create(
            prefecture=gironde, reference="33-2", topic="vieux-theme", **common
        ),
    }
    old.get_model("complaints", "HistoricalCase").objects.create(
        id=cases[(reunion.pk, "decision")].pk,
        prefecture_id=reunion.pk,
        reference="974-2",
        topic="decision",
        history_date=timezone.now(),
        history_type="+",
        **{name: value for name, value in common.items() if name != "description"},
    )
    Service = old.get_model("qualipref", "Service")
    service = Service.objects.create(prefecture=reunion, name="Titres de séjour")
    RoutingRule = old.get_model("complaints", "RoutingRule")
    counter_rule = RoutingRule.objects.create(prefecture=reunion, topic="counter", service=service)
    any_rule = RoutingRule.objects.create(prefecture=reunion, topic="", service=service)

    new = _migrate(_latest())
    Topic = new.get_model("complaints", "Topic")
    assert Topic.objects.filter(prefecture_id=reunion.pk, is_archived=False).count() == 8
    assert Topic.objects.get(prefecture_id=reunion.pk, code="counter").name == "Accueil au guichet"
    assert Topic.objects.get(prefecture_id=reunion.pk, code="counter").name_en == "Reception at the counter"
    NewCase = new.get_model("complaints", "Case")
    for (prefecture_id, code), case in cases.items():
        topic = NewCase.objects.get(pk=case.pk).topic
        assert (topic.prefecture_id, topic.code) == (prefecture_id, code)
    assert Topic.objects.get(prefecture_id=gironde.pk, code="vieux-theme").is_archived
    assert NewCase.objects.filter(topic__isnull=True).count() == 0
    history = new.get_model("complaints", "HistoricalCase").objects.get(reference="974-2")
    assert Topic.objects.get(pk=history.topic_id).code == "decision"
    NewRule = new.get_model("complaints", "RoutingRule")
    assert NewRule.objects.get(pk=counter_rule.pk).topic.code == "counter"
    assert NewRule.objects.get(pk=any_rule.pk).topic_id is None

    back = _migrate(BEFORE)
    assert {case.reference: case.topic for case in back.get_model("complaints", "Case").objects.all()} == {
        "974-1": "counter",
        "974-2": "decision",
        "33-1": "counter",
        "33-2": "vieux-theme",
    }
    assert back.get_model("complaints", "RoutingRule").objects.get(pk=counter_rule.pk).topic == "counter"
    _migrate(_latest())
