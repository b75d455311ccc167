from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Comparator(models.TextChoices):
    AT_LEAST = "gte", _("at least")
    AT_MOST = "lte", _("at most")


class Unit(models.TextChoices):
    PERCENT = "percent", _("%")
    WORKING_DAYS = "working_days", _("working days")
    SCORE_10 = "score_10", _("out of 10")
    MINUTES = "minutes", pgettext_lazy("unit of time", "minutes")
    COUNT = "count", _("per rolling 12 months")


class Source(models.TextChoices):
    """How an engagement is measured: computed from an app's records, or entered monthly by officers."""

    CASES_ON_TIME = "cases_on_time", _("Complaints answered by their due date (complaints)")
    CASES_WITHIN_DAYS = "cases_within_days", _("Cases of a channel answered within N working days (complaints)")
    CASES_MEAN_DAYS = "cases_mean_days", _("Mean answer time in working days (complaints)")
    ANSWER_SATISFACTION = "answer_satisfaction", _("Citizens satisfied with the answer, 4 or 5 out of 5 (complaints)")
    SURVEYS_PUBLISHED = "surveys_published", _("Surveys run with their results published (surveys)")
    SURVEY_SATISFACTION = "survey_satisfaction", _("Satisfaction in the published surveys, 4 or 5 out of 5 (surveys)")
    COMMITTEE_MEETINGS = "committee_meetings", _("Committee meetings held (committee)")
    ACTIONS_DONE = "actions_done", _("Improvement actions due and done (committee)")
    DELAYS_PUBLISHED = "delays_published", _("Monthly delays published for each title (delays)")
    RESULTS_PUBLISHED = "results_published", _("Engagements with a published result (this portal)")
    MANUAL = "manual", _("Entered monthly by the officers, with evidence")
    CALLS_ANSWERED = "calls_answered", _("Calls answered within five rings (imported calls, else entered monthly)")
    CALLS_LOST = "calls_lost", _("Lost calls (imported calls, else entered monthly)")
    COUNTER_WAIT = "counter_wait", _("Mean wait at the counter in minutes (imported tickets, else entered monthly)")
    MYSTERY_SCORE = "mystery_score", _("Mystery-shopper score out of 10 (visits' grids, else entered monthly)")


# The sources an officer may enter a monthly figure for (with its evidence): the manual ones, and the measured ones
# for a month without imported data.
ENTERED_SOURCES = (
    Source.MANUAL,
    Source.CALLS_ANSWERED,
    Source.CALLS_LOST,
    Source.COUNTER_WAIT,
    Source.MYSTERY_SCORE,
)


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")
