"""Writes on the measures: keyword-only functions, one transaction each.

Import: ``measure_import_create`` (file checked and hashed, the same file refused) → ``measure_import_check``
(rows checked, valid ones counted at once, bad lines reported) and later ``measure_import_withdraw``.
Mystery-shopper visits: ``mystery_visit_save`` (the visit and its grid together).
"""

import datetime
import uuid

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qualipref.csvimport import FileRefused, ProgressReader, inspect_file
from qualipref.scoping import check_works_for

from . import importer
from .csvformats import FORMATS
from .enums import ImportKind, ImportStatus
from .models import MeasureImport, MysteryVisit, MysteryVisitLine
from .signals import measures_changed


class ImportRefused(FileRefused):
    pass


def progress_key(import_id):
    return f"measures:import:{import_id}:progress"


def _changed(prefecture_id, months):
    """Tell the apps above, after the commit, that these months' rows changed."""
    months = sorted({month.replace(day=1) for month in months})
    if months:
        transaction.on_commit(lambda: measures_changed.send(MeasureImport, prefecture_id=prefecture_id, months=months))


def _months(measure_import):
    return [datetime.date.fromisoformat(f"{month}-01") for month in measure_import.months]


def already_imported(*, prefecture, kind, sha256):
    return (
        MeasureImport.objects.filter(status__in=(ImportStatus.QUEUED, ImportStatus.DONE))
        .filter(prefecture=prefecture, kind=kind, sha256=sha256)
        .select_related("prefecture")
        .first()
    )


def duplicate_message(earlier):
    return _(
        "This file has already been imported for this prefecture (import of %(date)s, %(name)s): "
        "the same calls or tickets are never counted twice."
    ) % {
        "date": timezone.localtime(earlier.created_at, earlier.prefecture.tzinfo).strftime("%d/%m/%Y %H:%M"),
        "name": earlier.original_name,
    }


def inspect_upload(fileobj, *, kind):
    """The facts of an uploaded file of ``kind``; raises ``FileRefused`` for an unusable one."""
    csv_format = FORMATS[kind]
    facts = inspect_file(fileobj, csv_format=csv_format)
    if kind == ImportKind.CALLS and "ring_seconds" not in facts.columns and "rings" not in facts.columns:
        raise FileRefused(
            _(
                "The header row names no ring time: add a column “duree_sonnerie” (seconds) or “sonneries” "
                "(number of rings)."
            )
        )
    return facts


def measure_import_create(*, prefecture, kind, fileobj, name, by=None):
    """Check ``fileobj``'s shape and hash, store it and record the import, queued for checking.

    Raises ``ImportRefused`` for an unusable file or one already imported for this prefecture.
    """
    check_works_for(by, prefecture.pk)
    try:
        facts = inspect_upload(fileobj, kind=kind)
    except FileRefused as refused:
        raise ImportRefused(refused.message) from refused
    if earlier := already_imported(prefecture=prefecture, kind=kind, sha256=facts.sha256):
        raise ImportRefused(duplicate_message(earlier))
    measure_import = MeasureImport(
        prefecture=prefecture,
        kind=kind,
        original_name=name[:255],
        sha256=facts.sha256,
        size_bytes=facts.size,
        encoding=facts.encoding,
        total_rows=facts.data_lines,
        created_by=by,
    )
    fileobj.seek(0)
    measure_import.file.save(f"{uuid.uuid4().hex}.csv", File(fileobj), save=False)
    try:
        with transaction.atomic():
            measure_import.save()
    except IntegrityError as error:  # the same file, uploaded at the same moment
        measure_import.file.delete(save=False)
        earlier = already_imported(prefecture=prefecture, kind=kind, sha256=facts.sha256)
        raise ImportRefused(duplicate_message(earlier) if earlier else str(error)) from error
    return measure_import


