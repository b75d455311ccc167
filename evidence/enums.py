from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    PROCEDURE = "procedure", _("Procedure")
    POSTER = "poster", _("Poster")
    PHOTO = "photo", _("Photo")
    TRAINING = "training", _("Training record")
    SIGNAGE = "signage", _("Signage")
    OTHER = "other", _("Other document")


class ReminderKind(models.TextChoices):
    LAPSING = "lapsing", _("Lapsing soon")
    LAPSED = "lapsed", _("Lapsed")


class Validity(models.TextChoices):
    """Where a document's validity stands on a given day (the admin list's filter and column)."""

    LAPSED = "lapsed", _("Lapsed")
    LAPSING = "lapsing", _("Lapsing soon")
    VALID = "valid", _("Valid")
    OPEN_ENDED = "open_ended", _("No end date")
