"""The daily reminder digest: each assignee gets one e-mail with their overdue cases and those due soon.

"Today" is each prefecture's own (La Réunion is ahead of Paris, the Antilles behind) and "soon"
counts working days with the prefecture's calendar: in La Réunion on Wednesday 18 December
2024, a case due on Tuesday the 24th is due in three working days (20 December and the
weekend are off). Cases waiting for the citizen are left out: their clock is stopped.

The quality officers' digest also lists their prefecture's open cases that nobody has yet: no routing rule gave
them a service (``complaints.routing``) and nobody took them. Until an officer sorts them, nobody else sees them.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse

from qualipref.calendar import add_working_days, is_working_day, working_days_between
from qualipref.enums import Role
from qualipref.links import absolute_url
from qualipref.mail import email_queue
from qualipref.models import Membership, Prefecture, User

from .enums import Status
from .models import Case, DigestLog

DUE_SOON_WORKING_DAYS = 3
# Lines listed per group; the counts always give the whole, the admin list the rest.
MAX_LINES = 50


def deadline_windows(prefectures):
    """``{(today, due_soon_until): [prefecture ids]}`` for the prefectures where today is a working day.

    Nobody is reminded on a weekend or a public holiday of their prefecture. Prefectures on
    the same day with the same calendar share one entry, so the SQL condition built from it
    has a handful of terms, not one per prefecture.
    """
    windows = defaultdict(list)
    for prefecture in prefectures:
        today = prefecture.today()
        if not is_working_day(today, prefecture):
            continue
        windows[(today, add_working_days(today, DUE_SOON_WORKING_DAYS, prefecture))].append(prefecture.pk)
    return dict(windows)


def _any(conditions):
    return reduce(or_, conditions)


def overdue_condition(windows):
    return _any(Q(prefecture_id__in=ids, due_on__lt=today) for (today, _until), ids in windows.items())


def attention_cases(windows):
    """Open cases overdue or due within ``DUE_SOON_WORKING_DAYS`` working days, each in its prefecture's day.

    Cases waiting for the citizen are excluded, as in ``CaseQuerySet.overdue``.
    """
    if not windows:
        return Case.objects.none()
    due_by = _any(Q(prefecture_id__in=ids, due_on__lte=until) for (_today, until), ids in windows.items())
    return Case.objects.open().exclude(status=Status.WAITING_CITIZEN).filter(due_by)


def unrouted_cases(prefecture_ids):
    """Open cases of ``prefecture_ids`` that nobody has: no service (no routing rule matched, the citizen did not
    know it) and no assignee. Their prefecture's quality officers are reminded of them until they sort them."""
    return Case.objects.open().filter(prefecture_id__in=prefecture_ids, service__isnull=True, assignee__isnull=True)


def _working_today(windows):
    return [pk for ids in windows.values() for pk in ids]


def digest_recipients():
    """Ids of the active assignees with at least one case to be reminded of today, and of the quality officers of
    the prefectures with unrouted cases (three queries)."""
    windows = deadline_windows(Prefecture.objects.only("pk", "time_zone", "holiday_subdivision"))
    assignees = (
        attention_cases(windows)
        .filter(assignee__is_active=True)
        .exclude(assignee__email="")
        .order_by("assignee_id")  # also drops the default ordering, which would defeat DISTINCT
        .values_list("assignee_id", flat=True)
        .distinct()
    )
    officers = (
        Membership.objects.filter(
            role=Role.QUALITY_OFFICER,
            prefecture_id__in=unrouted_cases(_working_today(windows)).values("prefecture_id"),
            user__is_active=True,
            user__is_staff=True,
        )
        .exclude(user__email="")
        .order_by()
        .values_list("user_id", flat=True)
        .distinct()
    )
    return sorted(set(assignees) | set(officers))


@dataclass(frozen=True)
class DigestLine:
    reference: str
    subject: str
    prefecture: str
    service: str
    status: str
    due_on: datetime.date
    working_days: int  # late by (overdue) or left (due soon)
    url: str


