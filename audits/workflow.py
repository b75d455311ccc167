"""The audit cycle's workflows, declared once: the label's cycle, an audit, and a finding.

Each is a ``qualipref.workflow.Workflow``: the services (``audits.services``) check every change against it and
log it; the admin offers only the allowed next statuses.
"""

from django.utils.translation import gettext_lazy as _

from qualipref.workflow import Workflow

from .enums import AuditStatus, CycleStatus, FindingStatus

C = CycleStatus

CYCLE_TRANSITIONS = {
    C.APPLIED: {C.INITIAL_AUDIT, C.WITHDRAWN},
    C.INITIAL_AUDIT: {C.AWARDED, C.WITHDRAWN},
    C.AWARDED: {C.RENEWAL_AUDIT, C.SUSPENDED, C.WITHDRAWN},
    C.RENEWAL_AUDIT: {C.RENEWED, C.SUSPENDED, C.WITHDRAWN},
    C.RENEWED: {C.RENEWAL_AUDIT, C.SUSPENDED, C.WITHDRAWN},
    # A suspension is lifted back to the status it interrupted (``label_cycle_transition`` checks which).
    C.SUSPENDED: {C.AWARDED, C.RENEWED, C.WITHDRAWN},
    # Withdrawn is final: a new application is a new cycle.
    C.WITHDRAWN: set(),
}

CYCLE_WORKFLOW = Workflow(
    CycleStatus,
    CYCLE_TRANSITIONS,
    refusal=_("A label cycle at “%(current)s” cannot go to “%(target)s”. Possible next steps: %(allowed)s."),
)

S = AuditStatus

AUDIT_WORKFLOW = Workflow(
    AuditStatus,
    {
        S.PLANNED: {S.IN_PROGRESS, S.CANCELLED},
        S.IN_PROGRESS: {S.SIGNED, S.PLANNED},
        S.SIGNED: set(),
        S.CANCELLED: {S.PLANNED},
    },
    refusal=_("An audit that is “%(current)s” cannot become “%(target)s”. Possible next statuses: %(allowed)s."),
)

F = FindingStatus

FINDING_WORKFLOW = Workflow(
    FindingStatus,
    {
        F.OPEN: {F.ACTION_PLANNED},
        F.ACTION_PLANNED: {F.CLOSURE_REQUESTED, F.CLOSED},
        # The auditor accepts the closure, or refuses it and the action goes on.
        F.CLOSURE_REQUESTED: {F.CLOSED, F.ACTION_PLANNED},
        F.CLOSED: set(),
        F.NOTED: set(),
    },
    refusal=_("A finding that is “%(current)s” cannot become “%(target)s”. Possible next statuses: %(allowed)s."),
)
