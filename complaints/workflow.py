"""The case workflow, declared once: which status may follow which, for each kind of case.

Services check every change against these tables (``check_transition``); the admin shows the
allowed next statuses from them. A refused transition raises ``TransitionRefused`` with a
message that says why.
"""

from django.utils.translation import gettext_lazy as _

from .enums import Kind, Status

S = Status

COMPLAINT_TRANSITIONS = {
    S.NEW: {S.ACKNOWLEDGED, S.IN_PROGRESS, S.WAITING_CITIZEN, S.ANSWERED, S.TRANSFERRED, S.REJECTED},
    S.ACKNOWLEDGED: {S.IN_PROGRESS, S.WAITING_CITIZEN, S.ANSWERED, S.TRANSFERRED, S.REJECTED},
    S.IN_PROGRESS: {S.WAITING_CITIZEN, S.ANSWERED, S.TRANSFERRED, S.REJECTED},
    S.WAITING_CITIZEN: {S.IN_PROGRESS, S.ANSWERED, S.REJECTED},
    S.TRANSFERRED: {S.ACKNOWLEDGED, S.IN_PROGRESS, S.WAITING_CITIZEN, S.ANSWERED, S.TRANSFERRED, S.REJECTED},
    S.ANSWERED: {S.CLOSED, S.REOPENED},
    S.REOPENED: {S.IN_PROGRESS, S.WAITING_CITIZEN, S.ANSWERED, S.TRANSFERRED},
    S.CLOSED: {S.REOPENED},
    S.REJECTED: {S.REOPENED},
}

SUGGESTION_TRANSITIONS = {
    S.RECEIVED: {S.UNDER_REVIEW, S.FORWARDED_TO_COMMITTEE, S.ACCEPTED, S.DECLINED, S.TRANSFERRED, S.REJECTED},
    S.UNDER_REVIEW: {S.FORWARDED_TO_COMMITTEE, S.ACCEPTED, S.DECLINED, S.TRANSFERRED, S.REJECTED},
    S.TRANSFERRED: {S.UNDER_REVIEW, S.FORWARDED_TO_COMMITTEE, S.ACCEPTED, S.DECLINED, S.REJECTED},
    S.FORWARDED_TO_COMMITTEE: {S.ACCEPTED, S.DECLINED},
    S.ACCEPTED: set(),
    S.DECLINED: set(),
    S.REJECTED: {S.UNDER_REVIEW},
}

INITIAL_STATUS = {Kind.COMPLAINT: S.NEW, Kind.SUGGESTION: S.RECEIVED}

# Statuses that end the case: the clock stops and the retention period starts.
FINAL_STATUSES = frozenset({S.CLOSED, S.REJECTED, S.ACCEPTED, S.DECLINED})


class TransitionRefused(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def transitions_for(kind):
    return COMPLAINT_TRANSITIONS if kind == Kind.COMPLAINT else SUGGESTION_TRANSITIONS


def allowed_next(case):
    return sorted(transitions_for(case.kind).get(case.status, set()), key=list(Status).index)


def check_transition(case, target):
    target = Status(target)
    table = transitions_for(case.kind)
    if target not in table.get(case.status, set()):
        if target not in {s for targets in table.values() for s in targets} | set(table):
            raise TransitionRefused(
                _("A %(kind)s cannot take the status “%(target)s”.")
                % {"kind": case.get_kind_display().lower(), "target": target.label}
            )
        allowed = ", ".join(_("“%(status)s”") % {"status": s.label} for s in allowed_next(case)) or _("none")
        raise TransitionRefused(
            _("A case that is “%(current)s” cannot become “%(target)s”. Possible next statuses: %(allowed)s.")
            % {"current": Status(case.status).label, "target": target.label, "allowed": allowed}
        )
