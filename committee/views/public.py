"""The committee's public page: who sits on it, summaries, the next meeting, “you told us, we did”."""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from complaints.enums import Kind
from qualipref.models import Prefecture
from qualipref.views import breadcrumb

from ..enums import MemberCategory
from ..models import Committee, ImprovementAction, Meeting, Member, WorkingGroup
from ..origins import prefetch_origins, public_origins

PAST_SUMMARIES = 12
DONE_ACTIONS = 20


def composition(committee, today):
    """Sitting members by category, each with their organisation and, only with consent, their name."""
    members = list(
        Member.objects.filter(committee=committee)
        .sitting(on=today)
        .order_by("category", "organisation", "last_name", "first_name")
        .only("category", "organisation", "first_name", "last_name", "name_is_public")
    )
    groups = []
    for category in MemberCategory:
        seats = [
            {"organisation": m.organisation, "name": m.public_name} for m in members if m.category == category.value
        ]
        # Named seats first: the order of the anonymous ones must not hint at their names.
        seats.sort(key=lambda seat: (not seat["name"], seat["organisation"], seat["name"]))
        if seats:
            groups.append({"label": category.label, "seats": seats})
    return groups


@require_GET
def committee_page(request, slug):
    prefecture = get_object_or_404(Prefecture, slug=slug)
    committee = Committee.objects.filter(prefecture=prefecture).first()
    title = _("Users' committee")
    context = {
        "prefecture": prefecture,
        "committee": committee,
        "page_title": f"{title} – {prefecture.name}",
        **breadcrumb(title, (prefecture.name, prefecture.get_absolute_url())),
    }
    if committee is not None:
        today = prefecture.today()
        meetings = Meeting.objects.filter(committee=committee).select_related("working_group")
        context |= {
            "groups": composition(committee, today),
            "next_meeting": meetings.upcoming(today).order_by("date", "start_time").first(),
            "summaries": meetings.with_published_summary().order_by("-date")[:PAST_SUMMARIES],
            "working_groups": WorkingGroup.objects.filter(committee=committee, is_active=True),
            "actions": _published_actions(prefecture),
        }
    return render(request, "committee/public.html", context)


def _published_actions(prefecture):
    """The latest done, public actions with what raised them, an audit's finding included (in public words)."""
    actions = list(
        prefetch_origins(ImprovementAction.objects.for_prefecture(prefecture).published())
        .select_related("origin_meeting", "origin_working_group")
        .annotate(
            complaints_count=Count("origin_cases", filter=Q(origin_cases__kind=Kind.COMPLAINT)),
            suggestions_count=Count("origin_cases", filter=Q(origin_cases__kind=Kind.SUGGESTION)),
        )
        .order_by("-done_on", "-pk")[:DONE_ACTIONS]
    )
    for action in actions:
        action.public_origins = public_origins(action)
    return actions
