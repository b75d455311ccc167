"""The members' space: one's own committee only — meetings, agendas, documents, minutes, comments.

Every read goes through ``for_member(user)``: another committee's meeting, document or comment is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from qualipref.timezones import use_prefecture_time_zone
from qualipref.views import breadcrumb

from ..enums import DocumentKind, MeetingStatus
from ..forms import CommentForm
from ..models import AgendaItem, Comment, Committee, Document, ImprovementAction, Meeting
from ..services import comment_post, suggestion_candidates

LOGIN = "committee:login"
PAST_MEETINGS = 12

# The prefecture's published pages a member reviews, when the apps that publish them are installed.
PUBLISHED_PAGES = [
    ("delais/", gettext_lazy("Published delivery delays")),
    ("resultats/", gettext_lazy("Published results against our engagements")),
    ("comite/", gettext_lazy("The committee's public page")),
]


def published_links(prefecture):
    links = []
    for suffix, title in PUBLISHED_PAGES:
        path = f"/{prefecture.slug}/{suffix}"
        try:
            resolve(path)
        except Resolver404:
            continue
        links.append({"url": path, "title": title})
    return links


def _space_breadcrumb(current=None, *links):
    space = _("Members' space")
    if current is None:
        return breadcrumb(space)
    return breadcrumb(current, (space, reverse("committee:space")), *links)


@never_cache
@login_required(login_url=LOGIN)
@require_GET
def home(request):
    committees = list(Committee.objects.for_member(request.user).select_related("prefecture"))
    if not committees:
        return render(
            request,
            "committee/space_no_seat.html",
            {"page_title": _("Members' space"), **_space_breadcrumb()},
            status=403,
        )
    if len({committee.prefecture.time_zone for committee in committees}) == 1:
        use_prefecture_time_zone(committees[0].prefecture)
    sections = []
    for committee in committees:
        prefecture = committee.prefecture
        today = prefecture.today()
        meetings = Meeting.objects.filter(committee=committee).select_related("working_group")
        sections.append(
            {
                "committee": committee,
                "prefecture": prefecture,
                "upcoming": meetings.upcoming(today)
                .order_by("date", "start_time")
                .prefetch_related("agenda_items")[:10],
                "past": _past_meetings_page(meetings.past(today), request.GET.get("page")),
                "suggestions": _suggestions_under_review(committee),
                "actions": ImprovementAction.objects.for_prefecture(prefecture)
                .open()
                .select_related("service")
                .order_by("due_on")[:20],
                "published": published_links(prefecture),
            }
        )
    return render(
        request,
        "committee/space_home.html",
        {"sections": sections, "page_title": _("Members' space"), **_space_breadcrumb()},
    )


def _past_meetings_page(meetings, number):
    """One page of past meetings, the most recent first, ready for ``dsfr_pagination`` (first, last, and the pages
    around the current one)."""
    page = Paginator(meetings.order_by("-date", "-start_time", "-pk"), PAST_MEETINGS).get_page(number)
    page.pages_list = list(page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))
    return page


def _suggestions_under_review(committee):
    """Forwarded suggestions awaiting the committee: subject and text only, never who wrote them."""
    on_upcoming = AgendaItem.objects.filter(
        meeting__committee=committee, meeting__status=MeetingStatus.PLANNED, case__isnull=False
    ).select_related("meeting")
    rows = [
        {"reference": c.reference, "subject": c.subject, "description": c.description, "received_on": c.received_on}
        for c in suggestion_candidates(committee=committee).only("reference", "subject", "description", "received_on")[
            :30
        ]
    ]
    for item in on_upcoming.select_related("case").filter(case__committee_opinion__isnull=True)[:30]:
        case = item.case
        rows.append(
            {
                "reference": case.reference,
                "subject": case.subject,
                "description": case.description,
                "received_on": case.received_on,
                "meeting": item.meeting,
            }
        )
    return rows


@never_cache
@login_required(login_url=LOGIN)
@require_GET
def meeting_detail(request, pk):
    meeting = get_object_or_404(
        Meeting.objects.for_member(request.user).select_related("committee__prefecture", "working_group"), pk=pk
    )
    use_prefecture_time_zone(meeting.committee.prefecture)
    items = meeting.agenda_items.prefetch_related(
        Prefetch("documents", queryset=Document.objects.order_by("title")),
        Prefetch("comments", queryset=Comment.objects.select_related("member")),
    )
    documents = meeting.documents.filter(agenda_item__isnull=True)
    return render(
        request,
        "committee/space_meeting.html",
        {
            "meeting": meeting,
            "prefecture": meeting.committee.prefecture,
            "items": items,
            "general_documents": documents.filter(kind=DocumentKind.AGENDA),
            "minutes_documents": documents.filter(kind=DocumentKind.MINUTES),
            "comment_form": CommentForm(),
            "page_title": str(meeting),
            **_space_breadcrumb(str(meeting)),
        },
    )


@login_required(login_url=LOGIN)
@require_POST
def comment_add(request, pk, item_pk):
    item = get_object_or_404(
        AgendaItem.objects.for_member(request.user).select_related("meeting__committee__prefecture"),
        pk=item_pk,
        meeting_id=pk,
    )
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment_post(agenda_item=item, user=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Your comment has been added."))
    else:
        messages.error(request, " ".join(form.errors["body"]))
    return redirect(reverse("committee:meeting", kwargs={"pk": item.meeting_id}) + f"#item-{item.pk}")


def visible_documents(user):
    """Documents ``user`` may download: their own committee's as a member, their prefectures' as staff."""
    as_member = Document.objects.for_member(user)
    if user.is_staff and user.has_perm("committee.view_document"):
        return as_member | Document.objects.for_user(user)
    return as_member


@never_cache
@require_GET
def document_download(request, pk):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), LOGIN)
    # Another committee's document is indistinguishable from a missing one.
    document = get_object_or_404(visible_documents(request.user), pk=pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(
        handle, as_attachment=True, filename=document.original_name, content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
