from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# django-dsfr marks optional fields with this msgid; our catalogue gives its French form.
gettext_noop("(Optional)")


class QualiprefConfig(AppConfig):
    name = "qualipref"
    verbose_name = _("Quality label")

    def ready(self):
        from . import checks  # noqa: F401  (registers the portal's system checks)
        from .admin import guard_every_model_admin

        # Every app's admin is loaded by now (django.contrib.admin comes first in INSTALLED_APPS and discovers them).
        guard_every_model_admin()
