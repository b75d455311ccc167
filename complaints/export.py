"""The case list as a CSV file: the cases an officer's list shows (its filters and search), one line each.

For workload and statistics, not for the citizen's file: no name, address, phone, message nor attachment (the
right of access has its own export, ``complaints/access_export.py``). Streamed line by line through
``qualipref.csvfiles`` (formula injection neutralised, semicolons, byte-order mark), whatever the number of cases.
"""

import zoneinfo

from django.utils import timezone
from django.utils.translation import gettext as _

from qualipref import csvfiles
from qualipref.content_language import page_is_french

from .enums import Channel, Kind, Status

COLUMNS = (
    "reference",
    "kind",
    "channel",
    "topic__name",
    "topic__name_en",
    "status",
    "received_on",
    "due_on",
    "answered_at",
    "closed_at",
    "service__name",
    "site__name",
    "assignee__first_name",
    "assignee__last_name",
    "rating",
    "prefecture__time_zone",
)


def _header():
    return [
        _("Reference"),
        _("Kind"),
        _("Channel"),
        _("What it is about"),
        _("Status"),
        _("Received on"),
        _("Answer due on"),
        _("Answered on"),
        _("Closed on"),
        _("Service"),
        _("Site"),
        _("Assigned to"),
        _("Satisfaction with the answer"),
    ]


def _day(moment, zone):
    """A time stored in UTC as the day it was in the prefecture."""
    return timezone.localtime(moment, zone).date().isoformat() if moment else None


def case_list_lines(queryset):
    """The CSV file of the cases of ``queryset`` (already scoped and filtered), line by line, in its order."""
    # Translated now, in the request's language: the lines are written later, as the response streams.
    labels = {
        field: {value: str(label) for value, label in choices.choices}
        for field, choices in (("kind", Kind), ("channel", Channel), ("status", Status))
    }
    topic_field = "topic__name" if page_is_french() else "topic__name_en"

    def line(row):
        values = dict(zip(COLUMNS, row, strict=True))
        zone = zoneinfo.ZoneInfo(values["prefecture__time_zone"])  # cached by zoneinfo: one object per zone
        assignee = " ".join(filter(None, (values["assignee__first_name"], values["assignee__last_name"])))
        return [
            values["reference"],
            *(str(labels[field].get(values[field], values[field])) for field in ("kind", "channel")),
            values[topic_field] or values["topic__name"],
            str(labels["status"].get(values["status"], values["status"])),
            values["received_on"].isoformat(),
            values["due_on"].isoformat(),
            _day(values["answered_at"], zone),
            _day(values["closed_at"], zone),
            values["service__name"],
            values["site__name"],
            assignee or None,
            values["rating"],
        ]

    rows = queryset.values_list(*COLUMNS).iterator(chunk_size=2000)
    return csvfiles.lines(_header(), (line(row) for row in rows))
