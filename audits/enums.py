from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CycleStatus(models.TextChoices):
    """Where a label's cycle stands: the statuses of ``audits.workflow.CYCLE_WORKFLOW``."""

    APPLIED = "applied", _("Application filed")
    INITIAL_AUDIT = "initial_audit", _("Initial audit")
    AWARDED = "awarded", _("Label awarded")
    RENEWAL_AUDIT = "renewal_audit", _("Renewal audit")
    RENEWED = "renewed", _("Label renewed")
    SUSPENDED = "suspended", _("Label suspended")
    WITHDRAWN = "withdrawn", _("Label withdrawn")


# The statuses in which the prefecture holds the label (a renewal audit does not take it away).
HOLDING_STATUSES = frozenset({CycleStatus.AWARDED, CycleStatus.RENEWAL_AUDIT, CycleStatus.RENEWED})


class AuditKind(models.TextChoices):
    INITIAL = "initial", _("Initial audit")
    SURVEILLANCE = "surveillance", _("Surveillance audit")
    RENEWAL = "renewal", _("Renewal audit")


class AuditStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    SIGNED = "signed", _("Report signed")
    CANCELLED = "cancelled", _("Cancelled")


class FindingKind(models.TextChoices):
    MAJOR = "major", _("Major non-conformity")
    MINOR = "minor", _("Minor non-conformity")
    OBSERVATION = "observation", _("Observation")
    STRONG_POINT = "strong_point", _("Strong point")


NON_CONFORMITIES = frozenset({FindingKind.MAJOR, FindingKind.MINOR})


class FindingStatus(models.TextChoices):
    NOTED = "noted", _("Noted (no action required)")
    OPEN = "open", _("Awaiting a corrective action")
    ACTION_PLANNED = "action_planned", _("Corrective action under way")
    CLOSURE_REQUESTED = "closure_requested", _("Closure requested")
    CLOSED = "closed", _("Closed by the auditor")


OPEN_FINDING_STATUSES = frozenset({FindingStatus.OPEN, FindingStatus.ACTION_PLANNED, FindingStatus.CLOSURE_REQUESTED})


class SelfRating(models.TextChoices):
    """How the prefecture rates itself on one engagement of its self-assessment."""

    MET = "met", pgettext_lazy("self-rating", "Met")
    PARTLY_MET = "partly_met", pgettext_lazy("self-rating", "Partly met")
    NOT_MET = "not_met", pgettext_lazy("self-rating", "Not met")


# A rating's rank, to say whether it went up or down from one campaign to the next.
SELF_RATING_RANK = {SelfRating.NOT_MET: 0, SelfRating.PARTLY_MET: 1, SelfRating.MET: 2}


class RatingTrend(models.TextChoices):
    """A line's rating against the same engagement's in the previous campaign."""

    UP = "up", _("Up")
    DOWN = "down", _("Down")
    SAME = "same", _("Unchanged")
    NEW = "new", _("Not rated before")
