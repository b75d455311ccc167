"""The committee's opinion on the suggestions forwarded to it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.tracking_links import tracking_link_send

from ..enums import Verdict
from ..models import Committee, SuggestionOpinion


def suggestion_opinion_committee(*, case):
    """The committee giving its opinion on ``case`` (its prefecture's); ``ValidationError`` when there is none."""
    committee = Committee.objects.filter(prefecture_id=case.prefecture_id).first()
    if committee is None:
        raise ValidationError(_("This prefecture has no users' committee yet."), code="no_committee")
    return committee


@transaction.atomic
def suggestion_opinion_record(*, case, verdict, text, meeting=None, by=None, opinion=None):
    """Record (or correct) the committee's opinion on a suggestion; the citizen reads it on their tracking page,
    told by e-mail when the committee first gives one.

    The opinion's own checks (``SuggestionOpinion.clean``: a suggestion, of the committee's prefecture, at one
    of its meetings) run here whoever calls.

    ``opinion`` is the row being edited (the admin's); otherwise the suggestion's opinion, if any, is corrected.
    """
    committee = suggestion_opinion_committee(case=case)
    if opinion is None:
        opinion = SuggestionOpinion.objects.filter(case=case).first() or SuggestionOpinion()
    before = opinion.verdict if opinion.pk else None
    opinion.case = case
    opinion.committee, opinion.meeting, opinion.verdict, opinion.text = committee, meeting, verdict, text
    opinion.recorded_by, opinion.recorded_at = by, timezone.now()
    opinion.full_clean()
    opinion.save()
    if verdict != Verdict.DEFERRED and before in (None, Verdict.DEFERRED):
        # The citizen who left an address is told once the committee has an opinion (not when it postpones it),
        # with a new private link to read it; a later correction shows on the same page without another e-mail.
        tracking_link_send(case, "committee/emails/opinion", "committee_opinion")
    return opinion