@dataclass(frozen=True)
class UnroutedLine:
    reference: str
    subject: str
    prefecture: str
    received_on: datetime.date
    url: str


def _admin_url(case_id):
    return absolute_url(reverse("admin:complaints_case_change", args=[case_id]))


def _lines(cases, windows, *, overdue):
    today_of = {pk: today for (today, _until), ids in windows.items() for pk in ids}
    lines = []
    for case in cases.select_related("prefecture", "service").order_by("due_on", "reference")[:MAX_LINES]:
        today = today_of[case.prefecture_id]
        start, end = (case.due_on, today) if overdue else (today, case.due_on)
        lines.append(
            DigestLine(
                reference=case.reference,
                subject=case.subject,
                prefecture=case.prefecture.name,
                service=case.service.name if case.service else "",
                status=case.get_status_display(),
                due_on=case.due_on,
                working_days=working_days_between(start, end, case.prefecture),
                url=_admin_url(case.pk),
            )
        )
    return lines


def _unrouted_lines(cases):
    return [
        UnroutedLine(
            reference=case.reference,
            subject=case.subject,
            prefecture=case.prefecture.name,
            received_on=case.received_on,
            url=_admin_url(case.pk),
        )
        for case in cases.select_related("prefecture").order_by("received_on", "reference")[:MAX_LINES]
    ]


@transaction.atomic
def digest_send(*, user_id, day):
    """Queue ``user_id``'s digest for ``day`` (the day of the run). Returns whether one was queued.

    Safe to run twice: a ``DigestLog`` row per user and day, written with the e-mail, makes a
    second run that day (or a concurrent one) send nothing. Nothing to report, nothing sent. A quality officer's
    digest also lists their prefectures' unrouted cases (``unrouted_cases``).
    """
    user = User.objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is None or DigestLog.objects.filter(user=user, day=day).exists():
        return False
    officer_of = set(
        Membership.objects.filter(user=user, role=Role.QUALITY_OFFICER, prefecture__isnull=False).values_list(
            "prefecture_id", flat=True
        )
    )
    prefectures = list(
        Prefecture.objects.filter(
            Q(pk__in=Case.objects.open().assigned_to(user).values("prefecture_id"))
            | Q(pk__in=unrouted_cases(officer_of).values("prefecture_id"))
        ).order_by("department_code")
    )
    windows = deadline_windows(prefectures)
    if not windows:
        return False
    cases = attention_cases(windows).assigned_to(user)
    late = overdue_condition(windows)
    counts = cases.aggregate(overdue=Count("pk", filter=late), due_soon=Count("pk", filter=~late))
    unrouted = unrouted_cases(officer_of.intersection(_working_today(windows)))
    unrouted_count = unrouted.count() if officer_of else 0
    if not counts["overdue"] and not counts["due_soon"] and not unrouted_count:
        return False
    _log, created = DigestLog.objects.get_or_create(user=user, day=day)
    if not created:
        return False
    email_queue(
        to=user.email,
        template="complaints/emails/digest",
        context={
            "user": user,
            "day": day,
            "overdue": _lines(cases.filter(late), windows, overdue=True),
            "due_soon": _lines(cases.exclude(late), windows, overdue=False),
            "overdue_count": counts["overdue"],
            "due_soon_count": counts["due_soon"],
            "overdue_more": max(0, counts["overdue"] - MAX_LINES),
            "due_soon_more": max(0, counts["due_soon"] - MAX_LINES),
            "unrouted": _unrouted_lines(unrouted) if unrouted_count else [],
            "unrouted_count": unrouted_count,
            "unrouted_more": max(0, unrouted_count - MAX_LINES),
            "due_soon_working_days": DUE_SOON_WORKING_DAYS,
            "several_prefectures": len(prefectures) > 1,
            "case_list_url": absolute_url(reverse("admin:complaints_case_changelist")),
        },
        purpose="digest",
        prefecture=prefectures[0] if len(prefectures) == 1 else None,
    )
    return True
