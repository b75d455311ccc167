from django.db import models
from django.utils.translation import gettext_lazy as _


class MemberCategory(models.TextChoices):
    PRIVATE_PERSON = "private_person", _("Private person")
    BUSINESS = "business", _("Business")
    ASSOCIATION = "association", _("Association")
    LOCAL_AUTHORITY = "local_authority", _("Local authority")
    PREFECTURE_STAFF = "prefecture_staff", _("Prefecture staff")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Attendance(models.TextChoices):
    UNKNOWN = "unknown", _("Not recorded")
    PRESENT = "present", _("Present")
    EXCUSED = "excused", _("Excused")
    ABSENT = "absent", _("Absent")


class DocumentKind(models.TextChoices):
    AGENDA = "agenda", _("Meeting document")
    MINUTES = "minutes", _("Minutes")


class Verdict(models.TextChoices):
    FAVOURABLE = "favourable", _("Favourable")
    FAVOURABLE_WITH_RESERVATIONS = "reservations", _("Favourable with reservations")
    UNFAVOURABLE = "unfavourable", _("Unfavourable")
    DEFERRED = "deferred", _("Examination postponed")


class ActionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    ABANDONED = "abandoned", _("Abandoned")


# Actions still to be carried out: only these can be overdue.
OPEN_ACTION_STATUSES = frozenset({ActionStatus.PROPOSED, ActionStatus.PLANNED, ActionStatus.IN_PROGRESS})
