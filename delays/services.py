"""Writes on delivery delays: keyword-only functions, one transaction each.

Import: ``delivery_import_create`` (file checked and hashed) → ``delivery_import_check`` (rows
validated, valid ones stored but not counted yet) → ``delivery_import_accept`` or
``delivery_import_reject`` (the officer's decision on the report), and later
``delivery_import_withdraw``. Publication: ``month_publish``, ``month_unpublish`` (``delays.workflow``).
"""

import logging
import uuid

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qualipref.dates import month_start
from qualipref.scoping import check_works_for

from . import importer
from .cache import clear_public_cache_on_commit
from .csvformat import FileRefused, inspect_file
from .enums import ImportSource, ImportStatus, PublicationAction, PublicationStatus
from .models import DeliveryImport, DeliveryRecord, MonthPublication, PublicationEvent
from .stats import count_import, lock_figures, refresh_statistics
from .workflow import PUBLICATION_WORKFLOW

logger = logging.getLogger(__name__)


class ImportRefused(FileRefused):
    pass


def progress_key(import_id):
    return f"delays:import:{import_id}:progress"


# --- imports ---------------------------------------------------------------------------------------


def already_imported(*, prefecture, sha256):
    return (
        DeliveryImport.objects.holding_hash()
        .filter(prefecture=prefecture, sha256=sha256)
        .select_related("prefecture")
        .first()
    )


def duplicate_message(earlier):
    return _(
        "This file has already been imported for this prefecture (import of %(date)s, %(name)s): "
        "the same deliveries are never counted twice."
    ) % {
        "date": timezone.localtime(earlier.created_at, earlier.prefecture.tzinfo).strftime("%d/%m/%Y %H:%M"),
        "name": earlier.original_name,
    }


def delivery_import_create(*, prefecture, fileobj, name, by=None, source=ImportSource.ADMIN, store_file=True):
    """Check ``fileobj``'s shape and hash and record the import, queued for checking.

    Raises ``ImportRefused`` for an unusable file or one already imported for this prefecture.
    """
    check_works_for(by, prefecture.pk)
    try:
        facts = inspect_file(fileobj)
    except FileRefused as refused:
        raise ImportRefused(refused.message) from refused
    if (earlier := already_imported(prefecture=prefecture, sha256=facts.sha256)) and not _release_if_abandoned(
        earlier
    ):
        raise ImportRefused(duplicate_message(earlier))
    delivery_import = DeliveryImport(
        prefecture=prefecture,
        original_name=name[:255],
        sha256=facts.sha256,
        size_bytes=facts.size,
        encoding=facts.encoding,
        delimiter=facts.delimiter,
        total_rows=facts.data_lines,
        source=source,
        created_by=by,
    )
    if store_file:
        fileobj.seek(0)
        delivery_import.file.save(f"{uuid.uuid4().hex}.csv", File(fileobj), save=False)
    try:
        with transaction.atomic():
            delivery_import.save()
    except IntegrityError as error:  # the same file, uploaded at the same moment
        if store_file:
            delivery_import.file.delete(save=False)
        earlier = already_imported(prefecture=prefecture, sha256=facts.sha256)
        raise ImportRefused(duplicate_message(earlier) if earlier else str(error)) from error
    return delivery_import


def _release_if_abandoned(earlier):
    """Free the hash of a command-line import that died mid-check; True if it was so released.

    Such an import stays queued with no stored file to retry from. A check in progress holds the
    import's row lock (``delivery_import_check``), so an unlocked, file-less queued import is dead.
    """
    if earlier.status != ImportStatus.QUEUED or earlier.file:
        return False
    with transaction.atomic():
        abandoned = (
            DeliveryImport.objects.select_for_update(skip_locked=True)
            .filter(pk=earlier.pk, status=ImportStatus.QUEUED)
            .first()
        )
        if abandoned is None:
            return False
        abandoned.status = ImportStatus.FAILED
        abandoned.message = _("The import was interrupted before its end: nothing of it was counted.")
        abandoned.checked_at = timezone.now()
        abandoned.save(update_fields=["status", "message", "checked_at"])
    return True


def delivery_import_check(*, import_id, fileobj=None, auto_accept=True):
    """Validate every row of a queued import: valid rows are stored (not yet counted), bad ones reported.

    Idempotent: an import that is no longer queued (or is being checked elsewhere) is left alone.
    A clean file that changes no published month is accepted at once when ``auto_accept``;
    otherwise it waits for the officer's decision. Returns the import.
    """
    try:
        with transaction.atomic():
            delivery_import = (
                DeliveryImport.objects.select_for_update(skip_locked=True)
                .select_related("prefecture")
                .filter(pk=import_id, status=ImportStatus.QUEUED)
                .first()
            )
            if delivery_import is None:
                return DeliveryImport.objects.filter(pk=import_id).first()
            _check_rows(delivery_import, fileobj)
            clean = delivery_import.valid_rows and not delivery_import.bad_rows
            if auto_accept and clean and not delivery_import.published_months:
                _accept(delivery_import, by=None)
            return delivery_import
    except FileRefused as refused:
        DeliveryImport.objects.filter(pk=import_id, status=ImportStatus.QUEUED).update(
            status=ImportStatus.FAILED, message=refused.message, checked_at=timezone.now()
        )
        return DeliveryImport.objects.get(pk=import_id)
    finally:
        cache.delete(progress_key(import_id))


