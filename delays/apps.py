from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DelaysConfig(AppConfig):
    name = "delays"
    verbose_name = _("Delivery delays")

    def ready(self):
        from . import signals  # noqa: F401  (clears the public pages when a prefecture or a title type changes)
