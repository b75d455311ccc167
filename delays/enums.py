from django.db import models
from django.utils.translation import gettext_lazy as _


class TitleCategory(models.TextChoices):
    RESIDENCE = "residence", _("Residence of foreign nationals")
    NATIONALITY = "nationality", _("French nationality")
    DRIVING_LICENCE = "driving_licence", _("Driving licences")
    VEHICLE = "vehicle", _("Vehicle registration")
    TRAVEL = "travel", _("Travel documents")
    OTHER = "other", _("Other titles")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Being checked")
    AWAITING_REVIEW = "awaiting_review", _("Awaiting the officer's decision")
    ACCEPTED = "accepted", _("Imported")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    FAILED = "failed", _("Failed")


# An import in one of these states holds its file's hash: the same file cannot come in twice.
HASH_HOLDING_STATUSES = (ImportStatus.QUEUED, ImportStatus.AWAITING_REVIEW, ImportStatus.ACCEPTED)


class ImportSource(models.TextChoices):
    ADMIN = "admin", _("Upload in the administration")
    COMMAND = "command", _("Command line")
    DEMO = "demo", _("Demo data")


class BadRowReason(models.TextChoices):
    FIELD_COUNT = "field_count", _("Wrong number of fields")
    MISSING_VALUE = "missing_value", _("Missing value")
    OTHER_PREFECTURE = "other_prefecture", _("Other prefecture")
    UNKNOWN_TITLE = "unknown_title", _("Unknown title code")
    UNKNOWN_SITE = "unknown_site", _("Unknown site")
    BAD_FILED_DATE = "bad_filed_date", _("Bad filing date")
    BAD_DELIVERED_DATE = "bad_delivered_date", _("Bad delivery date")
    DELIVERED_BEFORE_FILED = "delivered_before_filed", _("Delivered before filed")
    DELIVERED_IN_FUTURE = "delivered_in_future", _("Delivered in the future")
    DELAY_TOO_LONG = "delay_too_long", _("More than ten years between filing and delivery")


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", _("Not published yet")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Unpublished")


class PublicationAction(models.TextChoices):
    PUBLISHED = "published", _("Published")
    UNPUBLISHED = "unpublished", _("Unpublished")
    FIGURES_UPDATED = "figures_updated", _("Figures updated by an import")
