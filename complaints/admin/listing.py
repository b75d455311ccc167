"""What keeps the case list fast at 200,000 cases: filters that read small tables, a paginator that
never counts a big table in full, and a date drill-down that does not scan the cases."""

import calendar
import datetime
import json

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.db import connections
from django.utils import formats, timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from qualipref.dates import format_date
from qualipref.models import Prefecture
from qualipref.scoping import scope_queryset

from ..enums import Status
from ..models import CaseSequence


def single_prefecture(user):
    """The one prefecture ``user`` works for, or None if they work for several (or none)."""
    ids = user.prefecture_ids
    if len(ids) != 1:
        return None
    return Prefecture.objects.filter(pk=next(iter(ids))).first()


def due_badge(case, today=None):
    """The due date, with "Overdue" in words and in red (never colour alone), or "on hold"."""
    when = date_format(case.due_on, "SHORT_DATE_FORMAT")
    if case.is_overdue(today):
        return format_html('{} <strong class="qp-badge qp-badge--error">{}</strong>', when, gettext("Overdue"))
    if case.status == Status.WAITING_CITIZEN:
        return format_html('{} <span class="qp-badge qp-badge--info">{}</span>', when, gettext("Clock stopped"))
    return when


class DueBadges:
    """``due_badge`` for the cases of one page: each prefecture's today, and each badge (a date in one of its three
    states), worked out once rather than for each row."""

    def __init__(self):
        self.todays, self.badges = {}, {}

    def __call__(self, case):
        today = self.todays.get(case.prefecture_id)
        if today is None:
            today = self.todays[case.prefecture_id] = case.prefecture.today()
        # The two questions due_badge asks, in its order: the badge depends on the date and their answers only.
        overdue = case.is_overdue(today)
        key = (case.due_on, overdue, not overdue and case.status == Status.WAITING_CITIZEN)
        badge = self.badges.get(key)
        if badge is None:
            badge = self.badges[key] = due_badge(case, today)
        return badge


class OverdueFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.overdue()
        return queryset


class AssigneeFilter(admin.SimpleListFilter):
    title = _("assigned to")
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [("me", _("Assigned to me")), ("nobody", _("Not assigned"))]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.assigned_to(request.user)
        if self.value() == "nobody":
            return queryset.filter(assignee__isnull=True)
        return queryset


class ScopedRelatedFilter(admin.RelatedFieldListFilter):
    """The user's prefectures' services (or sites), read from their own small table.

    Django's ``RelatedOnlyFieldListFilter`` would look for the values present among the cases: a
    ``SELECT DISTINCT`` over every case of the prefecture on each page of the list.
    """

    ordering = ("name",)

    def field_choices(self, field, request, model_admin):
        related = scope_queryset(field.related_model._default_manager.all(), request.user)
        return [(obj.pk, str(obj)) for obj in related.order_by(*self.ordering)]


class TopicFilter(ScopedRelatedFilter):
    """The user's prefectures' topics, archived ones included (their cases are still listed), in the form's order."""

    ordering = ("prefecture__department_code", "position", "name")


def planner_estimate(queryset):
    """PostgreSQL's estimate of how many rows ``queryset`` returns (``EXPLAIN``: no row is read), or None."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class CappedCountPaginator(Paginator):
    """Counts exactly up to ``exact_up_to`` rows, with a ``LIMIT`` subquery that stops there.

    Past it, the count shown (and the number of pages) is PostgreSQL's planner estimate for the
    same query, or the cap itself on other databases; ``is_estimate`` tells the template to say
    "about". Nobody pages through 10,000 cases: they filter or search.
    """

    exact_up_to = 10_000

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_estimate = False

    @cached_property
    def count(self):
        queryset = self.object_list
        counted = queryset.order_by()[: self.exact_up_to + 1].count()
        if counted <= self.exact_up_to:
            return counted
        self.is_estimate = True
        return max(counted, planner_estimate(queryset) or 0)


class CaseChangeList(ChangeList):
    """The case list, with a date drill-down that costs one small query instead of scans of the cases.

    Django's ``date_hierarchy`` tag reads ``MIN``/``MAX`` and the distinct years, months or days of
    the filtered cases. Here the years come from the reference sequences (one row per prefecture
    and year that received a case, by date of receipt) and the months and days from the calendar.
    """

    def __init__(self, request, *args, **kwargs):
        self.request = request
        super().__init__(request, *args, **kwargs)

    def get_results(self, request):
        super().get_results(request)
        # The page's rows, read here, each with its due badge (CaseAdmin.due shows it).
        badges = DueBadges()
        for case in self.result_list:
            case.list_due_badge = badges(case)

    def _years(self):
        user = self.request.user
        sequences = CaseSequence.objects.all()
        if not user.sees_all_prefectures:
            sequences = sequences.filter(prefecture_id__in=user.prefecture_ids)
        years = set(sequences.values_list("year", flat=True).distinct())
        # Today in the zone the page is shown in: the prefecture's own when the user works for one (or for several
        # of one zone), as qualipref.timezones activated it; no query of the prefecture for it.
        years.add(timezone.localdate().year)
        return sorted(years)

    @cached_property
    def date_drilldown(self):
        field = self.date_hierarchy
        year_field, month_field, day_field = f"{field}__year", f"{field}__month", f"{field}__day"
        try:
            year = int(self.params.get(year_field) or 0)
            month = int(self.params.get(month_field) or 0)
            day = int(self.params.get(day_field) or 0)
        except (TypeError, ValueError):
            return {"show": False}

        def link(filters):
            return self.get_query_string(filters, [f"{field}__"])

        if year and month and day:
            date = datetime.date(year, month, day)
            return {
                "show": True,
                "back": {
                    "link": link({year_field: year, month_field: month}),
                    "title": capfirst(formats.date_format(date, "YEAR_MONTH_FORMAT")),
                },
                "choices": [{"title": capfirst(format_date(date, "MONTH_DAY_FORMAT"))}],
            }
        if year and month:
            days = calendar.monthrange(year, month)[1]
            return {
                "show": True,
                "back": {"link": link({year_field: year}), "title": str(year)},
                "choices": [
                    {
                        "link": link({year_field: year, month_field: month, day_field: d}),
                        "title": capfirst(format_date(datetime.date(year, month, d), "MONTH_DAY_FORMAT")),
                    }
                    for d in range(1, days + 1)
                ],
            }
        if year:
            return {
                "show": True,
                "back": {"link": link({}), "title": _("All dates")},
                "choices": [
                    {
                        "link": link({year_field: year, month_field: m}),
                        "title": capfirst(formats.date_format(datetime.date(year, m, 1), "YEAR_MONTH_FORMAT")),
                    }
                    for m in range(1, 13)
                ],
            }
        return {
            "show": True,
            "back": None,
            "choices": [{"link": link({year_field: y}), "title": str(y)} for y in self._years()],
        }
