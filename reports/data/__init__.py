"""What an audit report says, gathered with a fixed number of aggregate queries whatever the volume of data.

``gather(prefecture, period)`` returns a plain dict (numbers, dates, strings): the PDF template only
displays it, the tests and the benchmark read it. Every figure is the same as the portal's elsewhere:
the complaints' figures use the engagements' measures (``engagements.indicators``), the delays their
published monthly statistics, the surveys their published answers. About thirty queries in all, each an
aggregate or a short top-N list; the per-case detail goes to the CSV (``case_rows``), streamed.
"""

from django.utils import timezone

from engagements.indicators import _context

from ..models import previous_period
from .audits import _audits
from .committee import _actions, _committee
from .common import _period_dict
from .complaints import CSV_COLUMNS, _complaints, case_rows
from .delays import _delays
from .engagements import _engagements, materialised
from .measures import _measured_sites
from .surveys import _surveys

__all__ = ["CSV_COLUMNS", "case_rows", "gather", "materialised"]


def gather(prefecture, period, *, today=None):
    """Everything the report of ``prefecture`` for ``period`` shows, compared with the period before."""
    previous = previous_period(period)
    ctx = _context(prefecture, [previous, period], today)
    engagements = _engagements(prefecture, period, previous, ctx.today)
    engagements["measured_sites"] = _measured_sites(prefecture, period)
    return {
        "prefecture": {
            "name": prefecture.name,
            "of_name": prefecture.of_name,  # « de la Gironde », in the report's language
            "department_code": prefecture.department_code,
            "label": prefecture.label,
            "label_display": prefecture.get_label_display(),
            "label_awarded_on": prefecture.label_awarded_on,
            "certifying_body": prefecture.certifying_body,
            "next_audit_on": prefecture.next_audit_on,
            "answer_deadline_working_days": prefecture.answer_deadline_working_days,
        },
        "period": _period_dict(period),
        "previous": _period_dict(previous),
        "today": ctx.today,
        "gathered_at": timezone.now(),
        "engagements": engagements,
        "complaints": _complaints(prefecture, period, previous, ctx, engagements.pop("by_source")),
        "delays": _delays(prefecture, period, previous),
        "surveys": _surveys(prefecture, period, previous),
        "committee": _committee(prefecture, period, ctx),
        "actions": _actions(prefecture, period, ctx.today),
        "audits": _audits(prefecture, period, ctx.today),
    }
