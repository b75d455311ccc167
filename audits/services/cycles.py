"""The label's cycle: an application, then each step through ``audits.workflow.CYCLE_WORKFLOW``, logged."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qualipref.enums import Label
from qualipref.services import prefecture_record_label

from ..cycle import expiry
from ..enums import HOLDING_STATUSES, CycleStatus
from ..models import CycleStep, LabelCycle
from ..perms import check_officer
from ..workflow import CYCLE_WORKFLOW

C = CycleStatus
# Steps that need their reason written (kept on the cycle and in the step).
NEEDS_REASON = frozenset({C.SUSPENDED, C.WITHDRAWN})


def _attach(record, prefix, upload):
    """Store a file ``qualipref.uploads.validate_upload`` returned (never the one received) on ``record``."""
    if upload is None:
        return
    getattr(record, prefix).save(upload.safe_name, upload, save=False)
    setattr(record, f"{prefix}_name", upload.safe_name)
    setattr(record, f"{prefix}_sha256", upload.sha256)


@transaction.atomic
def label_cycle_apply(
    *, prefecture, label=Label.QUALIPREF, applied_on, by=None, sites=(), certifying_body="", document=None, note=""
):
    """Open a label's cycle with the prefecture's application (for ``sites``, or all its sites)."""
    check_officer(by, prefecture)
    sites = list(sites)
    if any(site.prefecture_id != prefecture.pk for site in sites):
        raise ValidationError({"sites": _("These sites belong to another prefecture.")})
    if LabelCycle.objects.current().filter(prefecture=prefecture, label=label).exists():
        raise ValidationError({"label": _("This prefecture already has a current cycle for this label.")})
    cycle = LabelCycle(prefecture=prefecture, label=label, applied_on=applied_on, certifying_body=certifying_body)
    cycle.full_clean()
    cycle.save()
    cycle.sites.set(sites)
    step = CycleStep(cycle=cycle, from_status="", to_status=C.APPLIED, on=applied_on, by=by, note=note)
    _attach(step, "document", document)
    step.save()
    return cycle


def _resumed_status(cycle):
    """The status a suspension interrupted, to which lifting it returns."""
    interrupted = (
        cycle.steps.filter(to_status=C.SUSPENDED).order_by("-at", "-pk").values_list("from_status", flat=True).first()
    )
    return C.RENEWED if interrupted in (C.RENEWED, C.RENEWAL_AUDIT) else C.AWARDED


def label_cycle_check(*, cycle, to, on, note=""):
    """Return ``to`` as a status if ``cycle`` may go there on ``on`` with ``note``; else raise the workflow's
    ``TransitionRefused`` or a ``ValidationError`` by field (the admin's form shows them on the fields)."""
    to = CYCLE_WORKFLOW.check(cycle.status, to)
    if to in NEEDS_REASON and not note.strip():
        raise ValidationError({"step_note": _("Write the reason: it is kept with the label's history.")})
    if on is None:
        raise ValidationError({"step_on": _("Give the date of the step.")})
    if on < cycle.applied_on:
        raise ValidationError({"step_on": _("A step of the cycle comes after its application.")})
    if cycle.status == C.SUSPENDED and to != C.WITHDRAWN and to != (resumed := _resumed_status(cycle)):
        raise ValidationError(
            {"new_status": _("Lifting the suspension returns to “%(status)s”.") % {"status": resumed.label}}
        )
    return to


@transaction.atomic
def label_cycle_update(*, cycle, sites, certifying_body="", by=None):
    """Change the sites a cycle covers and its certifying body (its status moves by ``label_cycle_transition``)."""
    cycle = LabelCycle.objects.select_for_update(of=("self",)).select_related("prefecture").get(pk=cycle.pk)
    check_officer(by, cycle.prefecture)
    sites = list(sites)
    if any(site.prefecture_id != cycle.prefecture_id for site in sites):
        raise ValidationError({"sites": _("These sites belong to another prefecture.")})
    cycle.certifying_body = certifying_body
    cycle.save(update_fields=["certifying_body"])
    cycle.sites.set(sites)
    return cycle


@transaction.atomic
def label_cycle_transition(*, cycle, to, on, by=None, note="", document=None):
    """Move ``cycle`` to ``to`` on day ``on``, with the step's note (the reason, for a suspension or a withdrawal)
    and document (the certificate, for an award or a renewal).

    Awarding or renewing dates the label from ``on`` and sets its end (``audits.cycle.expiry``); the prefecture's
    label, award date and next audit follow (``qualipref.services.prefecture_record_label``). Lifting a
    suspension returns to the status it interrupted, the label's dates unchanged; a withdrawal takes the label
    away. Raises ``TransitionRefused`` or ``ValidationError``.
    """
    cycle = LabelCycle.objects.select_for_update(of=("self",)).select_related("prefecture").get(pk=cycle.pk)
    check_officer(by, cycle.prefecture)
    to = label_cycle_check(cycle=cycle, to=to, on=on, note=note)
    previous = cycle.status
    if previous != C.SUSPENDED and to in (C.AWARDED, C.RENEWED):
        cycle.awarded_on, cycle.expires_on = on, expiry(on)
    if to in NEEDS_REASON:
        cycle.reason = note.strip()
    elif previous == C.SUSPENDED:
        cycle.reason = ""
    step = CycleStep(cycle=cycle, from_status=previous, to_status=to, on=on, by=by, note=note)
    _attach(step, "document", document)
    if to in (C.AWARDED, C.RENEWED) and document is not None:
        _attach(cycle, "certificate", document)
    cycle.status = to
    cycle.save()
    step.save()
    if cycle.holds_label or previous in HOLDING_STATUSES | {C.SUSPENDED}:
        _record_on_prefecture(cycle)
    return cycle


def _record_on_prefecture(cycle):
    """The prefecture's label as its public pages show it, following the cycle (one place for a label's state)."""
    prefecture_record_label(
        prefecture_id=cycle.prefecture_id,
        label=cycle.label if cycle.holds_label else Label.NONE,
        awarded_on=cycle.awarded_on if cycle.holds_label else None,
        certifying_body=cycle.certifying_body,
    )
