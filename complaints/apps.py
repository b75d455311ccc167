from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints and suggestions")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from . import checks  # noqa: F401  (registers the e-mail intake's and FranceConnect's system checks)
        from .franceconnect import drop_citizen
        from .topics import connect

        connect()
        user_logged_in.connect(drop_citizen, dispatch_uid="complaints.franceconnect.drop_citizen")
