"""Reads of the self-assessment: each line judged against the monthly figures and compared with the previous
campaign, in SQL.

The figures are the materialised ones (``engagements.MonthlyIndicator``, each already judged against the target then
in force, a stricter local target included) of the campaign's period; for a campaign of some sites, the figures of
those sites (``SiteMonthlyIndicator``) where the engagement has any, the prefecture's otherwise (phone, committee
and publication figures are the prefecture's only). Over that period an engagement's indicator is:

* **met** when every figure judged met its target; **not met** when none did; **partly met** otherwise;
* not judged when there is no figure (nothing measured, or a manual measure not entered).

A line the prefecture rated "met" whose indicator missed its target at least once in the period is **flagged**: the
auditor will ask about it. Each line also carries the rating of the same engagement in the previous campaign (the
latest submitted before it) and whether the rating went up or down.

``judged_lines(lines)`` annotates any queryset of lines in one query; ``summary(campaign)`` adds them up in one.
"""

from django.db.models import (
    BooleanField,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models import Case as SqlCase
from django.db.models.functions import Coalesce

from engagements.models import MonthlyIndicator, SiteMonthlyIndicator

from .enums import SELF_RATING_RANK, RatingTrend, SelfRating
from .models import SelfAssessment, SelfAssessmentLine


def _count(queryset):
    """The number of rows of ``queryset`` (correlated to the line), as a subquery: 0 when none."""
    counted = queryset.order_by().values("engagement").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _in_period(model, **extra):
    return model.objects.filter(
        prefecture=OuterRef("prefecture"),
        engagement=OuterRef("engagement"),
        month__gte=OuterRef("campaign__period_start"),
        month__lte=OuterRef("campaign__period_end"),
        met__isnull=False,
        **extra,
    )


def _rank(field):
    return SqlCase(
        *(When(**{field: rating}, then=Value(rank)) for rating, rank in SELF_RATING_RANK.items()),
        default=None,
        output_field=IntegerField(),
    )


def previous_campaign_subquery(campaign_ref="campaign"):
    """The id of the campaign before ``OuterRef(campaign_ref)`` (same prefecture, submitted, dated before)."""
    return Subquery(
        SelfAssessment.objects.submitted()
        .filter(prefecture=OuterRef(f"{campaign_ref}__prefecture"))
        .filter(
            Q(on__lt=OuterRef(f"{campaign_ref}__on"))
            | Q(on=OuterRef(f"{campaign_ref}__on"), pk__lt=OuterRef(f"{campaign_ref}__pk"))
        )
        .order_by("-on", "-pk")
        .values("pk")[:1],
        output_field=IntegerField(),
    )


def judged_lines(lines):
    """``lines`` annotated with ``figures_judged``, ``figures_missed``, ``indicator_rating`` (a ``SelfRating``
    value, "" when not judged), ``flagged``, ``previous_rating`` ("" when none) and ``trend`` (a ``RatingTrend``
    value, "" when the line is not rated yet). One query, whatever the number of lines."""
    covered_sites = SelfAssessment.sites.through.objects.filter(
        selfassessment_id=OuterRef(OuterRef("campaign"))
    ).values("site_id")
    lines = lines.annotate(
        _site_judged=_count(_in_period(SiteMonthlyIndicator, site__in=covered_sites)),
        _site_missed=_count(_in_period(SiteMonthlyIndicator, site__in=covered_sites, met=False)),
        _prefecture_judged=_count(_in_period(MonthlyIndicator)),
        _prefecture_missed=_count(_in_period(MonthlyIndicator, met=False)),
    ).annotate(
        figures_judged=SqlCase(
            When(_site_judged__gt=0, then=F("_site_judged")),
            default=F("_prefecture_judged"),
            output_field=IntegerField(),
        ),
        figures_missed=SqlCase(
            When(_site_judged__gt=0, then=F("_site_missed")),
            default=F("_prefecture_missed"),
            output_field=IntegerField(),
        ),
    )
    lines = lines.annotate(
        indicator_rating=SqlCase(
            When(figures_judged=0, then=Value("")),
            When(figures_missed=0, then=Value(SelfRating.MET.value)),
            When(figures_missed=F("figures_judged"), then=Value(SelfRating.NOT_MET.value)),
            default=Value(SelfRating.PARTLY_MET.value),
            output_field=CharField(),
        ),
        flagged=SqlCase(
            When(rating=SelfRating.MET, figures_missed__gt=0, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        previous_campaign_id=previous_campaign_subquery(),
    )
    lines = lines.annotate(
        previous_rating=Coalesce(
            Subquery(
                SelfAssessmentLine.objects.filter(
                    campaign=OuterRef("previous_campaign_id"), engagement=OuterRef("engagement")
                ).values("rating")[:1],
                output_field=CharField(),
            ),
            Value(""),
        ),
    )
    return lines.annotate(_rank=_rank("rating"), _previous_rank=_rank("previous_rating")).annotate(
        trend=SqlCase(
            When(rating="", then=Value("")),
            When(_previous_rank__isnull=True, then=Value(RatingTrend.NEW.value)),
            When(_rank__gt=F("_previous_rank"), then=Value(RatingTrend.UP.value)),
            When(_rank__lt=F("_previous_rank"), then=Value(RatingTrend.DOWN.value)),
            default=Value(RatingTrend.SAME.value),
            output_field=CharField(),
        )
    )


def summary(campaign):
    """The campaign's lines added up: ``lines``, ``rated``, one count per rating, ``flagged``, ``up``, ``down``. One
    query."""
    lines = judged_lines(SelfAssessmentLine.objects.filter(campaign=campaign))
    totals = {
        "lines": Count("pk"),
        "rated": Count("pk", filter=~Q(rating="")),
        "flagged": Count("pk", filter=Q(flagged=True)),
        "up": Count("pk", filter=Q(trend=RatingTrend.UP)),
        "down": Count("pk", filter=Q(trend=RatingTrend.DOWN)),
    }
    totals |= {rating.value: Count("pk", filter=Q(rating=rating)) for rating in SelfRating}
    # Named apart from the lines' annotations (``flagged``…), which an aggregate of the same name would replace.
    found = lines.aggregate(**{f"total_{name}": total for name, total in totals.items()})
    return {name.removeprefix("total_"): value for name, value in found.items()}


def flagged_count_subquery():
    """For a queryset of campaigns: how many of each one's lines are flagged (a subquery, 0 when none)."""
    flagged = (
        judged_lines(SelfAssessmentLine.objects.filter(campaign=OuterRef("pk")))
        .filter(flagged=True)
        .order_by()
        .values("campaign")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(flagged, output_field=IntegerField()), Value(0))


def latest_submitted_for_audit(audit):
    """The self-assessment the auditor reads before ``audit``: the latest submitted of its prefecture dated on or
    before the audit's first day (else the latest submitted). One query."""
    submitted = SelfAssessment.objects.submitted().filter(prefecture_id=audit.prefecture_id)
    return (
        submitted.order_by(
            SqlCase(When(on__lte=audit.starts_on, then=Value(0)), default=Value(1), output_field=IntegerField()),
            "-on",
            "-pk",
        )
        .select_related("prefecture")
        .first()
    )
