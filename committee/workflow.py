"""The improvement actions' workflow, declared once: which status may follow which.

``action_transition`` (``committee.services``) checks every change against this table; the admin
offers only the allowed next statuses. A refused change raises ``TransitionRefused`` saying why.
"""

from django.utils.translation import gettext_lazy as _

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


class TransitionRefused(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def allowed_next(status):
    return sorted(ACTION_TRANSITIONS.get(ActionStatus(status), set()), key=list(ActionStatus).index)


def check_transition(current, target):
    current, target = ActionStatus(current), ActionStatus(target)
    if target not in ACTION_TRANSITIONS[current]:
        allowed = ", ".join(f"“{s.label}”" for s in allowed_next(current)) or _("none")
        raise TransitionRefused(
            _("An action that is “%(current)s” cannot become “%(target)s”. Possible next statuses: %(allowed)s.")
            % {"current": current.label, "target": target.label, "allowed": allowed}
        )
