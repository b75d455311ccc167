"""The label's cycle: its steps through the workflow, the dates of the label, the next audit due."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from audits.cycle import next_due, positions, prefecture_positions
from audits.enums import AuditKind, AuditStatus, CycleStatus
from audits.models import CycleStep, LabelCycle
from audits.services import (
    audit_sign,
    audit_transition,
    label_cycle_apply,
    label_cycle_transition,
    label_cycle_update,
)
from qualipref.enums import Label
from qualipref.models import Prefecture
from qualipref.uploads import validate_upload
from qualipref.workflow import TransitionRefused
from tests.complaints.factories import PDF_BYTES
from tests.qualipref.factories import PrefectureFactory, SiteFactory, officer_of

from .factories import AWARDED_ON, auditor_of, awarded_cycle, planned_audit

pytestmark = pytest.mark.django_db

SITE_NAMES = ("Saint-Denis", "Saint-Pierre", "Saint-Paul")


def _pdf(name="certificat.pdf"):
    return validate_upload(SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf"))


def test_award_dates_the_label_for_three_years_and_records_it_on_the_prefecture(prefecture):
    officer = officer_of(prefecture)
    cycle = label_cycle_apply(prefecture=prefecture, applied_on=datetime.date(2025, 1, 6), by=officer)
    label_cycle_transition(cycle=cycle, to=CycleStatus.INITIAL_AUDIT, on=datetime.date(2025, 2, 3), by=officer)
    cycle = label_cycle_transition(
        cycle=cycle, to=CycleStatus.AWARDED, on=AWARDED_ON, by=officer, document=_pdf(), note="Comité du 10 mars"
    )

    assert (cycle.status, cycle.awarded_on, cycle.expires_on) == (
        CycleStatus.AWARDED,
        AWARDED_ON,
        datetime.date(2028, 3, 10),
    )
    assert cycle.certificate_name == "certificat.pdf" and len(cycle.certificate_sha256) == 64
    prefecture.refresh_from_db()
    assert (prefecture.label, prefecture.label_awarded_on) == (Label.QUALIPREF, AWARDED_ON)
    steps = list(CycleStep.objects.filter(cycle=cycle).values_list("to_status", "on", "by"))
    assert steps == [
        (CycleStatus.APPLIED, datetime.date(2025, 1, 6), officer.pk),
        (CycleStatus.INITIAL_AUDIT, datetime.date(2025, 2, 3), officer.pk),
        (CycleStatus.AWARDED, AWARDED_ON, officer.pk),
    ]
    assert CycleStep.objects.get(to_status=CycleStatus.AWARDED).document_sha256 == cycle.certificate_sha256


def test_a_step_the_workflow_does_not_declare_is_refused(prefecture):
    cycle = label_cycle_apply(prefecture=prefecture, applied_on=datetime.date(2025, 1, 6))
    with pytest.raises(TransitionRefused, match=str(CycleStatus.INITIAL_AUDIT.label)):
        label_cycle_transition(cycle=cycle, to=CycleStatus.RENEWED, on=datetime.date(2025, 3, 1))


def test_suspension_needs_its_reason_and_takes_the_label_away_until_lifted(prefecture):
    cycle = awarded_cycle(prefecture)
    with pytest.raises(ValidationError):
        label_cycle_transition(cycle=cycle, to=CycleStatus.SUSPENDED, on=datetime.date(2025, 9, 1), note=" ")
    cycle = label_cycle_transition(
        cycle=cycle, to=CycleStatus.SUSPENDED, on=datetime.date(2025, 9, 1), note="Non-conformité majeure non levée"
    )
    assert cycle.reason == "Non-conformité majeure non levée"
    assert Prefecture.objects.get(pk=prefecture.pk).label == Label.NONE

    with pytest.raises(ValidationError):  # a suspension of an awarded label returns to awarded, not renewed
        label_cycle_transition(cycle=cycle, to=CycleStatus.RENEWED, on=datetime.date(2025, 10, 1))
    cycle = label_cycle_transition(cycle=cycle, to=CycleStatus.AWARDED, on=datetime.date(2025, 10, 1))
    assert (cycle.awarded_on, cycle.reason) == (AWARDED_ON, "")  # the label's dates are kept
    assert Prefecture.objects.get(pk=prefecture.pk).label_awarded_on == AWARDED_ON


def test_withdrawal_is_final_and_a_new_application_opens_a_new_cycle(prefecture):
    cycle = awarded_cycle(prefecture)
    label_cycle_transition(cycle=cycle, to=CycleStatus.WITHDRAWN, on=datetime.date(2026, 1, 5), note="Renoncement")
    assert Prefecture.objects.get(pk=prefecture.pk).label == Label.NONE
    with pytest.raises(TransitionRefused):
        label_cycle_transition(cycle=cycle, to=CycleStatus.AWARDED, on=datetime.date(2026, 2, 1))
    again = label_cycle_apply(prefecture=prefecture, applied_on=datetime.date(2026, 3, 1))
    assert LabelCycle.objects.current().get(prefecture=prefecture) == again


def test_withdrawal_needs_its_reason_kept_on_the_cycle_and_in_its_step(prefecture):
    cycle = awarded_cycle(prefecture)
    with pytest.raises(ValidationError) as refused:
        label_cycle_transition(cycle=cycle, to=CycleStatus.WITHDRAWN, on=datetime.date(2026, 1, 5), note="")
    assert "step_note" in refused.value.message_dict
    assert LabelCycle.objects.get(pk=cycle.pk).status == CycleStatus.AWARDED

    cycle = label_cycle_transition(
        cycle=cycle, to=CycleStatus.WITHDRAWN, on=datetime.date(2026, 1, 5), note="Engagements non tenus"
    )
    assert (cycle.status, cycle.reason) == (CycleStatus.WITHDRAWN, "Engagements non tenus")
    step = cycle.steps.get(to_status=CycleStatus.WITHDRAWN)
    assert (step.from_status, step.on, step.note) == (
        CycleStatus.AWARDED,
        datetime.date(2026, 1, 5),
        "Engagements non tenus",
    )


def test_a_label_may_cover_only_some_sites_and_its_sites_change_later(prefecture):
    officer = officer_of(prefecture)
    saint_denis, saint_pierre, saint_paul = (SiteFactory(prefecture=prefecture, name=n) for n in SITE_NAMES)
    cycle = awarded_cycle(prefecture, sites=[saint_denis, saint_pierre], by=officer)
    assert set(cycle.sites.all()) == {saint_denis, saint_pierre}

    cycle = label_cycle_update(cycle=cycle, sites=[saint_denis, saint_pierre, saint_paul], by=officer)
    assert set(cycle.sites.all()) == {saint_denis, saint_pierre, saint_paul}
    with pytest.raises(ValidationError):
        label_cycle_update(cycle=cycle, sites=[SiteFactory()], by=officer)
    assert cycle.sites.count() == 3


def test_the_position_names_the_sites_only_when_the_label_covers_some(prefecture):
    other = PrefectureFactory(label=Label.NONE, label_awarded_on=None)
    SiteFactory(prefecture=prefecture, name="Saint-Paul")
    awarded_cycle(prefecture, sites=[SiteFactory(prefecture=prefecture, name=n) for n in SITE_NAMES[:2]])
    awarded_cycle(other)
    found = prefecture_positions([prefecture, other], today=datetime.date(2026, 6, 1))
    assert found[prefecture.pk].sites == ["Saint-Denis", "Saint-Pierre"]
    assert found[other.pk].sites == []


def test_a_withdrawn_label_keeps_its_position_until_a_new_application(prefecture):
    cycle = awarded_cycle(prefecture)
    label_cycle_transition(cycle=cycle, to=CycleStatus.WITHDRAWN, on=datetime.date(2026, 1, 5), note="Renoncement")
    position = prefecture_positions([prefecture], today=datetime.date(2026, 6, 1))[prefecture.pk]
    assert (position.cycle.status, position.since, position.next_kind) == (
        CycleStatus.WITHDRAWN,
        datetime.date(2026, 1, 5),
        None,
    )
    again = label_cycle_apply(prefecture=prefecture, applied_on=datetime.date(2026, 3, 1))
    position = prefecture_positions([prefecture], today=datetime.date(2026, 6, 1))[prefecture.pk]
    assert (position.cycle, position.next_kind) == (again, AuditKind.INITIAL)


def test_an_officer_of_another_prefecture_cannot_write_the_cycle(prefecture):
    cycle = awarded_cycle(prefecture)
    stranger = officer_of(PrefectureFactory())
    with pytest.raises(PermissionDenied):
        label_cycle_transition(cycle=cycle, to=CycleStatus.RENEWAL_AUDIT, on=datetime.date(2027, 9, 1), by=stranger)


def test_an_auditor_cannot_award_the_label(prefecture):
    cycle = label_cycle_apply(prefecture=prefecture, applied_on=datetime.date(2025, 1, 6))
    with pytest.raises(PermissionDenied):
        label_cycle_transition(
            cycle=cycle, to=CycleStatus.INITIAL_AUDIT, on=datetime.date(2025, 2, 1), by=auditor_of(prefecture)
        )


def test_sites_of_another_prefecture_are_refused(prefecture):
    with pytest.raises(ValidationError):
        label_cycle_apply(prefecture=prefecture, applied_on=datetime.date(2025, 1, 6), sites=[SiteFactory()])


@pytest.mark.parametrize(
    ("done", "expected"),
    [
        (0, (AuditKind.SURVEILLANCE, datetime.date(2026, 3, 10))),
        (1, (AuditKind.SURVEILLANCE, datetime.date(2027, 3, 10))),
        (2, (AuditKind.RENEWAL, datetime.date(2028, 3, 10))),
    ],
)
def test_next_audit_follows_the_surveillance_audits_done(prefecture, done, expected):
    cycle = awarded_cycle(prefecture)
    assert next_due(cycle, surveillance_done=done) == expected


def test_periods_are_settings(prefecture, settings):
    settings.LABEL_VALIDITY_MONTHS, settings.LABEL_SURVEILLANCE_MONTHS = 48, 18
    cycle = awarded_cycle(prefecture)
    assert cycle.expires_on == datetime.date(2029, 3, 10)
    assert next_due(cycle, surveillance_done=0) == (AuditKind.SURVEILLANCE, datetime.date(2026, 9, 10))
    assert next_due(cycle, surveillance_done=2) == (AuditKind.RENEWAL, datetime.date(2029, 3, 10))


def test_positions_count_signed_surveillance_audits_and_show_the_planned_one(prefecture, django_assert_num_queries):
    cycle = awarded_cycle(prefecture)
    auditor = auditor_of(prefecture)
    done = planned_audit(cycle, auditor, starts_on=datetime.date(2026, 3, 2))
    audit_transition(audit=done, to=AuditStatus.IN_PROGRESS)
    audit_sign(audit=done, by=auditor)
    planned_audit(cycle, auditor, starts_on=datetime.date(2027, 2, 15))
    cycle = LabelCycle.objects.select_related("prefecture").get(pk=cycle.pk)

    with django_assert_num_queries(2):
        position = positions([cycle], today=datetime.date(2026, 6, 1))[cycle.pk]

    assert (position.next_kind, position.next_due_on, position.planned_on) == (
        AuditKind.SURVEILLANCE,
        datetime.date(2027, 3, 10),
        datetime.date(2027, 2, 15),
    )
    assert not position.overdue


def test_prefecture_positions_is_four_queries_whatever_the_number(django_assert_num_queries):
    prefectures = [PrefectureFactory(label=Label.NONE, label_awarded_on=None) for _ in range(4)]
    for prefecture in prefectures:
        awarded_cycle(prefecture, sites=[SiteFactory(prefecture=prefecture)])
    with django_assert_num_queries(4):
        found = prefecture_positions(prefectures, today=datetime.date(2026, 6, 1))
        assert all(len(p.sites) == 1 for p in found.values())
    assert {p.next_kind for p in found.values()} == {AuditKind.SURVEILLANCE}
    assert all(p.overdue for p in found.values())  # due on 10 March 2026, none planned
