"""Self-assessments in the admin: an officer starts a campaign; its page is the grid, one form per engagement saved on
its own (officers of the prefecture, while it is not submitted), read as is by the auditor once submitted."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from evidence.enums import Validity
from evidence.models import Document
from qualipref.admin import PrefectureScopedAdmin, not_found_unless_int

from ..enums import RatingTrend, SelfRating
from ..models import SelfAssessment, SelfAssessmentLine
from ..perms import is_officer, officer_prefecture_ids
from ..selfassessment import flagged_count_subquery, judged_lines, summary
from ..services import (
    LineConflict,
    self_assessment_discard,
    self_assessment_line_save,
    self_assessment_start,
    self_assessment_submit,
)
from ..services.selfassessments import self_assessment_check


class SelfAssessmentStartForm(forms.ModelForm):
    class Meta:
        model = SelfAssessment
        fields = ["prefecture", "on", "period_start", "period_end", "sites", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("on", "period_start", "period_end"):
            if name in self.fields:
                self.fields[name].required = False
        if "period_start" in self.fields:
            self.fields["period_start"].help_text = _("Empty: the twelve complete months before the campaign's date.")
            self.fields["period_end"].help_text = _("Any day of the month; empty: the last complete month.")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("prefecture"):
            try:
                on, start, end = self_assessment_check(
                    prefecture=cleaned["prefecture"],
                    on=cleaned.get("on"),
                    period_start=cleaned.get("period_start"),
                    period_end=cleaned.get("period_end"),
                    sites=cleaned.get("sites") or (),
                )
            except ValidationError as error:
                self.add_error(None, error)
            else:
                cleaned["on"], cleaned["period_start"], cleaned["period_end"] = on, start, end
        return cleaned

    def _post_clean(self):
        # The campaign is created by the service (lines included), which checks it again.
        pass


class LineForm(forms.Form):
    """One line of the grid, as an officer writes it; ``revision`` is the one the form was made from."""

    how_met = forms.CharField(
        label=_("How it is met"), required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 80})
    )
    rating = forms.ChoiceField(
        label=_("Self-rating"), required=False, choices=SelfRating.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 80}))
    documents = forms.TypedMultipleChoiceField(
        label=_("Evidence documents"),
        required=False,
        coerce=int,
        help_text=_("Documents of the evidence library; hold Ctrl (or Cmd) to choose several."),
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    @classmethod
    def for_line(cls, line, data=None, library=None):
        """The form of ``line``; ``library``: ``document_library(prefecture)`` when the grid already read it."""
        initial = {
            "how_met": line.how_met,
            "rating": line.rating,
            "comment": line.comment,
            "revision": line.revision,
            "documents": [document.pk for document in line.documents.all()],
        }
        form = cls(data, prefix=f"line{line.pk}", initial=initial)
        documents, attached = library if library is not None else document_library(line.prefecture_id)
        own = attached.get(line.engagement_id, set())
        groups = [
            (_("Attached to this engagement"), [(pk, title) for pk, title in documents if pk in own]),
            (_("Other documents of the prefecture"), [(pk, title) for pk, title in documents if pk not in own]),
        ]
        form.fields["documents"].choices = [group for group in groups if group[1]]
        return form


def document_library(prefecture_id):
    """``([(pk, title)], {engagement id: {document pk}})``: the prefecture's evidence documents (never another
    prefecture's: a line's form offers only these) and the engagements each is attached to. Two queries, whatever
    the number of lines."""
    documents = list(
        Document.objects.filter(prefecture_id=prefecture_id).order_by("title", "pk").values_list("pk", "title")
    )
    attached = {}
    links = Document.engagements.through.objects.filter(document__prefecture_id=prefecture_id)
    for engagement_id, document_id in links.values_list("engagement_id", "document_id"):
        attached.setdefault(engagement_id, set()).add(document_id)
    return documents, attached


def line_documents():
    """The prefetch of each line's documents with their current version, in title order: one query for the grid."""
    return Prefetch("documents", queryset=Document.objects.select_related("current_version").order_by("title", "pk"))


