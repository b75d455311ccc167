"""Self-assessment: a campaign started by an officer, completed line by line by the prefecture's officers, frozen
once submitted.

Concurrent work: each line is saved on its own, so two officers completing different lines never lose each other's.
Two saving the same line: each save names the revision it was made from (``SelfAssessmentLine.revision``); the stored
revision moves on with every save, in one compare-and-set UPDATE, so a save made from an older one is refused with
``LineConflict`` (what the other officer saved is shown, the refused text kept in the form).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from engagements.models import Engagement, EngagementVersion
from engagements.periods import results_complete_before
from qualipref.dates import add_months, month_start

from ..enums import SelfRating
from ..models import SelfAssessment, SelfAssessmentLine
from ..perms import check_officer, check_officer_of_campaign

# The figures a campaign is compared with by default: the twelve complete months before its date.
DEFAULT_PERIOD_MONTHS = 12


class LineConflict(ValidationError):
    """Another officer saved the line since the revision the refused save was made from."""

    def __init__(self, line):
        self.line = line
        who = line.edited_by.get_full_name() if line.edited_by else _("the portal")
        super().__init__(
            _(
                "%(who)s saved this line since you opened it. Their version is shown; your text is kept in the form: "
                "check both, then save again."
            )
            % {"who": who}
        )


def default_period(on):
    """``(first month, last month)``: the twelve months whose results are complete on ``on``."""
    last = add_months(results_complete_before(on), -1)
    return add_months(last, -(DEFAULT_PERIOD_MONTHS - 1)), last


def engagements_in_force(prefecture, on):
    """The engagements ``prefecture`` keeps on ``on`` (the national referential and its local ones, active, with a
    version started), each annotated with ``version_id``, the version in force. One query."""
    latest = (
        EngagementVersion.objects.filter(engagement=OuterRef("pk"), valid_from__lte=month_start(on))
        .order_by("-valid_from")
        .values("pk")[:1]
    )
    return (
        Engagement.objects.active()
        .of_prefecture(prefecture)
        .annotate(version_id=Subquery(latest))
        .filter(version_id__isnull=False)
        .order_by("position", "code")
    )


def self_assessment_check(*, prefecture, on=None, period_start=None, period_end=None, sites=()):
    """``(on, first month, last month)`` of a campaign so described, defaults filled in; ``ValidationError`` (by
    field) when it may not start."""
    on = on or prefecture.today()
    default_start, default_end = default_period(on)
    period_start = month_start(period_start or default_start)
    period_end = month_start(period_end or default_end)
    errors = {}
    if any(site.prefecture_id != prefecture.pk for site in sites):
        errors["sites"] = _("These sites belong to another prefecture.")
    if period_end < period_start:
        errors["period_end"] = _("The figures' period ends on or after its first month.")
    if SelfAssessment.objects.drafts().filter(prefecture=prefecture).exists():
        errors["prefecture"] = _("This prefecture already has a self-assessment in progress: submit it first.")
    if not errors and not engagements_in_force(prefecture, on).exists():
        errors["on"] = _("No engagement is in force on this date.")
    if errors:
        raise ValidationError(errors)
    return on, period_start, period_end


@transaction.atomic
def self_assessment_start(*, prefecture, by=None, on=None, period_start=None, period_end=None, sites=(), note=""):
    """Start a campaign of ``prefecture`` on ``on`` (today by default): one line per engagement in force that day,
    compared with the monthly figures of ``period_start``–``period_end`` (the last twelve complete months by
    default). The text saying how each engagement is met is taken over from the previous campaign, to be checked;
    the ratings are not."""
    check_officer(by, prefecture)
    sites = list(sites)
    on, period_start, period_end = self_assessment_check(
        prefecture=prefecture, on=on, period_start=period_start, period_end=period_end, sites=sites
    )
    engagements = list(engagements_in_force(prefecture, on).values_list("pk", "version_id"))
    campaign = SelfAssessment(
        prefecture=prefecture,
        on=on,
        period_start=period_start,
        period_end=period_end,
        note=note.strip(),
        started_by=by,
    )
    campaign.full_clean()
    campaign.save()
    campaign.sites.set(sites)
    previous = SelfAssessment.objects.previous_of(campaign).first()
    taken_over = dict(previous.lines.exclude(how_met="").values_list("engagement_id", "how_met")) if previous else {}
    SelfAssessmentLine.objects.bulk_create(
        SelfAssessmentLine(
            campaign=campaign,
            prefecture=prefecture,
            engagement_id=engagement_id,
            version_id=version_id,
            position=position,
            how_met=taken_over.get(engagement_id, ""),
        )
        for position, (engagement_id, version_id) in enumerate(engagements)
    )
    return campaign


def _check_open(campaign):
    if campaign.submitted_at is not None:
        raise ValidationError(_("This self-assessment was submitted: it cannot be changed any more."))


@transaction.atomic
def self_assessment_line_save(*, line, by=None, how_met, rating, comment="", revision, documents=None):
    """Save one line as an officer wrote it from ``revision``, with its evidence ``documents`` (the prefecture's
    ``evidence.Document``; ``None`` leaves them as they are). Refused (``ValidationError``) once the campaign is
    submitted or for a document of another prefecture, and (``LineConflict``) when someone saved the line since
    ``revision``."""
    # The campaign's row is locked: a submission waits for the line being saved, and a save after it is refused.
    campaign = SelfAssessment.objects.select_for_update(of=("self",)).get(pk=line.campaign_id)
    check_officer_of_campaign(by, campaign)
    _check_open(campaign)
    if rating and rating not in SelfRating.values:
        raise ValidationError({"rating": _("Choose met, partly met or not met.")})
    if documents is not None:
        documents = list(documents)
        if any(document.prefecture_id != campaign.prefecture_id for document in documents):
            raise ValidationError({"documents": _("These documents belong to another prefecture.")})
    moved = SelfAssessmentLine.objects.filter(pk=line.pk, campaign=campaign, revision=revision).update(
        revision=F("revision") + 1
    )
    if not moved:
        raise LineConflict(SelfAssessmentLine.objects.select_related("edited_by", "engagement").get(pk=line.pk))
    line = SelfAssessmentLine.objects.select_related("engagement").get(pk=line.pk)
    line.how_met, line.rating, line.comment = how_met.strip(), rating or "", comment.strip()
    line.edited_by, line.edited_at = by, timezone.now()
    line.save(update_fields=["how_met", "rating", "comment", "edited_by", "edited_at"])
    if documents is not None:
        line.documents.set(documents)
    return line


@transaction.atomic
def self_assessment_submit(*, campaign, by=None):
    """Submit ``campaign``: every line rated. It is frozen from then on (who, when kept)."""
    campaign = SelfAssessment.objects.select_for_update(of=("self",)).select_related("prefecture").get(pk=campaign.pk)
    check_officer_of_campaign(by, campaign)
    _check_open(campaign)
    unrated = list(campaign.lines.filter(rating="").values_list("engagement__code", flat=True))
    if unrated:
        raise ValidationError(
            _("Rate every engagement before submitting. Not rated yet: %(codes)s.") % {"codes": ", ".join(unrated)}
        )
    campaign.submitted_by, campaign.submitted_at = by, timezone.now()
    campaign.save(update_fields=["submitted_by", "submitted_at"])
    return campaign


@transaction.atomic
def self_assessment_discard(*, campaign, by=None):
    """Delete a campaign not submitted (started by mistake): a submitted one is the label's record, kept."""
    campaign = SelfAssessment.objects.select_for_update(of=("self",)).get(pk=campaign.pk)
    check_officer_of_campaign(by, campaign)
    _check_open(campaign)
    campaign.delete()
