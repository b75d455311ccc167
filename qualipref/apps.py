from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualiprefConfig(AppConfig):
    name = "qualipref"
    verbose_name = _("Quality label")
