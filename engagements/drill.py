"""What the auditor's list of the records behind a figure shows, per measured model (no personal data)."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from committee.models import ImprovementAction, Meeting
from complaints.models import Case
from delays.models import MonthlyDelay
from measures.models import Call, MysteryVisitLine, Ticket
from surveys.models import Answer, Survey

from .models import ManualMeasure, MonthlyIndicator

# model: (admin URL name of a record or None, [(field, column title), …])
COLUMNS = {
    Case: (
        "admin:complaints_case_change",
        [
            ("reference", _("reference")),
            ("channel", _("channel")),
            ("status", _("status")),
            ("received_on", _("received on")),
            ("due_on", _("answer due on")),
            ("answered_day", _("answered on")),
            ("paused_working_days", _("working days on hold")),
            ("duration", _("answer time (working days)")),
            ("rating", _("rating")),
        ],
    ),
    Answer: (
        None,
        [
            ("question__survey__title", _("survey")),
            ("question__text", _("question")),
            ("value", _("answer")),
            ("submitted_on", _("sent on")),
        ],
    ),
    Survey: (
        "admin:surveys_survey_change",
        [
            ("title", _("survey")),
            ("opens_on", _("opens on")),
            ("closes_on", _("closes on")),
            ("status", _("status")),
            ("results_public", _("results published")),
        ],
    ),
    Meeting: (
        "admin:committee_meeting_change",
        [("title", _("meeting")), ("date", _("date")), ("status", _("status"))],
    ),
    ImprovementAction: (
        "admin:committee_improvementaction_change",
        [("title", _("action")), ("due_on", _("due on")), ("status", _("status")), ("done_on", _("done on"))],
    ),
    MonthlyDelay: (
        None,
        [
            ("title_type__label", _("title type")),
            ("month", _("month")),
            ("count", _("deliveries")),
            ("publication__status", _("publication")),
        ],
    ),
    ManualMeasure: (
        "admin:engagements_manualmeasure_change",
        [
            ("month", _("month")),
            ("numerator", _("numerator")),
            ("denominator", _("denominator")),
            ("value", _("value")),
            ("evidence_name", _("evidence")),
        ],
    ),
    Call: (
        None,
        [
            ("called_at", _("called at")),
            ("site__name", _("site")),
            ("ring_seconds", _("ring time (seconds)")),
            ("outcome", _("outcome")),
        ],
    ),
    Ticket: (
        None,
        [
            ("arrived_at", _("arrived at")),
            ("site__name", _("site")),
            ("called_at", _("called at")),
            ("wait_seconds", _("wait (seconds)")),
        ],
    ),
    MysteryVisitLine: (
        None,
        [
            ("visit__visited_on", _("date of the visit")),
            ("visit__channel", _("channel")),
            ("visit__site__name", _("site")),
            ("criterion__label", _("criterion")),
            ("result", _("result")),
        ],
    ),
    MonthlyIndicator: (
        "admin:engagements_monthlyindicator_change",
        [("engagement__code", _("engagement")), ("month", _("month")), ("value", _("value"))],
    ),
}

SHOWN = 500


def drilldown_table(drilldown):
    """``(columns, rows, total)``: the first ``SHOWN`` records as rows of cells, with a link to each record."""
    url_name, columns = COLUMNS[drilldown.model]
    annotations = drilldown.records.query.annotations
    columns = [
        (field, title)
        for field, title in columns
        if "__" in field or field in annotations or _is_field(drilldown.model, field)
    ]
    fields = [field for field, _title in columns]
    records = drilldown.records.order_by("pk").values("pk", "counted", *fields)
    total = drilldown.records.count()
    rows = []
    for record in records[:SHOWN]:
        url = None
        if url_name:
            try:
                url = reverse(url_name, args=[record["pk"]])
            except NoReverseMatch:
                url = None
        rows.append({"url": url, "counted": record["counted"], "cells": [record[f] for f in fields]})
    return [title for _field, title in columns], rows, total


def _is_field(model, name):
    return any(f.name == name for f in model._meta.get_fields())
