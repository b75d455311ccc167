"""The history pages of the administration, read by auditors: labels for codes, local dates, people's names."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

NOTHING = "—"


def display_value(field, value):
    """``value`` of ``field`` as the administration shows it: a choice's label, a date in the active time zone,
    « Oui »/« Non », a person's name, « compte supprimé » for an account that no longer exists."""
    if isinstance(value, DeletedObject):
        if value.pk is None:
            return NOTHING
        if value.model is get_user_model():
            return _("deleted account")
        return _("%(type_name)s deleted") % {"type_name": value.model._meta.verbose_name}
    if value is None or value == "":
        return NOTHING
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return value


class AuditTrailContextHelper(HistoricalRecordContextHelper):
    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        field = self.model._meta.get_field(change.field)
        if isinstance(value, list):
            return [display_value(field, item) for item in value]
        return display_value(field, value)
