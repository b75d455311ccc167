from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DelaysConfig(AppConfig):
    name = "delays"
    verbose_name = _("Delivery delays")
