import datetime

import factory

from audits.enums import AuditKind, CycleStatus, FindingKind, FindingStatus
from audits.models import Audit, Finding, LabelCycle, SelfAssessment
from audits.services import audit_save, label_cycle_apply, label_cycle_transition, self_assessment_start
from engagements.models import Engagement
from qualipref.enums import Role
from tests.qualipref.factories import MembershipFactory, PrefectureFactory, UserFactory

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


class LabelCycleFactory(factory.django.DjangoModelFactory):
    """A cycle written directly (the services' checks skipped): for tests that need one row of a prefecture."""

    class Meta:
        model = LabelCycle

    prefecture = factory.SubFactory(PrefectureFactory)
    status = CycleStatus.AWARDED
    applied_on = datetime.date(2024, 11, 4)
    awarded_on = AWARDED_ON
    expires_on = datetime.date(2028, 3, 10)


class AuditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Audit

    cycle = factory.SubFactory(LabelCycleFactory)
    prefecture = factory.SelfAttribute("cycle.prefecture")
    kind = AuditKind.SURVEILLANCE
    starts_on = datetime.date(2026, 3, 2)
    ends_on = datetime.date(2026, 3, 3)
    auditor = factory.SubFactory(UserFactory, is_staff=True)


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    audit = factory.SubFactory(AuditFactory)
    prefecture = factory.SelfAttribute("audit.prefecture")
    number = factory.Sequence(lambda n: n + 1)
    reference = factory.LazyAttribute(lambda f: f"{f.prefecture.department_code}-2026-{f.number}")
    kind = FindingKind.OBSERVATION
    engagement = factory.LazyFunction(lambda: Engagement.objects.active().first())
    statement = "Affichage des horaires à compléter."
    status = FindingStatus.NOTED
    recorded_by = factory.SelfAttribute("audit.auditor")


CAMPAIGN_ON = datetime.date(2026, 2, 16)


def campaign(prefecture, on=CAMPAIGN_ON, **kwargs):
    """A self-assessment started on ``on`` (figures of February 2025 to January 2026 by default)."""
    return self_assessment_start(prefecture=prefecture, on=on, **kwargs)


class SelfAssessmentFactory(factory.django.DjangoModelFactory):
    """A campaign written directly, without lines: for tests that need one row of a prefecture."""

    class Meta:
        model = SelfAssessment

    prefecture = factory.SubFactory(PrefectureFactory)
    on = CAMPAIGN_ON
    period_start = datetime.date(2025, 1, 1)
    period_end = datetime.date(2025, 12, 1)
