"""Improvement actions: created with what raised them, moved through ``committee.workflow`` and logged."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..enums import ActionStatus
from ..models import ActionTransition, ImprovementAction
from ..origins import has_external_origin
from ..workflow import check_transition


def _log(action, from_status, to_status, by=None, note=""):
    ActionTransition.objects.create(action=action, from_status=from_status, to_status=to_status, by=by, note=note)


def has_origin(*, cases=(), meeting=None, working_group=None, survey_question=""):
    return bool(cases) or meeting is not None or working_group is not None or bool(survey_question.strip())


def _no_origin_error():
    return ValidationError(
        _(
            "Say what raised this action: complaints or suggestions, a survey question, "
            "a committee meeting or a working group."
        ),
        code="no_origin",
    )


def _transition_rule_errors(to, *, outcome="", note=""):
    """What the move to ``to`` needs besides the workflow's leave, by form field (empty when all is there)."""
    errors = {}
    if to == ActionStatus.DONE and not (outcome or "").strip():
        errors["outcome"] = _("Describe the outcome (the measured effect) before marking the action done.")
    if to == ActionStatus.ABANDONED and not (note or "").strip():
        errors["transition_note"] = _("Say why the action is abandoned: the reason is kept.")
    return errors


def action_check(
    *,
    prefecture,
    origin_cases=(),
    origin_meeting=None,
    origin_working_group=None,
    origin_survey_question="",
    current=ActionStatus.PROPOSED,
    new_status="",
    outcome="",
    note="",
    external_origin=False,
):
    """Raise ``ValidationError`` (by field) when an action so described may not be saved or moved to ``new_status``,
    ``qualipref.workflow.TransitionRefused`` when the workflow does not allow that move.

    ``action_save`` calls it; the admin's form calls it too, to show the refusal on the fields concerned.
    ``external_origin``: the action is raised by a record of a higher app (``committee.origins``).
    """
    if not external_origin and not has_origin(
        cases=origin_cases,
        meeting=origin_meeting,
        working_group=origin_working_group,
        survey_question=origin_survey_question or "",
    ):
        raise _no_origin_error()
    errors = {}
    foreign = [case.reference for case in origin_cases if prefecture and case.prefecture_id != prefecture.pk]
    if foreign:
        refs = ", ".join(foreign)
        errors["origin_cases"] = _("These cases belong to another prefecture: %(refs)s.") % {"refs": refs}
    if new_status:
        check_transition(current, new_status)
        errors |= _transition_rule_errors(new_status, outcome=outcome, note=note)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def action_create(
    *,
    prefecture,
    title,
    by=None,
    origin_cases=(),
    origin_meeting=None,
    origin_working_group=None,
    external_origin=False,
    **fields,
):
    """Record an improvement action with what raised it (at least one origin); it starts as proposed.

    ``external_origin=True``: the caller, an app above the committee, links its own record to the action in the
    same transaction (an audit's finding, see ``committee.origins``).
    """
    action = ImprovementAction(
        prefecture=prefecture,
        title=title,
        origin_meeting=origin_meeting,
        origin_working_group=origin_working_group,
        **fields,
    )
    return action_save(action=action, origin_cases=origin_cases, by=by, external_origin=external_origin)


@transaction.atomic
def action_save(*, action, origin_cases, by=None, new_status="", note="", external_origin=False):
    """Save ``action`` (new or edited) with its origins, then move it to ``new_status`` if given.

    A new action starts as proposed, and its creation is logged with ``by`` as author.
    """
    adding = action._state.adding
    current = ActionStatus.PROPOSED
    if not adding:
        current = (
            ImprovementAction.objects.select_for_update(of=("self",))
            .values_list("status", flat=True)
            .get(pk=action.pk)
        )
    origin_cases = list(origin_cases)
    action_check(
        prefecture=action.prefecture,
        origin_cases=origin_cases,
        origin_meeting=action.origin_meeting,
        origin_working_group=action.origin_working_group,
        origin_survey_question=action.origin_survey_question,
        current=current,
        new_status=new_status,
        outcome=action.outcome,
        note=note,
        external_origin=external_origin or has_external_origin(action),
    )
    if adding:
        action.status = ActionStatus.PROPOSED
    action.full_clean()
    action.save()
    action.origin_cases.set(origin_cases)
    if adding:
        _log(action, "", action.status, by=by)
    if new_status:
        moved = action_transition(action=action, to=new_status, by=by, note=note)
        action.status, action.done_on = moved.status, moved.done_on
    return action


@transaction.atomic
def action_transition(*, action, to, by=None, note="", outcome=None):
    """Move ``action`` to status ``to`` if the workflow allows it, and log it.

    Raises ``qualipref.workflow.TransitionRefused`` when the workflow refuses the move; ``ValidationError`` when
    marking it done comes without its outcome (given here or already written) or abandoning it without a reason.
    The date it was done is kept.
    """
    action = ImprovementAction.objects.select_for_update(of=("self",)).select_related("prefecture").get(pk=action.pk)
    if outcome is not None:
        action.outcome = outcome
    to = check_transition(action.status, to)
    if errors := _transition_rule_errors(to, outcome=action.outcome, note=note):
        raise ValidationError(errors)
    fields = {"status"}
    if outcome is not None:
        fields.add("outcome")
    if to == ActionStatus.DONE:
        action.done_on = action.prefecture.today()
        fields.add("done_on")
    elif action.done_on:
        action.done_on = None
        fields.add("done_on")
    previous = action.status
    action.status = to
    action.save(update_fields=sorted(fields))
    _log(action, previous, to, by=by, note=note)
    return action
