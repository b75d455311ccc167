"""Publication: an officer publishes a finished month; unpublishing needs a reason and is recorded."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from delays.enums import ImportStatus, PublicationAction, PublicationStatus
from delays.models import MonthPublication
from delays.services import month_publish, month_unpublish
from qualipref.workflow import TransitionRefused
from tests.qualipref.factories import officer_of

from .factories import MonthPublicationFactory, csv_bytes, delays_pairs, deliveries, run_import

pytestmark = pytest.mark.django_db

JANUARY = datetime.date(2026, 1, 1)


@pytest.fixture
def january(reunion, first_permit):
    run_import(reunion, csv_bytes(deliveries(reunion, "TS-PREMIERE", delays_pairs(JANUARY, [10, 20]))))
    return MonthPublication.objects.get(prefecture=reunion, month=JANUARY)


def test_an_import_creates_the_month_unpublished(january):
    assert january.status == PublicationStatus.DRAFT


def test_officer_publishes_a_finished_month_and_it_is_logged(reunion, january):
    officer = officer_of(reunion)
    month_publish(publication=january, by=officer)
    january.refresh_from_db()
    assert january.status == PublicationStatus.PUBLISHED
    assert january.published_by == officer
    assert list(january.events.values_list("action", "by", "from_status", "to_status")) == [
        (PublicationAction.PUBLISHED, officer.pk, PublicationStatus.DRAFT, PublicationStatus.PUBLISHED)
    ]


def test_the_current_month_cannot_be_published(reunion, first_permit):
    # "Today" is 10 March 2026 in these tests: March is not over.
    run_import(reunion, csv_bytes(deliveries(reunion, "TS-PREMIERE", [("2026-03-01", "2026-03-05")])))
    march = MonthPublication.objects.get(month=datetime.date(2026, 3, 1))
    with pytest.raises(ValidationError, match="not over"):
        month_publish(publication=march, by=None)


def test_a_month_without_figures_cannot_be_published(reunion):
    empty = MonthPublicationFactory(prefecture=reunion, month=datetime.date(2025, 6, 1))
    with pytest.raises(ValidationError, match="no figures"):
        month_publish(publication=empty, by=None)


def test_publishing_twice_is_refused(january):
    month_publish(publication=january, by=None)
    with pytest.raises(TransitionRefused, match="already published"):
        month_publish(publication=january, by=None)


def test_unpublishing_needs_a_reason_which_is_recorded(reunion, january):
    officer = officer_of(reunion)
    month_publish(publication=january, by=officer)
    with pytest.raises(ValidationError, match="reason"):
        month_unpublish(publication=january, by=officer, reason="   ")
    month_unpublish(publication=january, by=officer, reason="Erreur de saisie du site de Saint-Pierre")
    january.refresh_from_db()
    assert january.status == PublicationStatus.WITHDRAWN
    event = january.events.first()
    assert (event.action, event.note) == (PublicationAction.UNPUBLISHED, "Erreur de saisie du site de Saint-Pierre")
    assert (event.from_status, event.to_status) == (PublicationStatus.PUBLISHED, PublicationStatus.WITHDRAWN)


def test_an_officer_of_another_prefecture_cannot_publish(other, january):
    with pytest.raises(PermissionDenied):
        month_publish(publication=january, by=officer_of(other))


def test_an_import_changing_a_published_month_waits_for_the_officer(reunion, january):
    month_publish(publication=january, by=None)
    delivery_import = run_import(
        reunion, csv_bytes(deliveries(reunion, "TS-PREMIERE", delays_pairs(JANUARY, [99]))), name="correction.csv"
    )
    assert delivery_import.status == ImportStatus.AWAITING_REVIEW
    assert delivery_import.published_months == ["2026-01"]


def test_publishing_many_months_at_once_clears_the_public_pages_once(
    reunion, django_capture_on_commit_callbacks, monkeypatch
):
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from delays import cache as delays_cache
    from qualipref import pagecache

    rows = []
    for month in range(1, 7):
        rows += deliveries(reunion, "TS-PREMIERE", delays_pairs(datetime.date(2025, month, 1), [10, 20]))
    run_import(reunion, csv_bytes(rows))
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for publication in MonthPublication.objects.filter(prefecture=reunion):
            month_publish(publication=publication, by=None)
    assert MonthPublication.objects.filter(prefecture=reunion, status=PublicationStatus.PUBLISHED).count() == 6
    assert len(callbacks) == 1  # asked by each month, registered once
    bumps = []
    monkeypatch.setattr(pagecache, "generation_bump", bumps.append)
    with CaptureQueriesContext(connection) as queries:
        for callback in callbacks:
            callback()
    assert bumps == [delays_cache.GENERATION] and not queries  # once, and nothing to look up


@pytest.mark.django_db(transaction=True)
def test_a_month_published_while_a_clean_file_is_checked_is_never_changed_without_review(reunion, monkeypatch):
    """The check has read that January is not published and is about to accept the file; the officer publishes
    January at that moment. The publication waits for the import, so that the figures it publishes include it."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL (SQLite serialises writers)")
    from delays import services
    from delays.models import TitleType
    from delays.referential import seed_title_types

    seed_title_types(TitleType)  # an earlier transactional test may have emptied every table, seeded rows too
    run_import(reunion, csv_bytes(deliveries(reunion, "TS-PREMIERE", delays_pairs(JANUARY, [10, 20]))))
    january = MonthPublication.objects.get(prefecture=reunion, month=JANUARY)

    about_to_accept, go_on, outcome = threading.Event(), threading.Event(), {}
    accept = services._accept

    def paused_accept(delivery_import, *, by):
        about_to_accept.set()
        go_on.wait(10)
        accept(delivery_import, by=by)

    monkeypatch.setattr(services, "_accept", paused_accept)

    def check():
        try:
            data = csv_bytes(deliveries(reunion, "TS-PREMIERE", delays_pairs(JANUARY, [99])))
            outcome["import"] = run_import(reunion, data, name="complement.csv")
        finally:
            connection.close()

    def publish():
        try:
            outcome["published"] = month_publish(publication=january, by=None)
        finally:
            connection.close()

    checking = threading.Thread(target=check)
    checking.start()
    assert about_to_accept.wait(30)
    publishing = threading.Thread(target=publish)
    publishing.start()
    publishing.join(1.5)
    assert publishing.is_alive()  # waiting for the import to be counted
    go_on.set()
    checking.join(30)
    publishing.join(30)
    assert outcome["import"].status == ImportStatus.ACCEPTED
    assert outcome["published"].status == PublicationStatus.PUBLISHED
    january.refresh_from_db()
    assert january.published_at >= outcome["import"].decided_at  # published with the file counted


