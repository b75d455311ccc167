"""Meetings (agenda, documents, invitations, attendance), opinions on suggestions and members' comments."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from complaints.enums import Kind, Status
from complaints.models import Case
from qualipref.admin import PrefectureScopedAdmin, PrefectureScopedInline
from qualipref.scoping import scope_queryset

from ..models import AgendaItem, Comment, Document, Invitation, Meeting, SuggestionOpinion
from ..services import (
    agenda_add_suggestions,
    agenda_item_save,
    document_prepare,
    document_save,
    invitation_attendance_save,
    meeting_attendance_prepare,
    meeting_invitations_send,
    meeting_rows_delete,
    meeting_save,
    suggestion_candidates,
    suggestion_opinion_committee,
    suggestion_opinion_record,
)


def _suggestions_for(request, meeting=None, current=()):
    """Suggestions the meeting's committee may examine: forwarded to it, or already chosen (its own
    prefecture's only, once the meeting exists; a new meeting's are checked by ``SameCommitteeFormSet``)."""
    if meeting is not None:
        current = meeting.agenda_items.filter(case__isnull=False).values("case_id")
    suggestions = scope_queryset(Case.objects.all(), request.user).filter(
        Q(kind=Kind.SUGGESTION, status=Status.FORWARDED_TO_COMMITTEE) | Q(pk__in=current)
    )
    if meeting is not None:
        suggestions = suggestions.filter(prefecture_id=meeting.committee.prefecture_id)
    return suggestions


class SameCommitteeFormSet(BaseInlineFormSet):
    """A suggestion on a meeting's agenda, or given an opinion there, is one sent to that committee's prefecture
    (for someone who works for several prefectures, the choices hold them all until the meeting is saved)."""

    def clean(self):
        super().clean()
        committee = self.instance.committee if self.instance.committee_id else None
        if committee is None:
            return
        for form in self.forms:
            data = getattr(form, "cleaned_data", {})
            case = data.get("case")
            if case is not None and not data.get("DELETE") and case.prefecture_id != committee.prefecture_id:
                form.add_error("case", _("This suggestion was sent to another prefecture than this committee's."))


class AgendaItemInline(PrefectureScopedInline):
    model = AgendaItem
    formset = SameCommitteeFormSet
    fields = ["position", "title", "presenter", "description", "case"]
    formfield_overrides = {
        **PrefectureScopedInline.formfield_overrides,
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})},
    }

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.base_fields["case"].queryset = _suggestions_for(request, obj)
        return formset


class DocumentForm(forms.ModelForm):
    class Meta:
        model = Document
        fields = ["title", "kind", "agenda_item", "file"]
        widgets = {"file": forms.FileInput(attrs={"accept": "application/pdf,.pdf"})}

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is not None and hasattr(upload, "content_type"):  # a new upload, not the stored file
            return document_prepare(document=self.instance, upload=upload)  # the sanitised copy is stored
        return upload


class DocumentInline(PrefectureScopedInline):
    model = Document
    form = DocumentForm
    fields = ["title", "kind", "agenda_item", "file", "download"]
    readonly_fields = ["download"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        items = formset.form.base_fields["agenda_item"]
        items.queryset = AgendaItem.objects.filter(meeting=obj) if obj else AgendaItem.objects.none()
        return formset

    @admin.display(description=_("download"))
    def download(self, obj):
        if not obj.pk:
            return "—"
        return format_html(
            '<a href="{}">{}</a> ({} KB)',
            reverse("committee:document", args=[obj.pk]),
            obj.original_name,
            obj.size // 1024,
        )


class InvitationInline(PrefectureScopedInline):
    model = Invitation
    fields = ["member", "sent_at", "attendance"]
    readonly_fields = ["member", "sent_at"]
    verbose_name_plural = _("invitations and attendance")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("member")

    def has_add_permission(self, request, obj=None):
        return False  # invitations are created by “Send the invitations”


class OpinionInline(PrefectureScopedInline):
    model = SuggestionOpinion
    formset = SameCommitteeFormSet
    fk_name = "meeting"
    fields = ["case", "verdict", "text"]
    verbose_name_plural = _("the committee's opinions on suggestions")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.base_fields["case"].queryset = _suggestions_for(request, obj)
        return formset


@admin.register(Meeting)
class MeetingAdmin(PrefectureScopedAdmin):
    list_display = ["title", "date", "start_time", "committee", "working_group", "status", "invited"]
    list_display += ["summary_published"]
    list_filter = ["status", "summary_published", "committee", "working_group"]
    list_select_related = ["committee__prefecture", "working_group"]
    search_fields = ["title", "place"]
    date_hierarchy = "date"
    inlines = [AgendaItemInline, DocumentInline, InvitationInline, OpinionInline]
    readonly_fields = ["local_time_note", "candidates"]
    actions = ["send_invitations", "prepare_attendance", "add_suggestions"]
    fieldsets = [
        (None, {"fields": ["committee", "working_group", "title", "status"]}),
        (_("When and where"), {"fields": ["date", "start_time", "end_time", "local_time_note", "place", "video_url"]}),
        (_("Suggestions forwarded to the committee"), {"fields": ["candidates"]}),
        (_("Minutes and public summary"), {"fields": ["minutes", "public_summary", "summary_published"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_invited=Count("invitations", filter=Q(invitations__sent_at__isnull=False)))
        )

    @admin.display(description=_("invitations sent"), ordering="_invited")
    def invited(self, obj):
        return obj._invited

    @admin.display(description=_("time zone"))
    def local_time_note(self, obj):
        if obj is None or not obj.pk:
            return _("Times are those of the prefecture (Indian/Reunion for La Réunion).")
        return _("Times are those of the prefecture: %(zone)s.") % {"zone": obj.committee.prefecture.time_zone}

    @admin.display(description=_("candidates for the agenda"))
    def candidates(self, obj):
        if obj is None or not obj.pk:
            return "—"
        cases = list(suggestion_candidates(committee=obj.committee).only("reference", "subject")[:20])
        if not cases:
            return _("No forwarded suggestion awaits the committee.")
        listing = format_html_join("", "<li>{}: {}</li>", ((c.reference, c.subject) for c in cases))
        return format_html(
            "<ul>{}</ul><p>{}</p>",
            listing,
            _("Use the action “Put the forwarded suggestions on the agenda” in the list of meetings."),
        )

    def save_model(self, request, obj, form, change):
        meeting_save(meeting=obj, by=request.user)

    def save_formset(self, request, form, formset, change):
        # Every row is written by its service, which checks it whoever calls; the inlines' forms show the same
        # refusals on their fields first.
        for instance in formset.save(commit=False):
            if isinstance(instance, AgendaItem):
                agenda_item_save(item=instance, by=request.user)
            elif isinstance(instance, Invitation):
                invitation_attendance_save(invitation=instance, by=request.user)
            elif isinstance(instance, Document):
                document_save(document=instance, by=request.user)
            elif isinstance(instance, SuggestionOpinion):
                suggestion_opinion_record(
                    case=instance.case,
                    verdict=instance.verdict,
                    text=instance.text,
                    meeting=form.instance,
                    by=request.user,
                    opinion=instance,
                )
            else:
                raise TypeError(f"No service saves {type(instance).__name__} rows: add one before its inline.")
        if formset.deleted_objects:
            meeting_rows_delete(meeting=form.instance, rows=formset.deleted_objects, by=request.user)
        formset.save_m2m()

    @admin.action(description=_("Send the invitations (with a calendar file)"), permissions=["change"])
    def send_invitations(self, request, queryset):
        for meeting in queryset.select_related("committee__prefecture"):
            try:
                count = meeting_invitations_send(meeting=meeting, by=request.user)
            except ValidationError as error:
                self.message_user(request, f"{meeting}: {' '.join(error.messages)}", messages.WARNING)
            else:
                self.message_user(
                    request,
                    ngettext(
                        "%(meeting)s: %(n)d invitation will be sent.",
                        "%(meeting)s: %(n)d invitations will be sent.",
                        count,
                    )
                    % {"meeting": meeting, "n": count},
                    messages.SUCCESS,
                )

    @admin.action(description=_("List the members for the attendance, without e-mail"), permissions=["change"])
    def prepare_attendance(self, request, queryset):
        added = sum(meeting_attendance_prepare(meeting=meeting) for meeting in queryset.select_related("committee"))
        self.message_user(
            request,
            ngettext("%(n)d member added to attendance.", "%(n)d members added to attendance.", added) % {"n": added},
            messages.SUCCESS,
        )

    @admin.action(description=_("Put the forwarded suggestions on the agenda"), permissions=["change"])
    def add_suggestions(self, request, queryset):
        for meeting in queryset.select_related("committee__prefecture"):
            try:
                added = agenda_add_suggestions(meeting=meeting)
            except ValidationError as error:
                self.message_user(request, f"{meeting}: {' '.join(error.messages)}", messages.WARNING)
            else:
                self.message_user(
                    request,
                    ngettext(
                        "%(meeting)s: %(n)d suggestion added to the agenda.",
                        "%(meeting)s: %(n)d suggestions added to the agenda.",
                        len(added),
                    )
                    % {"meeting": meeting, "n": len(added)},
                    messages.SUCCESS,
                )


class SuggestionOpinionForm(forms.ModelForm):
    class Meta:
        model = SuggestionOpinion
        fields = ["case", "meeting", "verdict", "text"]

    def clean(self):
        cleaned = super().clean()
        case = cleaned.get("case")
        if case is not None:
            try:
                self.instance.committee = suggestion_opinion_committee(case=case)  # for the model's checks
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


@admin.register(SuggestionOpinion)
class SuggestionOpinionAdmin(PrefectureScopedAdmin):
    form = SuggestionOpinionForm
    list_display = ["case", "verdict", "meeting", "committee", "recorded_at"]
    list_filter = ["verdict", "committee"]
    list_select_related = ["case", "meeting", "committee__prefecture"]
    search_fields = ["case__reference", "text"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "case":
            kwargs["queryset"] = _suggestions_for(request, current=SuggestionOpinion.objects.values("case_id"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        suggestion_opinion_record(
            case=obj.case, verdict=obj.verdict, text=obj.text, meeting=obj.meeting, by=request.user, opinion=obj
        )


@admin.register(Comment)
class CommentAdmin(PrefectureScopedAdmin):
    """Members' comments, for reading and moderation (deletion): officers do not write them."""

    list_display = ["excerpt", "member", "agenda_item", "meeting", "created_at"]
    list_select_related = ["member", "agenda_item__meeting__committee__prefecture"]
    search_fields = ["body", "member__last_name"]
    readonly_fields = ["agenda_item", "member", "body", "created_at"]

    @admin.display(description=_("comment"))
    def excerpt(self, obj):
        return obj.body if len(obj.body) <= 80 else f"{obj.body[:79]}…"

    @admin.display(description=_("meeting"))
    def meeting(self, obj):
        return obj.agenda_item.meeting

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