@admin.register(SelfAssessment)
class SelfAssessmentAdmin(PrefectureScopedAdmin):
    form = SelfAssessmentStartForm
    list_display = [
        "__str__",
        "prefecture",
        "on",
        "state",
        "submitted_at",
        "rated",
        "met_count",
        "partly_count",
        "not_met_count",
        "flagged_count",
    ]
    list_filter = ["prefecture"]
    list_select_related = ["prefecture"]
    fields = ["prefecture", "on", "period_start", "period_end", "sites", "note"]

    def get_queryset(self, request):
        # An auditor reads what the prefecture submitted, never a draft.
        queryset = super().get_queryset(request).without_others_drafts(request.user)
        return queryset.annotate(
            _lines=Count("lines"),
            _rated=Count("lines", filter=~Q(lines__rating="")),
            _met=Count("lines", filter=Q(lines__rating=SelfRating.MET)),
            _partly=Count("lines", filter=Q(lines__rating=SelfRating.PARTLY_MET)),
            _not_met=Count("lines", filter=Q(lines__rating=SelfRating.NOT_MET)),
            _flagged=flagged_count_subquery(),
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # a draft is discarded from its own page, one at a time
        return actions

    @admin.display(description=_("state"))
    def state(self, obj):
        return _gettext("Submitted") if obj.is_submitted else _gettext("In progress")

    @admin.display(description=_("rated"))
    def rated(self, obj):
        return f"{obj._rated} / {obj._lines}"

    @admin.display(description=SelfRating.MET.label)
    def met_count(self, obj):
        return obj._met

    @admin.display(description=SelfRating.PARTLY_MET.label)
    def partly_count(self, obj):
        return obj._partly

    @admin.display(description=SelfRating.NOT_MET.label)
    def not_met_count(self, obj):
        return obj._not_met

    @admin.display(description=_("flagged"))
    def flagged_count(self, obj):
        return obj._flagged

    def has_add_permission(self, request):
        return super().has_add_permission(request) and bool(officer_prefecture_ids(request.user))

    def has_change_permission(self, request, obj=None):
        if obj is not None and (obj.is_submitted or not is_officer(request.user, obj.prefecture)):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Only a draft is discarded (started by mistake); a submitted campaign is the label's record.
        if obj is None or obj.is_submitted or not is_officer(request.user, obj.prefecture):
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        self_assessment_discard(campaign=obj, by=request.user)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        campaign = self_assessment_start(
            prefecture=data["prefecture"],
            by=request.user,
            on=data["on"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            sites=data.get("sites") or (),
            note=data.get("note") or "",
        )
        obj.pk, obj.prefecture, obj.on = campaign.pk, campaign.prefecture, campaign.on

    def save_related(self, request, form, formsets, change):
        pass  # the service set the sites

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request, _gettext("Self-assessment started: each engagement is saved on its own."), messages.SUCCESS
        )
        return HttpResponseRedirect(reverse("admin:audits_selfassessment_change", args=[obj.pk]))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/lines/<int:line>/", view(self.line_view), name="audits_selfassessment_line"),
            path("<int:pk>/submit/", view(self.submit_view), name="audits_selfassessment_submit"),
            *not_found_unless_int("lines/<int:line>/", "submit/", view=view),
        ] + super().get_urls()

    # The campaign's page: the grid.

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        campaign = self.scoped_object(request, object_id, related=["prefecture", "started_by", "submitted_by"])
        if request.method == "POST":
            raise PermissionDenied  # each line posts to its own address
        return self.grid_response(request, campaign)

    def grid_response(self, request, campaign, *, bound=None, status=200):
        """The grid of ``campaign``; ``bound``: the form of one line posted back with its errors (nothing a user
        wrote is lost)."""
        may_edit = self._may_edit(request, campaign)
        shown = request.GET.get("show", "")
        lines = judged_lines(
            campaign.lines.select_related("engagement", "version", "edited_by").prefetch_related(line_documents())
        )
        if shown == "flagged":
            lines = lines.filter(flagged=True)
        elif shown == "unrated":
            lines = lines.filter(rating="")
        elif shown == "changed":
            lines = lines.filter(trend__in=[RatingTrend.UP, RatingTrend.DOWN])
        library = document_library(campaign.prefecture_id) if may_edit else None
        today = campaign.prefecture.today()
        rows = []
        for line in lines:
            form = None
            if may_edit:
                form = (
                    bound
                    if bound is not None and bound.prefix == f"line{line.pk}"
                    else LineForm.for_line(line, library=library)
                )
            documents = [
                {"document": document, "validity": Validity(document.validity(today)).label}
                for document in line.documents.all()
            ]
            rows.append({"line": line, "form": form, "documents": documents})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": str(campaign),
            "campaign": campaign,
            "sites": list(campaign.sites.order_by("name").values_list("name", flat=True)),
            "previous": SelfAssessment.objects.previous_of(campaign).first(),
            "totals": summary(campaign),
            "rows": rows,
            "shown": shown,
            "filters": [
                ("", _gettext("All engagements")),
                ("flagged", _gettext("Flagged")),
                ("unrated", _gettext("Not rated yet")),
                ("changed", _gettext("Rating changed since the previous campaign")),
            ],
            "may_edit": may_edit,
            "may_delete": self.has_delete_permission(request, campaign),
            "ratings": SelfRating,
        }
        return TemplateResponse(request, "admin/audits/selfassessment/grid.html", context, status=status)

    def _may_edit(self, request, campaign):
        return (
            not campaign.is_submitted
            and is_officer(request.user, campaign.prefecture)
            and request.user.has_perm("audits.change_selfassessment")
        )

    def _grid_url(self, campaign, anchor=""):
        url = reverse("admin:audits_selfassessment_change", args=[campaign.pk])
        return f"{url}#{anchor}" if anchor else url

    def line_view(self, request, pk, line):
        """Save one line (POST): the grid again at that line, or with the form and its errors when refused."""
        if request.method != "POST":
            raise Http404
        campaign = self.scoped_object(request, pk, related=["prefecture"])
        if not self._may_edit(request, campaign):
            if campaign.is_submitted and is_officer(request.user, campaign.prefecture):
                self.message_user(
                    request,
                    _gettext("This self-assessment was submitted: it cannot be changed any more."),
                    messages.ERROR,
                )
                return HttpResponseRedirect(self._grid_url(campaign))
            raise PermissionDenied
        found = (
            SelfAssessmentLine.objects.filter(campaign=campaign, pk=line)
            .select_related("engagement")
            .prefetch_related("documents")
            .first()
        )
        if found is None:
            raise Http404
        form = LineForm.for_line(found, request.POST)
        if not form.is_valid():
            return self.grid_response(request, campaign, bound=form, status=400)
        data = form.cleaned_data
        try:
            saved = self_assessment_line_save(
                line=found,
                by=request.user,
                how_met=data["how_met"],
                rating=data["rating"],
                comment=data["comment"],
                revision=data["revision"],
                # The form offers only the prefecture's documents; the service checks again.
                documents=Document.objects.for_prefecture(campaign.prefecture).filter(pk__in=data["documents"]),
            )
        except LineConflict as conflict:
            # The text posted stays in the form, made from the revision now stored: saving again is a choice.
            posted = request.POST.copy()
            posted[f"{form.prefix}-revision"] = str(conflict.line.revision)
            form = LineForm.for_line(found, posted)
            form.is_valid()
            form.add_error(None, conflict.messages[0])
            return self.grid_response(request, campaign, bound=form, status=409)
        except ValidationError as refused:
            self.message_user(request, " ".join(refused.messages), messages.ERROR)
            return HttpResponseRedirect(self._grid_url(campaign))
        self.message_user(
            request, _gettext("Line %(code)s saved.") % {"code": saved.engagement.code}, messages.SUCCESS
        )
        return HttpResponseRedirect(self._grid_url(campaign, f"line-{saved.pk}"))

    def submit_view(self, request, pk):
        if request.method != "POST":
            raise Http404
        campaign = self.scoped_object(request, pk, related=["prefecture"])
        if not is_officer(request.user, campaign.prefecture) or not request.user.has_perm(
            "audits.change_selfassessment"
        ):
            raise PermissionDenied
        try:
            self_assessment_submit(campaign=campaign, by=request.user)
        except ValidationError as refused:
            self.message_user(request, " ".join(refused.messages), messages.ERROR)
        else:
            self.message_user(
                request, _gettext("Self-assessment submitted: it is now frozen for the audit."), messages.SUCCESS
            )
        return HttpResponseRedirect(self._grid_url(campaign))