def test_the_migration_to_the_workflow_log_fills_each_events_statuses_and_keeps_the_reason(reunion):
    import importlib

    from django.apps import apps
    from django.utils import timezone

    from delays.models import PublicationEvent

    migration = importlib.import_module("delays.migrations.0010_publication_log_on_the_workflow_kit")
    january = MonthPublicationFactory(prefecture=reunion, month=datetime.date(2025, 1, 1))
    february = MonthPublicationFactory(prefecture=reunion, month=datetime.date(2025, 2, 1))
    start = timezone.now() - datetime.timedelta(days=30)
    history = [
        (january, PublicationAction.PUBLISHED, ""),
        (february, PublicationAction.PUBLISHED, ""),
        (january, PublicationAction.FIGURES_UPDATED, "livraisons.csv"),
        (january, PublicationAction.UNPUBLISHED, "Doublons"),
        (january, PublicationAction.PUBLISHED, ""),
    ]
    for day, (month, action, note) in enumerate(history):
        PublicationEvent.objects.create(
            publication=month, action=action, note=note, at=start + datetime.timedelta(days=day)
        )
    PublicationEvent.objects.update(from_status="", to_status="")  # as the rows were before the migration

    migration.fill_statuses(apps, None)

    rows = PublicationEvent.objects.order_by("at").values_list("publication", "from_status", "to_status", "note")
    D, P, W = PublicationStatus.DRAFT, PublicationStatus.PUBLISHED, PublicationStatus.WITHDRAWN
    assert list(rows) == [
        (january.pk, D, P, ""),
        (february.pk, D, P, ""),
        (january.pk, "", "", "livraisons.csv"),
        (january.pk, P, W, "Doublons"),
        (january.pk, W, P, ""),
    ]
    assert PublicationEvent._meta.get_field("note").column == "reason"  # the reasons stay where they were
