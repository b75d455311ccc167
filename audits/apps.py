from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = _("Label audits")

    def ready(self):
        from committee.origins import register_origin

        # An improvement action raised by an audit finding shows it among its origins (``committee.origins``).
        register_origin("audit_findings", "admin:audits_finding_change", public_label=_("an audit of the label"))
