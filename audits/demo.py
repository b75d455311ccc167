"""Demo data of the audit cycle: La Réunion's Qualipref label applied for, audited, awarded, watched by two
surveillance audits, renewed; then this year's surveillance audit with two non-conformities answered by corrective
actions, the report signed, one closed by the auditor. Every step goes through the services, as a user's would.

Idempotent: once La Réunion has a cycle, nothing is added (its label is recorded on the prefecture again, which
the core's demo loader resets).
"""

import datetime
import io

import pikepdf
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from committee.enums import ActionStatus
from committee.services import action_transition
from complaints.models import Case
from engagements.models import Engagement
from qualipref.dates import add_months
from qualipref.enums import Label
from qualipref.models import Prefecture, Site, User
from qualipref.uploads import validate_upload

from .enums import AuditKind, AuditStatus, CycleStatus, FindingKind
from .models import Audit, LabelCycle
from .services import (
    audit_save,
    audit_sign,
    audit_transition,
    finding_accept_closure,
    finding_answer,
    finding_record,
    finding_request_closure,
    label_cycle_apply,
    label_cycle_transition,
)
from .services.cycles import _record_on_prefecture

AUDITOR = "auditeur@example.org"
OFFICER = "qualite.974@example.org"


def _certificate(name):
    """A one-page PDF, checked as any upload is."""
    output = io.BytesIO()
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.docinfo["/Title"] = name
        pdf.save(output, deterministic_id=True)
    return validate_upload(SimpleUploadedFile(f"{name}.pdf", output.getvalue(), content_type="application/pdf"))


def _audit(cycle, kind, start, auditor, sites, cases=()):
    audit = Audit(cycle=cycle, kind=kind, starts_on=start, ends_on=start, auditor=auditor)
    audit = audit_save(audit=audit, sites=sites, sampled_cases=cases)
    audit_transition(audit=audit, to=AuditStatus.IN_PROGRESS)
    return audit


@transaction.atomic
def load_audits():
    reunion = Prefecture.objects.filter(department_code="974").first()
    auditor = User.objects.filter(email=AUDITOR).first()
    officer = User.objects.filter(email=OFFICER).first()
    if reunion is None or auditor is None:
        return None
    existing = LabelCycle.objects.filter(prefecture=reunion).current().first()
    if existing is not None:
        if existing.holds_label:
            _record_on_prefecture(existing)
        return existing
    today = reunion.today()
    sites = list(Site.objects.filter(prefecture=reunion).order_by("kind", "name")[:2])
    engagements = {e.code: e for e in Engagement.objects.active()}
    cycle = label_cycle_apply(
        prefecture=reunion,
        label=Label.QUALIPREF,
        applied_on=add_months(today, -52),
        certifying_body="AFNOR Certification",
        note="Dossier de candidature déposé auprès de l’organisme certificateur.",
    )
    label_cycle_transition(cycle=cycle, to=CycleStatus.INITIAL_AUDIT, on=add_months(today, -50))
    audit_sign(audit=_audit(cycle, AuditKind.INITIAL, add_months(today, -50), auditor, sites), by=auditor)
    label_cycle_transition(
        cycle=cycle,
        to=CycleStatus.AWARDED,
        on=add_months(today, -48),
        document=_certificate("certificat-qualipref-attribution"),
        note="Label attribué par le comité de labellisation.",
    )
    for months in (-36, -24):
        audit_sign(audit=_audit(cycle, AuditKind.SURVEILLANCE, add_months(today, months), auditor, sites), by=auditor)
    label_cycle_transition(cycle=cycle, to=CycleStatus.RENEWAL_AUDIT, on=add_months(today, -13))
    audit_sign(audit=_audit(cycle, AuditKind.RENEWAL, add_months(today, -13), auditor, sites), by=auditor)
    label_cycle_transition(
        cycle=cycle,
        to=CycleStatus.RENEWED,
        on=add_months(today, -12),
        document=_certificate("certificat-qualipref-renouvellement"),
        note="Label renouvelé pour trois ans.",
    )

    # This year's surveillance audit: two non-conformities, answered, the report signed, one closed.
    cases = list(Case.objects.filter(prefecture=reunion).order_by("pk")[:3])
    audit = _audit(cycle, AuditKind.SURVEILLANCE, add_months(today, -1), auditor, sites, cases)
    late = finding_record(
        audit=audit,
        by=auditor,
        kind=FindingKind.MINOR,
        engagement=engagements["COURRIERS-15J"],
        statement="Deux courriers de l’échantillon ont reçu leur réponse au-delà de quinze jours ouvrés.",
        action_due_on=add_months(today, 1),
        case=cases[0] if cases else None,
    )
    signage = finding_record(
        audit=audit,
        by=auditor,
        kind=FindingKind.MAJOR,
        engagement=engagements["ATTENTE-GUICHET"],
        statement="Le temps d’attente affiché à l’accueil de la sous-préfecture n’est pas mis à jour.",
        action_due_on=add_months(today, 2),
        site=sites[-1] if sites else None,
    )
    audit_sign(audit=audit, by=auditor)
    late = finding_answer(finding=late, by=officer, title="Relance automatique des courriers à J+10")
    action_transition(action=late.corrective_action, to=ActionStatus.IN_PROGRESS, by=officer)
    action_transition(
        action=late.corrective_action,
        to=ActionStatus.DONE,
        by=officer,
        outcome="Plus aucun courrier au-delà de quinze jours ouvrés sur le dernier mois.",
    )
    finding_request_closure(finding=late, by=officer, note="Action réalisée, résultats du dernier mois joints.")
    finding_accept_closure(finding=late, by=auditor, note="Action efficace : écart levé.")
    finding_answer(finding=signage, by=officer, title="Affichage dynamique du temps d’attente")
    return LabelCycle.objects.get(pk=cycle.pk)


GIRONDE_AWARDED_ON = datetime.date(2025, 3, 10)


@transaction.atomic
def load_network_cycles():
    """Gironde's Marianne label covers its prefecture and one sous-préfecture only: the network page names the
    sites a per-site label covers. Idempotent (a current cycle is kept)."""
    gironde = Prefecture.objects.filter(department_code="33").first()
    if gironde is None:
        return None
    existing = LabelCycle.objects.filter(prefecture=gironde).current().first()
    if existing is not None:
        return existing
    sites = list(Site.objects.filter(prefecture=gironde).order_by("kind", "name")[:2])
    cycle = label_cycle_apply(
        prefecture=gironde,
        label=Label.MARIANNE,
        applied_on=GIRONDE_AWARDED_ON - datetime.timedelta(days=98),
        sites=sites,
        certifying_body="Bureau Veritas Certification",
        note="Candidature pour l’accueil de deux de ses trois sites.",
    )
    label_cycle_transition(
        cycle=cycle, to=CycleStatus.INITIAL_AUDIT, on=GIRONDE_AWARDED_ON - datetime.timedelta(days=35)
    )
    return label_cycle_transition(
        cycle=cycle,
        to=CycleStatus.AWARDED,
        on=GIRONDE_AWARDED_ON,
        note="Label attribué pour les sites audités.",
    )