def measure_import_check(*, import_id, fileobj=None):
    """Check every row of a queued import: valid rows count at once, bad lines are reported with their line.

    Idempotent: an import no longer queued (or being checked elsewhere) is left alone. Returns the import.
    """
    try:
        with transaction.atomic():
            measure_import = (
                MeasureImport.objects.select_for_update(skip_locked=True)
                .select_related("prefecture")
                .filter(pk=import_id, status=ImportStatus.QUEUED)
                .first()
            )
            if measure_import is None:
                return MeasureImport.objects.filter(pk=import_id).first()
            own_file = fileobj is None
            source = measure_import.file.open("rb") if own_file else fileobj
            size = measure_import.size_bytes or 1
            reader = ProgressReader(
                source, lambda done: cache.set(progress_key(import_id), min(99, 100 * done // size), 3600)
            )
            try:
                result = importer.check_file(measure_import=measure_import, fileobj=reader)
            finally:
                if own_file:
                    source.close()
            measure_import.valid_rows, measure_import.bad_rows = result.valid, result.bad
            measure_import.months = result.months
            measure_import.checked_at = timezone.now()
            measure_import.status = ImportStatus.DONE if result.valid else ImportStatus.FAILED
            if not result.valid:
                measure_import.message = _("No valid row in this file: nothing was counted.")
            measure_import.save()
            _changed(measure_import.prefecture_id, _months(measure_import))
            return measure_import
    except FileRefused as refused:
        measure_import_fail(import_id=import_id, message=refused.message)
        return MeasureImport.objects.get(pk=import_id)
    finally:
        cache.delete(progress_key(import_id))


def measure_import_fail(*, import_id, message):
    """Mark a queued import failed: nothing of it counts, the officer reads why, the same file may come again."""
    with transaction.atomic():
        updated = MeasureImport.objects.filter(pk=import_id, status=ImportStatus.QUEUED).update(
            status=ImportStatus.FAILED, message=message, checked_at=timezone.now()
        )
    cache.delete(progress_key(import_id))
    return bool(updated)


@transaction.atomic
def measure_import_withdraw(*, measure_import, by):
    """Take an import back out: its calls or tickets no longer count, its months are recomputed."""
    check_works_for(by, measure_import.prefecture_id)
    locked = MeasureImport.objects.select_for_update().get(pk=measure_import.pk)
    if locked.status != ImportStatus.DONE:
        raise ImportRefused(
            _("This import is “%(status)s”: it cannot be withdrawn.") % {"status": locked.get_status_display()}
        )
    locked.calls.all().delete()
    locked.tickets.all().delete()
    locked.status = ImportStatus.WITHDRAWN
    locked.save(update_fields=["status"])
    _changed(locked.prefecture_id, _months(locked))
    return locked


@transaction.atomic
def mystery_visit_save(*, visit, results, by):
    """Save a mystery-shopper visit and its grid: ``results`` is ``{criterion: (result, comment)}``, one line per
    criterion (a criterion left out has no line). The visit's score is computed from the lines, never typed."""
    check_works_for(by, visit.prefecture_id)
    if visit.site_id and visit.site.prefecture_id != visit.prefecture_id:
        raise ValidationError(_("The site belongs to another prefecture."))
    if not results:
        raise ValidationError(_("Record the result of at least one criterion of the grid."))
    previous_month = None
    if visit.pk:
        previous_month = MysteryVisit.objects.filter(pk=visit.pk).values_list("month", flat=True).first()
    if visit.entered_by_id is None:
        visit.entered_by = by
    visit.entered_at = timezone.now()
    visit.save()
    visit.lines.exclude(criterion__in=list(results)).delete()
    MysteryVisitLine.objects.bulk_create(
        [
            MysteryVisitLine(visit=visit, criterion=criterion, result=result, comment=comment or "")
            for criterion, (result, comment) in results.items()
        ],
        update_conflicts=True,
        unique_fields=["visit", "criterion"],
        update_fields=["result", "comment"],
    )
    _changed(visit.prefecture_id, [m for m in (visit.month, previous_month) if m])
    return visit


@transaction.atomic
def mystery_visit_delete(*, visit, by):
    check_works_for(by, visit.prefecture_id)
    month = visit.month
    visit.delete()
    _changed(visit.prefecture_id, [month])
