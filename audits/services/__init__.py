"""Writes of the audit cycle: keyword-only functions, one transaction each, checking who may do what
(``audits.perms``) whoever calls them."""

from .audits import audit_check, audit_sample, audit_save, audit_sign, audit_transition, canonical_json, sha256_of
from .cycles import label_cycle_apply, label_cycle_check, label_cycle_transition, label_cycle_update
from .findings import (
    finding_accept_closure,
    finding_answer,
    finding_check,
    finding_record,
    finding_refuse_closure,
    finding_request_closure,
)
from .selfassessments import (
    LineConflict,
    self_assessment_discard,
    self_assessment_line_save,
    self_assessment_start,
    self_assessment_submit,
)

__all__ = [
    "LineConflict",
    "audit_check",
    "audit_sample",
    "audit_save",
    "audit_sign",
    "audit_transition",
    "canonical_json",
    "finding_accept_closure",
    "finding_answer",
    "finding_check",
    "finding_record",
    "finding_refuse_closure",
    "finding_request_closure",
    "label_cycle_apply",
    "label_cycle_check",
    "label_cycle_transition",
    "label_cycle_update",
    "self_assessment_discard",
    "self_assessment_line_save",
    "self_assessment_start",
    "self_assessment_submit",
    "sha256_of",
]
