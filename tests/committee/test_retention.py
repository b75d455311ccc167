"""Retention reaches the committee: an agenda item made from a suggestion loses the subject it copied."""

import datetime

import pytest
from django.utils import timezone

from committee.models import AgendaItem
from committee.services import agenda_add_suggestions
from complaints.enums import Kind, Status
from complaints.models import Case, Transition
from complaints.retention import cases_anonymise
from tests.complaints.factories import CaseFactory

from .factories import AgendaItemFactory, MeetingFactory

pytestmark = pytest.mark.django_db

SUBJECT = "Accueil de Mme Hoarau au guichet"


def forwarded_suggestion(prefecture, *, last_change):
    case = CaseFactory(
        prefecture=prefecture,
        kind=Kind.SUGGESTION,
        status=Status.FORWARDED_TO_COMMITTEE,
        subject=SUBJECT,
        created_at=last_change - datetime.timedelta(days=30),
    )
    Transition.objects.create(
        case=case, from_status=Status.UNDER_REVIEW, to_status=Status.FORWARDED_TO_COMMITTEE, at=last_change
    )
    return case


def test_agenda_items_keep_the_reference_not_the_subject_of_an_anonymised_suggestion(committee):
    now = timezone.now()
    old = forwarded_suggestion(committee.prefecture, last_change=now - datetime.timedelta(days=3 * 365))
    recent = forwarded_suggestion(committee.prefecture, last_change=now - datetime.timedelta(days=10))
    meeting = MeetingFactory(committee=committee)
    items = {item.case_id: item for item in agenda_add_suggestions(meeting=meeting)}
    assert SUBJECT in items[old.pk].title and SUBJECT in items[recent.pk].title
    other_item = AgendaItemFactory(meeting=meeting, title="Point divers : horaires d'été")
    item = items[old.pk]
    item.presenter = "Le secrétariat"
    item.save()  # a second history row

    assert cases_anonymise() == 1

    item.refresh_from_db()
    assert item.title == f"Suggestion {old.reference}\u00a0: [anonymisé]"
    assert item.history.count() == 2
    assert not item.history.filter(title__contains=SUBJECT).exists()
    assert AgendaItem.objects.get(pk=items[recent.pk].pk).title == items[recent.pk].title
    assert AgendaItem.objects.get(pk=other_item.pk).title == "Point divers : horaires d'été"


def test_items_of_suggestions_anonymised_before_are_cleared_by_a_migration(committee):
    """Retention did not reach the agenda before: the migration clears what it left behind."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("committee.migrations.0002_agenda_items_of_anonymised_cases")
    now = timezone.now()
    old = forwarded_suggestion(committee.prefecture, last_change=now - datetime.timedelta(days=3 * 365))
    kept = forwarded_suggestion(committee.prefecture, last_change=now - datetime.timedelta(days=10))
    items = {item.case_id: item for item in agenda_add_suggestions(meeting=MeetingFactory(committee=committee))}
    Case.objects.filter(pk=old.pk).update(anonymised_at=now, subject="[anonymisé]")  # as retention used to leave it

    migration.anonymise(apps, None)

    assert AgendaItem.objects.get(pk=items[old.pk].pk).title == f"Suggestion {old.reference}\u00a0: [anonymisé]"
    assert not AgendaItem.history.filter(title__contains=SUBJECT, case_id=old.pk).exists()
    assert AgendaItem.objects.get(pk=items[kept.pk].pk).title == items[kept.pk].title
