from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Being built")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


# A schedule's report for a period in one of these states is not asked for again.
SCHEDULE_KEEPS = (ReportStatus.PENDING, ReportStatus.RUNNING, ReportStatus.DONE)
