"""What the audit cycle's tests share: a prefecture with no label yet, its officer and auditor, and an audit in
progress on its awarded cycle."""

import datetime

import pytest

from audits.enums import AuditStatus
from audits.services import audit_transition
from qualipref.enums import Label
from tests.qualipref.factories import PrefectureFactory, officer_of

from .factories import auditor_of, awarded_cycle, planned_audit


@pytest.fixture
def prefecture(db):
    return PrefectureFactory(label=Label.NONE, label_awarded_on=None)


@pytest.fixture
def auditor(prefecture):
    return auditor_of(prefecture)


@pytest.fixture
def officer(prefecture):
    return officer_of(prefecture)


@pytest.fixture
def audit(prefecture, auditor):
    audit = planned_audit(awarded_cycle(prefecture), auditor, starts_on=datetime.date(2026, 3, 2))
    return audit_transition(audit=audit, to=AuditStatus.IN_PROGRESS)
