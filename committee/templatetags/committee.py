"""Template tags other pages use to show what the committee said, without knowing its models."""

from django import template

from complaints.enums import Kind

from ..models import SuggestionOpinion

register = template.Library()


@register.inclusion_tag("committee/includes/case_opinion.html")
def committee_opinion(case):
    """The committee's opinion on a suggestion, for the citizen's tracking page (nothing otherwise)."""
    opinion = None
    if case is not None and case.kind == Kind.SUGGESTION:
        opinion = SuggestionOpinion.objects.filter(case=case).select_related("meeting").first()
    return {"opinion": opinion}
