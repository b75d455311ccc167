"""Writes of the engagements: the monthly figures' materialisation, manual measures, new versions."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qualipref.dates import month_start, months_ending
from qualipref.scoping import check_works_for

from .indicators import compute_with_sites
from .models import Engagement, EngagementVersion, LocalTarget, ManualMeasure, MonthlyIndicator, SiteMonthlyIndicator
from .periods import Period

logger = logging.getLogger(__name__)

# Late answers, ratings and publications still change recent months: each refresh recomputes these.
REFRESHED_MONTHS = 3


FIGURE_FIELDS = ["version", "numerator", "denominator", "value", "target_value", "comparator", "unit", "met"]


def _figure_fields(figure):
    return {
        "version": figure.version,
        "numerator": figure.numerator,
        "denominator": figure.denominator,
        "value": figure.value,
        "target_value": figure.target_value,
        "comparator": figure.version.comparator,
        "unit": figure.version.unit,
        "met": figure.met,
        "local_target": figure.local_target is not None,
    }


@transaction.atomic
def monthly_indicators_refresh(*, prefecture, months=None, today=None):
    """Compute and store every engagement's figure of ``prefecture`` for ``months`` (default: the last three), and
    each site's (``SiteMonthlyIndicator``) from the same queries.

    One query per engagement for all the months and sites together, a few to write them: safe to run twice.
    A site's figures of those months are replaced (a case moved to another site leaves no figure behind).
    Returns the number of the prefecture's figures.
    """
    today = today or prefecture.today()
    if months is None:
        months = months_ending(today, REFRESHED_MONTHS)
    periods = [Period.month(m) for m in months]
    figures, by_site = compute_with_sites(prefecture, periods, today=today)
    now = timezone.now()
    rows = [
        MonthlyIndicator(
            prefecture=prefecture,
            engagement=figure.engagement,
            month=period.start,
            national_met=figure.national_met,
            computed_at=now,
            **_figure_fields(figure),
        )
        for period, month_figures in figures.items()
        for figure in month_figures
    ]
    MonthlyIndicator.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["prefecture", "engagement", "month"],
        update_fields=[*FIGURE_FIELDS, "local_target", "national_met", "computed_at"],
    )
    SiteMonthlyIndicator.objects.for_prefecture(prefecture).filter(month__in=[p.start for p in periods]).delete()
    SiteMonthlyIndicator.objects.bulk_create(
        [
            SiteMonthlyIndicator(
                prefecture=prefecture,
                site_id=site,
                engagement=figure.engagement,
                month=period.start,
                computed_at=now,
                **_figure_fields(figure),
            )
            for site, site_figures in by_site.items()
            for period, month_figures in site_figures.items()
            for figure in month_figures
        ],
        batch_size=1000,
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


@transaction.atomic
def local_target_add(*, prefecture, engagement, valid_from, target_value, reason="", by=None):
    """``prefecture``'s stricter target for the national ``engagement`` from ``valid_from``'s month on.

    Refused (``ValidationError``, said in French) unless stricter than the national target then in force; past
    figures keep the target they were judged against until they are recomputed for their month.
    """
    check_works_for(by, prefecture.pk)
    target = LocalTarget(
        prefecture=prefecture,
        engagement=engagement,
        valid_from=month_start(valid_from),
        target_value=target_value,
        reason=reason,
    )
    target.full_clean()
    target.save()
    return target


@transaction.atomic
def local_engagement_save(*, engagement, by=None):
    """Create or change a prefecture's local engagement (its code, source, position, whether active)."""
    if engagement.prefecture_id is None:
        raise ValidationError(_("A local engagement belongs to a prefecture."))
    check_works_for(by, engagement.prefecture_id)
    if engagement.pk:
        stored = Engagement.objects.filter(pk=engagement.pk).values_list("prefecture_id", flat=True).first()
        check_works_for(by, stored)
    engagement.is_headline = False
    engagement.full_clean()
    # Saved as an engagement (not through a proxy) so that its history is kept with the referential's.
    Engagement.save(engagement)
    return engagement


__all__ = [
    "ManualMeasure",
    "engagement_version_add",
    "local_engagement_save",
    "local_target_add",
    "manual_measure_save",
    "monthly_indicators_refresh",
]
