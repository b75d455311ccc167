"""The workflow kit on its own: a table of transitions, the statuses it offers next, and the one refusal."""

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation

from qualipref.workflow import TransitionLog, TransitionRefused, Workflow, refusal_message


class Door(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
    LOCKED = "locked", "Locked"
    BRICKED = "bricked", "Bricked up"  # in the enum, used by no transition


DOOR = Workflow(
    Door,
    {
        # Declared out of order on purpose: the enum's order wins.
        Door.CLOSED: {Door.LOCKED, Door.OPEN},
        Door.OPEN: {Door.CLOSED},
        Door.LOCKED: {Door.CLOSED},
    },
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_allowed_next_follows_the_order_of_the_enum():
    assert DOOR.allowed_next(Door.CLOSED) == [Door.OPEN, Door.LOCKED]
    assert DOOR.allowed_next("open") == [Door.CLOSED]


def test_allowed_next_of_a_status_the_workflow_does_not_use_is_empty():
    assert DOOR.allowed_next(Door.BRICKED) == []
    assert DOOR.allowed_next("ajar") == []


def test_an_allowed_transition_returns_the_target_as_a_status():
    target = DOOR.check("closed", "locked")
    assert target is Door.LOCKED
    assert DOOR.allows(Door.CLOSED, Door.LOCKED) and not DOOR.allows(Door.OPEN, Door.LOCKED)


def test_a_refused_transition_says_which_statuses_are_possible():
    with pytest.raises(TransitionRefused) as refused:
        DOOR.check(Door.OPEN, Door.LOCKED)
    assert refused.value.message == "Status “Open” cannot become “Locked”. Possible next statuses: “Closed”."
    assert str(refused.value) == refused.value.message


def test_a_refusal_can_be_worded_by_the_caller_with_its_own_context():
    with pytest.raises(TransitionRefused, match="The kitchen door is already Open."):
        DOOR.check(Door.OPEN, Door.OPEN, refusal="The %(room)s door is already %(target)s.", room="kitchen")


def test_a_status_the_workflow_never_uses_is_refused_by_name():
    with pytest.raises(TransitionRefused) as refused:
        DOOR.check(Door.CLOSED, Door.BRICKED)
    assert refused.value.message == "“Bricked up” is not a status of this workflow."
    with pytest.raises(TransitionRefused, match="“ajar” is not a status"):
        DOOR.check(Door.CLOSED, "ajar")
    with pytest.raises(TransitionRefused, match="“ajar” is not a status"):
        DOOR.check("ajar", Door.CLOSED)


def test_a_status_with_no_way_out_lists_none():
    dead_end = Workflow(Door, {Door.OPEN: {Door.BRICKED}, Door.BRICKED: set()})
    with pytest.raises(TransitionRefused, match="Possible next statuses: none"):
        dead_end.check(Door.BRICKED, Door.OPEN)


def test_the_refusal_is_translated_when_raised():
    with translation.override("fr"), pytest.raises(TransitionRefused) as refused:
        DOOR.check(Door.OPEN, Door.LOCKED)
    assert refused.value.message.startswith("Le statut «\u202fOpen\u202f» ne peut pas devenir")


def test_refusal_message_reads_both_kinds_of_refusal():
    assert refusal_message(TransitionRefused("Pas possible.")) == "Pas possible."
    assert refusal_message(ValidationError("La réponse est vide.")) == "La réponse est vide."
    assert refusal_message(ValidationError({"outcome": "Décrivez le résultat.", "note": "Dites pourquoi."})) == (
        "Décrivez le résultat. Dites pourquoi."
    )


def test_the_log_base_is_abstract_and_carries_the_shared_fields():
    assert TransitionLog._meta.abstract
    names = {field.name for field in TransitionLog._meta.fields}
    assert names >= {"from_status", "to_status", "by", "at", "note"}
