"""Writes of the engagements: the monthly figures' materialisation, manual measures, new versions."""

import logging

from django.db import transaction
from django.utils import timezone

from qualipref.dates import month_start, months_ending

from .indicators import compute
from .models import EngagementVersion, ManualMeasure, MonthlyIndicator
from .periods import Period

logger = logging.getLogger(__name__)

# Late answers, ratings and publications still change recent months: each refresh recomputes these.
REFRESHED_MONTHS = 3


def monthly_indicators_refresh(*, prefecture, months=None, today=None):
    """Compute and store every engagement's figure of ``prefecture`` for ``months`` (default: the last three).

    One query per engagement for all the months together, one to write them: safe to run twice.
    """
    today = today or prefecture.today()
    if months is None:
        months = months_ending(today, REFRESHED_MONTHS)
    periods = [Period.month(m) for m in months]
    figures = compute(prefecture, periods, today=today)
    now = timezone.now()
    rows = [
        MonthlyIndicator(
            prefecture=prefecture,
            engagement=figure.engagement,
            version=figure.version,
            month=period.start,
            numerator=figure.numerator,
            denominator=figure.denominator,
            value=figure.value,
            target_value=figure.version.target_value,
            comparator=figure.version.comparator,
            unit=figure.version.unit,
            met=figure.met,
            computed_at=now,
        )
        for period, month_figures in figures.items()
        for figure in month_figures
    ]
    MonthlyIndicator.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["prefecture", "engagement", "month"],
        update_fields=[
            "version",
            "numerator",
            "denominator",
            "value",
            "target_value",
            "comparator",
            "unit",
            "met",
            "computed_at",
        ],
    )
    return len(rows)


@transaction.atomic
def manual_measure_save(*, measure, by, upload=None):
    """Save an officer's monthly measure (and its validated evidence), then refresh that month's figures."""
    if upload is not None:
        measure.attach_evidence(upload)
    if not measure.pk or measure.entered_by_id is None:
        measure.entered_by = by
    measure.entered_at = timezone.now()
    measure.save()
    prefecture_id, month = measure.prefecture_id, measure.month
    transaction.on_commit(lambda: enqueue_refresh(prefecture_id, [month]))
    return measure


def enqueue_refresh(prefecture_id, months):
    """Recompute ``months``' figures of a prefecture in a Celery task (a manual measure saved, measures imported)."""
    from .tasks import refresh_monthly_indicators

    try:
        refresh_monthly_indicators.delay(prefecture_id, [month.isoformat() for month in months])
    except Exception:  # the broker may be down: the nightly refresh catches up
        logger.warning("engagements: could not enqueue the refresh of %s %s", prefecture_id, months, exc_info=True)


@transaction.atomic
def engagement_version_add(*, engagement, valid_from, **fields):
    """A new version of ``engagement`` from ``valid_from`` on: past figures keep the version they used."""
    version = EngagementVersion(engagement=engagement, valid_from=month_start(valid_from), **fields)
    version.full_clean()
    version.save()
    return version


__all__ = ["ManualMeasure", "engagement_version_add", "manual_measure_save", "monthly_indicators_refresh"]
