"""The improvement actions' workflow, declared once: which status may follow which.

A ``qualipref.workflow.Workflow``: ``action_transition`` (``committee.services``) checks every change
against it; the admin offers only the allowed next statuses. A refused change raises the kit's
``TransitionRefused`` saying why.
"""

from django.utils.translation import gettext_lazy as _

from qualipref.workflow import Workflow

from .enums import ActionStatus

A = ActionStatus

ACTION_TRANSITIONS = {
    A.PROPOSED: {A.PLANNED, A.IN_PROGRESS, A.ABANDONED},
    A.PLANNED: {A.IN_PROGRESS, A.ABANDONED},
    A.IN_PROGRESS: {A.DONE, A.PLANNED, A.ABANDONED},
    # Reopened when the measured effect does not show; an abandoned idea may come back.
    A.DONE: {A.IN_PROGRESS},
    A.ABANDONED: {A.PROPOSED},
}

ACTION_WORKFLOW = Workflow(
    ActionStatus,
    ACTION_TRANSITIONS,
    refusal=_("An action that is “%(current)s” cannot become “%(target)s”. Possible next statuses: %(allowed)s."),
)


def allowed_next(status):
    return ACTION_WORKFLOW.allowed_next(status)


def check_transition(current, target):
    """Return ``target`` if an action that is ``current`` may become it, else raise ``TransitionRefused``."""
    return ACTION_WORKFLOW.check(current, target)
