"""Improvement actions: created with what raised them, moved through one workflow, traced back to their origin."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from committee.enums import ActionStatus
from committee.models import ImprovementAction
from committee.services import action_create, action_transition
from committee.workflow import ACTION_TRANSITIONS
from qualipref.workflow import TransitionRefused
from tests.complaints.factories import CaseFactory
from tests.qualipref.factories import PrefectureFactory, officer_of

from .factories import ImprovementActionFactory, MeetingFactory, WorkingGroupFactory


def test_an_action_traces_back_to_the_cases_meeting_and_group_that_raised_it(committee):
    reunion = committee.prefecture
    complaint = CaseFactory(prefecture=reunion, reference="974-2026-000012")
    suggestion = CaseFactory(prefecture=reunion, suggestion=True, reference="974-2026-000013")
    meeting = MeetingFactory(committee=committee, held=True)
    group = WorkingGroupFactory(committee=committee, theme="Titres de séjour")
    officer = officer_of(reunion)

    action = action_create(
        prefecture=reunion,
        title="Prise de rendez-vous en ligne pour les titres de séjour",
        by=officer,
        origin_cases=[complaint, suggestion],
        origin_meeting=meeting,
        origin_working_group=group,
        origin_survey_question="Q4 – Avez-vous obtenu un rendez-vous facilement ?",
        indicator="Délai moyen d'obtention d'un rendez-vous",
        due_on=datetime.date(2026, 9, 30),
    )

    assert action.status == ActionStatus.PROPOSED
    assert set(action.origin_cases.values_list("reference", flat=True)) == {"974-2026-000012", "974-2026-000013"}
    # …and from the evidence forward: the case, the meeting and the group know the actions they raised.
    assert list(complaint.improvement_actions.all()) == [action]
    assert list(meeting.improvement_actions.all()) == [action]
    assert list(group.improvement_actions.all()) == [action]
    assert list(action.transitions.values_list("from_status", "to_status", "by")) == [
        ("", ActionStatus.PROPOSED, officer.pk)
    ]


def test_an_action_needs_an_origin(reunion, english):
    with pytest.raises(ValidationError, match="raised this action"):
        action_create(prefecture=reunion, title="Sortie de nulle part")
    assert not ImprovementAction.objects.exists()


def test_an_action_cannot_cite_another_prefecture_case(reunion, english, other):
    with pytest.raises(ValidationError, match="another prefecture"):
        action_create(prefecture=reunion, title="Mélange", origin_cases=[CaseFactory(prefecture=other)])


def test_the_workflow_walks_from_proposed_to_done_and_logs_each_step(reunion):
    officer = officer_of(reunion)
    action = ImprovementActionFactory(prefecture=reunion)
    for target in (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS):
        action = action_transition(action=action, to=target, by=officer)
    action = action_transition(
        action=action, to=ActionStatus.DONE, by=officer, outcome="Attente moyenne : 52 → 31 minutes."
    )
    assert action.status == ActionStatus.DONE and action.done_on == reunion.today()
    assert list(action.transitions.values_list("to_status", flat=True)) == [
        ActionStatus.PLANNED,
        ActionStatus.IN_PROGRESS,
        ActionStatus.DONE,
    ]


def test_done_needs_an_outcome(reunion, english):
    action = ImprovementActionFactory(prefecture=reunion, status=ActionStatus.IN_PROGRESS)
    with pytest.raises(ValidationError, match="Describe the outcome"):
        action_transition(action=action, to=ActionStatus.DONE)
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS


def test_abandoning_needs_a_reason(reunion, english):
    action = ImprovementActionFactory(prefecture=reunion)
    with pytest.raises(ValidationError, match="Say why"):
        action_transition(action=action, to=ActionStatus.ABANDONED)
    action = action_transition(action=action, to=ActionStatus.ABANDONED, note="Remplacée par le projet national.")
    assert action.transitions.get().note == "Remplacée par le projet national."


def test_a_refused_transition_says_which_are_possible(reunion):
    action = ImprovementActionFactory(prefecture=reunion)
    with pytest.raises(TransitionRefused) as refused:
        action_transition(action=action, to=ActionStatus.DONE)
    assert "Proposed" in refused.value.message or "Proposée" in refused.value.message
    assert len(ACTION_TRANSITIONS) == len(ActionStatus)  # every status has its row


def test_reopening_a_done_action_clears_its_done_date(reunion):
    action = ImprovementActionFactory(prefecture=reunion, status=ActionStatus.DONE, outcome="Fait.", done_on=None)
    action = action_transition(action=action, to=ActionStatus.IN_PROGRESS, note="L'effet ne s'est pas maintenu.")
    assert action.done_on is None


def test_overdue_means_open_and_past_its_due_date(reunion):
    today = reunion.today()
    late = ImprovementActionFactory(prefecture=reunion, due_on=today - datetime.timedelta(days=1))
    ImprovementActionFactory(prefecture=reunion, due_on=today + datetime.timedelta(days=1))
    ImprovementActionFactory(
        prefecture=reunion, due_on=today - datetime.timedelta(days=9), status=ActionStatus.DONE, outcome="Fait."
    )
    ImprovementActionFactory(prefecture=reunion, due_on=None)
    assert list(ImprovementAction.objects.overdue(today)) == [late]
    assert late.is_overdue(today)


def test_an_action_is_late_from_midnight_in_its_own_prefecture(reunion):
    paris = PrefectureFactory(department_code="75", name="Paris", slug="paris", time_zone="Europe/Paris")
    due = datetime.date(2026, 12, 1)
    in_reunion = ImprovementActionFactory(prefecture=reunion, due_on=due)
    in_paris = ImprovementActionFactory(prefecture=paris, due_on=due)
    with time_machine.travel(datetime.datetime(2026, 12, 1, 22, 30, tzinfo=datetime.UTC), tick=False):
        assert list(ImprovementAction.objects.overdue()) == [in_reunion]
        assert in_reunion.is_overdue() and not in_paris.is_overdue()
