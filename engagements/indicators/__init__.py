"""The indicator engine: each engagement's figure for a prefecture and a period, computed in SQL.

Every measure is a *population* (the records counted in the denominator, a queryset filter) and a
*hit* condition (those counted in the numerator). The figures are filtered aggregates over that
population — one query per engagement, grouped by month, whatever the number of periods asked at once
(the monthly materialisation asks 36 months in the same query, at the cost of one pass over the rows) —
and the drill-down is the same population, so that an auditor sees exactly the records behind a figure.

Definitions (each period is judged in the prefecture's time zone and calendar):

* cases are counted in the period of their *receipt*; rejected cases and suggestions are left out;
  a case transferred to another prefecture counts for the prefecture that owns it now;
* “answered by the due date”: among complaints that are *settled* — answered, or past their due date
  and not waiting for the citizen — the share answered on or before ``due_on`` (which already
  includes the clock stops);
* “answered within N working days” (letters, e-mails): the same with the answer time in working days
  (from receipt, excluded, to the answer's day, included, minus the days on hold) at most N;
* mean answer time: over the answered complaints, in working days (same definition);
* satisfaction with the answer: ratings given in the period, share of 4 and 5;
* survey satisfaction: answers to the published satisfaction questions sent in the period, share of
  4 and 5 (as ``surveys.results``);
* surveys run with results published, and committee meetings held: counted over the twelve months
  ending with the period;
* improvement actions: those due in the period (not abandoned), share done;
* delays published: title types with monthly figures in the period, share published;
* results published: engagements in force with a figure for the period, share;
* per site (cases by their site, survey answers by their distribution point's site): the same aggregates
  narrowed to the site's records, from the same query; the other measures are the prefecture's only;
* local engagements (a prefecture's own) are computed as the national ones; a stricter local target
  judges the figure instead of the national target while it stays the stricter;
* manual measures: the officers' monthly entries (sum of numerators over sum of denominators for a
  share, else the mean of the values).
* calls answered within five rings, lost calls, the counter's mean wait, the mystery-shopper score: from the
  rows ``measures`` imported or recorded (``measured``), the officers' entry for a month without any.
"""

from .common import Figure
from .complaints import AnswerSatisfaction, CasesMeanDays, CasesOnTime
from .engine import (
    MEASURES,
    _context,
    compute,
    compute_period,
    compute_with_sites,
    drilldown,
    local_targets_in_force,
    versions_in_force,
)

__all__ = [
    "MEASURES",
    "AnswerSatisfaction",
    "CasesMeanDays",
    "CasesOnTime",
    "Figure",
    "_context",
    "compute",
    "compute_period",
    "compute_with_sites",
    "local_targets_in_force",
    "drilldown",
    "versions_in_force",
]
