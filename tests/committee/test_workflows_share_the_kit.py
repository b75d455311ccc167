"""Cases, suggestions, improvement actions and month publication all change status through the core's workflow
kit: a refused transition raises ``qualipref.workflow.TransitionRefused``, a rule that is not a transition raises
``ValidationError``, and every change is logged on the kit's ``TransitionLog``."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from committee.enums import ActionStatus
from committee.services import action_transition
from complaints.enums import Kind, Status
from complaints.services import case_answer, case_rate, case_transition, suggestion_decide
from delays.enums import PublicationStatus
from delays.models import MonthPublication
from delays.services import month_publish, month_unpublish
from qualipref.workflow import TransitionLog, TransitionRefused
from tests.complaints.factories import CaseFactory
from tests.qualipref.factories import officer_of

from .factories import ImprovementActionFactory

pytestmark = pytest.mark.django_db


def _logs(record):
    """The log rows a record's transitions wrote, checked to be the kit's log."""
    rows = list(getattr(record, "events" if isinstance(record, MonthPublication) else "transitions").all())
    assert all(isinstance(row, TransitionLog) for row in rows)
    return [(row.from_status, row.to_status) for row in rows if row.to_status]


def test_a_complaint_refused_transition_and_its_non_transition_rules(reunion):
    officer = officer_of(reunion)
    case = CaseFactory(prefecture=reunion, kind=Kind.COMPLAINT, status=Status.CLOSED)
    with pytest.raises(TransitionRefused):
        case_transition(case=case, to=Status.IN_PROGRESS, by=officer)
    with pytest.raises(ValidationError):
        case_answer(case=case, by=officer, text="   ")
    with pytest.raises(ValidationError):
        case_rate(case=case, rating=5)  # never answered
    case_transition(case=case, to=Status.REOPENED, by=officer)
    assert _logs(case)[-1] == (Status.CLOSED, Status.REOPENED)


def test_a_suggestion_refused_transition_and_its_non_transition_rules(reunion):
    officer = officer_of(reunion)
    suggestion = CaseFactory(prefecture=reunion, kind=Kind.SUGGESTION, status=Status.ACCEPTED)
    with pytest.raises(TransitionRefused):
        suggestion_decide(case=suggestion, by=officer, to=Status.DECLINED)
    with pytest.raises(ValidationError):
        case_answer(case=suggestion, by=officer, text="Merci pour votre idée.")
    received = CaseFactory(prefecture=reunion, kind=Kind.SUGGESTION, status=Status.RECEIVED)
    with pytest.raises(ValidationError):
        case_transition(case=received, to=Status.REJECTED, by=officer, note="")  # the reason is missing
    suggestion_decide(case=received, by=officer, to=Status.ACCEPTED)
    assert _logs(received)[-1] == (Status.RECEIVED, Status.ACCEPTED)


def test_an_action_refused_transition_and_its_non_transition_rules(reunion):
    action = ImprovementActionFactory(prefecture=reunion, status=ActionStatus.PROPOSED)
    with pytest.raises(TransitionRefused):
        action_transition(action=action, to=ActionStatus.DONE)
    with pytest.raises(ValidationError):
        action_transition(action=action, to=ActionStatus.ABANDONED, note="")  # the reason is missing
    action_transition(action=action, to=ActionStatus.PLANNED)
    assert _logs(action) == [(ActionStatus.PROPOSED, ActionStatus.PLANNED)]


def test_a_month_refused_transition_and_its_non_transition_rules(reunion):
    officer = officer_of(reunion)
    draft = MonthPublication.objects.create(prefecture=reunion, month=datetime.date(2025, 6, 1))
    with pytest.raises(TransitionRefused):
        month_unpublish(publication=draft, by=officer, reason="Erreur")  # never published
    with pytest.raises(ValidationError):
        month_publish(publication=draft, by=officer)  # no figures
    with pytest.raises(ValidationError):
        month_unpublish(publication=draft, by=officer, reason=" ")  # the reason is missing
    published = MonthPublication.objects.create(
        prefecture=reunion, month=datetime.date(2025, 5, 1), status=PublicationStatus.PUBLISHED
    )
    with pytest.raises(TransitionRefused):
        month_publish(publication=published, by=officer)
    month_unpublish(publication=published, by=officer, reason="Doublons")
    assert _logs(published) == [(PublicationStatus.PUBLISHED, PublicationStatus.WITHDRAWN)]
