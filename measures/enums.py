from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    CALLS = "calls", _("Calls (telephony export)")
    TICKETS = "tickets", _("Counter tickets (queue-management export)")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Being checked")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# An import in one of these states holds its file's hash: the same file cannot come in twice.
HASH_HOLDING_STATUSES = (ImportStatus.QUEUED, ImportStatus.DONE)


class CallOutcome(models.TextChoices):
    ANSWERED = "answered", _("Answered")
    LOST = "lost", _("Lost (not answered)")
    ABANDONED = "abandoned", _("Abandoned by the caller")


class BadLineReason(models.TextChoices):
    FIELD_COUNT = "field_count", _("Wrong number of fields")
    MISSING_VALUE = "missing_value", _("Missing value")
    UNKNOWN_SITE = "unknown_site", _("Unknown site")
    BAD_DATETIME = "bad_datetime", _("Not a date and time")
    IN_FUTURE = "in_future", _("A date still to come")
    BAD_RING_TIME = "bad_ring_time", _("Bad ring time")
    UNKNOWN_OUTCOME = "unknown_outcome", _("Unknown outcome")
    CALLED_BEFORE_ARRIVAL = "called_before_arrival", _("Called before arrival")
    WAIT_TOO_LONG = "wait_too_long", _("Waited more than twelve hours")
    ENDED_BEFORE_CALL = "ended_before_call", _("Ended before being called")
    DUPLICATE = "duplicate", _("Already imported")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    COUNTER = "counter", _("Counter")
    EMAIL = "email", _("E-mail")
    WEB = "web", _("Website")


class CriterionResult(models.TextChoices):
    MET = "met", _("Met")
    NOT_MET = "not_met", _("Not met")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")
