"""The case workflow, declared once: which status may follow which, for each kind of case.

Both tables are ``qualipref.workflow.Workflow`` objects: services check every change against them
(``check_transition``); the admin shows the allowed next statuses from them. A refused transition
raises the kit's ``TransitionRefused`` with a message that says why.

Two statuses of a complaint are reached only by writing to the citizen (``services.case_answer``):
"answered" records the answer and lets the citizen rate it, "waiting for the citizen" stops the
clock because a question was asked. A bare status change to either is refused.
"""

from django.utils.translation import gettext_lazy as _

from qualipref.workflow import TransitionRefused, Workflow

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

# Statuses reached only through an answer or a request sent to the citizen (``services.case_answer``).
ANSWER_ONLY_STATUSES = frozenset({S.ANSWERED, S.WAITING_CITIZEN})


# Both kinds of case word a refusal the same way.
CASE_REFUSAL = _("A case that is “%(current)s” cannot become “%(target)s”. Possible next statuses: %(allowed)s.")
CASE_UNKNOWN_STATUS = _("A %(kind)s cannot take the status “%(target)s”.")

WORKFLOWS = {
    Kind.COMPLAINT: Workflow(Status, COMPLAINT_TRANSITIONS, refusal=CASE_REFUSAL, unknown=CASE_UNKNOWN_STATUS),
    Kind.SUGGESTION: Workflow(Status, SUGGESTION_TRANSITIONS, refusal=CASE_REFUSAL, unknown=CASE_UNKNOWN_STATUS),
}


def allowed_next(case):
    return WORKFLOWS[Kind(case.kind)].allowed_next(case.status)


def check_transition(case, target, *, by_answer=False):
    """Raise ``qualipref.workflow.TransitionRefused`` unless ``case`` may move to ``target``; return ``target``.

    ``by_answer`` is True only for ``services.case_answer``, the one way to the answer-only statuses.
    """
    target = WORKFLOWS[Kind(case.kind)].check(case.status, target, kind=case.get_kind_display().lower())
    if target in ANSWER_ONLY_STATUSES and not by_answer:
        raise TransitionRefused(
            _(
                "A case becomes “%(target)s” only when a message is sent to the citizen: use “%(answer)s” "
                "or “%(request)s” on the case page."
            )
            % {
                "target": target.label,
                "answer": _("Answer"),
                "request": _("Ask the citizen for a document or a precision"),
            }
        )
    return target