def delivery_import_fail(*, import_id, message):
    """Mark a queued import failed (its check stopped on an error, or never came back): nothing of it counts,
    the officer reads why, and the same file may be uploaded again. An import being checked is left alone."""
    with transaction.atomic():
        delivery_import = (
            DeliveryImport.objects.select_for_update(skip_locked=True)
            .filter(pk=import_id, status=ImportStatus.QUEUED)
            .first()
        )
        if delivery_import is None:
            return False
        _delete_records(delivery_import)
        delivery_import.status, delivery_import.message = ImportStatus.FAILED, message
        delivery_import.checked_at = timezone.now()
        delivery_import.save(update_fields=["status", "message", "checked_at"])
    cache.delete(progress_key(import_id))
    return True


def _check_rows(delivery_import, fileobj):
    prefecture = delivery_import.prefecture
    own_file = fileobj is None
    if own_file:
        fileobj = delivery_import.file.open("rb")
    size = delivery_import.size_bytes or 1
    reader = importer.ProgressReader(
        fileobj, lambda done: cache.set(progress_key(delivery_import.pk), min(99, 100 * done // size), 3600)
    )
    try:
        result = importer.check_file(delivery_import=delivery_import, fileobj=reader)
    finally:
        if own_file:
            fileobj.close()
    valid, months = result.valid, result.months
    delivery_import.valid_rows, delivery_import.bad_rows = valid, result.bad
    delivery_import.months = dict(sorted(months.items()))
    delivery_import.first_delivered_on = result.first
    delivery_import.last_delivered_on = result.last
    # Under the lock a publication takes: a month published from now on sees this import's figures, and one
    # published before is seen here, so that a clean file never changes published figures without review.
    lock_figures(prefecture.pk)
    delivery_import.published_months = [
        m.strftime("%Y-%m")
        for m in MonthPublication.objects.published()
        .filter(prefecture=prefecture, month__in=[month_start(m) for m in months])
        .order_by("month")
        .values_list("month", flat=True)
    ]
    delivery_import.checked_at = timezone.now()
    if valid:
        delivery_import.status = ImportStatus.AWAITING_REVIEW
    else:
        delivery_import.status = ImportStatus.REJECTED
        delivery_import.message = _("No valid row in this file: nothing to import.")
    delivery_import.save()


def _accept(delivery_import, *, by):
    delivery_import.status = ImportStatus.ACCEPTED
    delivery_import.decided_at = timezone.now()
    delivery_import.decided_by = by
    delivery_import.save(update_fields=["status", "decided_at", "decided_by"])
    _count(delivery_import, by=by)


def _count(delivery_import, *, by, sign=1):
    """Add the import's records to its months' figures (``sign=-1``: take them out), then refresh them."""
    count_import(
        prefecture_id=delivery_import.prefecture_id,
        import_id=delivery_import.pk,
        months=delivery_import.months,
        sign=sign,
    )
    published = refresh_statistics(prefecture_id=delivery_import.prefecture_id, months=delivery_import.months)
    if published:
        PublicationEvent.objects.bulk_create(
            [
                PublicationEvent(
                    publication=publication,
                    action=PublicationAction.FIGURES_UPDATED,
                    by=by,
                    note=str(delivery_import),
                )
                for publication in MonthPublication.objects.filter(
                    prefecture_id=delivery_import.prefecture_id, month__in=published
                )
            ]
        )
        clear_public_cache_on_commit()


def _locked(delivery_import, *statuses):
    locked = DeliveryImport.objects.select_for_update().select_related("prefecture").get(pk=delivery_import.pk)
    if locked.status not in statuses:
        raise ImportRefused(
            _("This import is “%(status)s”: this decision is no longer possible.")
            % {"status": locked.get_status_display()}
        )
    return locked


@transaction.atomic
def delivery_import_accept(*, delivery_import, by):
    """The officer keeps the valid rows of a checked import: they count from now on."""
    check_works_for(by, delivery_import.prefecture_id)
    locked = _locked(delivery_import, ImportStatus.AWAITING_REVIEW)
    _accept(locked, by=by)
    return locked


def _delete_records(delivery_import):
    if delivery_import.first_delivered_on is None:
        return 0
    deleted, _per_model = DeliveryRecord.objects.filter(source_import=delivery_import).delete()
    return deleted


@transaction.atomic
def delivery_import_reject(*, delivery_import, by):
    """The officer refuses the report: none of the file's rows is kept."""
    check_works_for(by, delivery_import.prefecture_id)
    locked = _locked(delivery_import, ImportStatus.AWAITING_REVIEW)
    _delete_records(locked)
    locked.status = ImportStatus.REJECTED
    locked.decided_at, locked.decided_by = timezone.now(), by
    locked.save(update_fields=["status", "decided_at", "decided_by"])
    return locked


@transaction.atomic
def delivery_import_withdraw(*, delivery_import, by):
    """Take an accepted import back out: its deliveries no longer count, its months are recomputed."""
    check_works_for(by, delivery_import.prefecture_id)
    locked = _locked(delivery_import, ImportStatus.ACCEPTED)
    locked.status = ImportStatus.WITHDRAWN
    locked.decided_at, locked.decided_by = timezone.now(), by
    locked.save(update_fields=["status", "decided_at", "decided_by"])
    _count(locked, by=by, sign=-1)
    _delete_records(locked)
    return locked


def delivery_import_expire(*, older_than, queued_before=None):
    """Reject the imports that have waited for a decision since before ``older_than``; with ``queued_before``,
    fail those still waiting for their check since before it (their worker died and the task never came back)."""
    expired = 0
    if queued_before is not None:
        message = _("The check of this file never finished: nothing of it was counted. Upload it again.")
        stuck = DeliveryImport.objects.filter(status=ImportStatus.QUEUED, created_at__lt=queued_before)
        for import_id in stuck.values_list("pk", flat=True):
            expired += delivery_import_fail(import_id=import_id, message=message)
    stale = DeliveryImport.objects.filter(status=ImportStatus.AWAITING_REVIEW, checked_at__lt=older_than)
    for delivery_import in stale.only("pk"):
        with transaction.atomic():
            try:
                locked = _locked(delivery_import, ImportStatus.AWAITING_REVIEW)
            except ImportRefused:
                continue
            _delete_records(locked)
            locked.status = ImportStatus.REJECTED
            locked.message = _("No decision was taken in time: the import was rejected.")
            locked.decided_at = timezone.now()
            locked.save(update_fields=["status", "message", "decided_at"])
            expired += 1
    return expired


# --- publication ------------------------------------------------------------------------------------


def _locked_publication(publication):
    lock_figures(publication.prefecture_id)  # first, as imports do
    return MonthPublication.objects.select_for_update().select_related("prefecture").get(pk=publication.pk)


def _publication_log(publication, *, from_status, action, by, note=""):
    PublicationEvent.objects.create(
        publication=publication,
        from_status=from_status,
        to_status=publication.status,
        action=action,
        by=by,
        note=note,
    )


@transaction.atomic
def month_publish(*, publication, by, reviewed=None):
    """Make a month's figures public. The month must be over and have figures. ``reviewed``: when the figures the
    officer reviewed were computed (``figures_updated_at``); if an import changed them since, nothing is published.

    Raises ``qualipref.workflow.TransitionRefused`` for a month already published, ``ValidationError`` when the
    month cannot be published yet (not over, no figures, figures changed since they were reviewed)."""
    check_works_for(by, publication.prefecture_id)
    locked = _locked_publication(publication)
    prefecture = locked.prefecture
    previous = locked.status
    PUBLICATION_WORKFLOW.check(
        previous,
        PublicationStatus.PUBLISHED,
        refusal=_("%(month)s is already published."),
        month=locked.month.strftime("%m/%Y"),
    )
    if reviewed is not None and locked.figures_updated_at != reviewed:
        raise ValidationError(
            _("The figures of %(month)s changed since the page was shown (an import was counted): review them again.")
            % {"month": locked.month.strftime("%m/%Y")}
        )
    if locked.month >= prefecture.today().replace(day=1):
        raise ValidationError(
            _("%(month)s is not over yet: its figures can be published from the first day of the next month.")
            % {"month": locked.month.strftime("%m/%Y")}
        )
    if not locked.figures.exists():
        raise ValidationError(_("%(month)s has no figures to publish.") % {"month": locked.month.strftime("%m/%Y")})
    locked.status = PublicationStatus.PUBLISHED
    locked.published_at, locked.published_by = timezone.now(), by
    locked.save(update_fields=["status", "published_at", "published_by"])
    _publication_log(locked, from_status=previous, action=PublicationAction.PUBLISHED, by=by)
    clear_public_cache_on_commit()
    return locked


@transaction.atomic
def month_unpublish(*, publication, by, reason):
    """Withdraw a month's figures from the public pages; the reason is required and recorded.

    Raises ``ValidationError`` without a reason, ``qualipref.workflow.TransitionRefused`` for a month not published.
    """
    check_works_for(by, publication.prefecture_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the figures are unpublished: the reason is recorded."))
    locked = _locked_publication(publication)
    previous = locked.status
    PUBLICATION_WORKFLOW.check(
        previous,
        PublicationStatus.WITHDRAWN,
        refusal=_("%(month)s is not published."),
        month=locked.month.strftime("%m/%Y"),
    )
    locked.status = PublicationStatus.WITHDRAWN
    locked.save(update_fields=["status"])
    _publication_log(locked, from_status=previous, action=PublicationAction.UNPUBLISHED, by=by, note=reason)
    clear_public_cache_on_commit()
    return locked
