from django.db import models
from django.utils.translation import gettext_lazy as _


class Label(models.TextChoices):
    QUALIPREF = "qualipref", _("Qualipref")
    MARIANNE = "marianne", _("Marianne")
    NONE = "none", _("No label")


class Role(models.TextChoices):
    NATIONAL_COORDINATOR = "national_coordinator", _("National coordinator")
    QUALITY_OFFICER = "quality_officer", _("Quality officer")
    SERVICE_AGENT = "service_agent", _("Service agent")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")
    AUDITOR = "auditor", _("Auditor")


# Roles that work in the Django admin; committee members have their own space.
STAFF_ROLES = frozenset({Role.NATIONAL_COORDINATOR, Role.QUALITY_OFFICER, Role.SERVICE_AGENT, Role.AUDITOR})


class SiteKind(models.TextChoices):
    PREFECTURE = "prefecture", _("Prefecture")
    SUB_PREFECTURE = "sub_prefecture", _("Sub-prefecture")
    OTHER = "other", _("Other reception point")


# Accessibility conformity as measured (RGAA audit, see the accessibility statement):
# django-dsfr's values are FULL, PART and NOT.
ACCESSIBILITY_STATUS = "PART"
