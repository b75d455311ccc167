import datetime

from audits.enums import AuditKind, CycleStatus
from audits.models import Audit
from audits.services import audit_save, label_cycle_apply, label_cycle_transition
from qualipref.enums import Role
from tests.qualipref.factories import MembershipFactory

AWARDED_ON = datetime.date(2025, 3, 10)


def auditor_of(prefecture, **user_fields):
    """A user holding the auditor role for ``prefecture``."""
    return MembershipFactory(
        prefecture=prefecture, role=Role.AUDITOR, **{f"user__{k}": v for k, v in user_fields.items()}
    ).user


def awarded_cycle(prefecture, awarded_on=AWARDED_ON, **kwargs):
    """A cycle that went through its application and initial audit to the award on ``awarded_on``."""
    cycle = label_cycle_apply(prefecture=prefecture, applied_on=awarded_on - datetime.timedelta(days=90), **kwargs)
    label_cycle_transition(cycle=cycle, to=CycleStatus.INITIAL_AUDIT, on=awarded_on - datetime.timedelta(days=30))
    return label_cycle_transition(cycle=cycle, to=CycleStatus.AWARDED, on=awarded_on)


def planned_audit(cycle, auditor, *, kind=AuditKind.SURVEILLANCE, starts_on=None, **fields):
    starts_on = starts_on or (cycle.awarded_on or cycle.applied_on) + datetime.timedelta(days=360)
    audit = Audit(cycle=cycle, kind=kind, starts_on=starts_on, ends_on=starts_on, auditor=auditor, **fields)
    return audit_save(audit=audit)
