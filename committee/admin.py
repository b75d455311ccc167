"""The committee in the admin, scoped to the officer's prefectures; writes with a rule go through a service."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from complaints.enums import Kind, Status
from complaints.models import Case
from qualipref.admin import PrefectureScopedAdmin, PrefectureScopedInline
from qualipref.scoping import scope_queryset

from .enums import ActionStatus
from .models import (
    ActionTransition,
    AgendaItem,
    Comment,
    Committee,
    Document,
    ImprovementAction,
    Invitation,
    Meeting,
    Member,
    SuggestionOpinion,
    WorkingGroup,
)
from .services import (
    action_transition,
    agenda_add_suggestions,
    document_prepare,
    has_origin,
    meeting_attendance_prepare,
    meeting_invitations_send,
    meeting_save,
    member_account_invite,
    suggestion_candidates,
)
from .workflow import TransitionRefused, allowed_next, check_transition

OVERDUE_STYLE = "color: #ce0500; font-weight: bold;"  # DSFR's error red


def _suggestions_for(request, current_ids=()):
    """Suggestions the committee may examine: forwarded to it, or already chosen."""
    return scope_queryset(Case.objects.all(), request.user).filter(
        Q(kind=Kind.SUGGESTION, status=Status.FORWARDED_TO_COMMITTEE) | Q(pk__in=current_ids)
    )


@admin.register(Committee)
class CommitteeAdmin(PrefectureScopedAdmin):
    list_display = ["name", "prefecture", "members_count"]
    list_select_related = ["prefecture"]
    search_fields = ["name", "prefecture__name"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_members=Count("members", filter=Q(members__is_active=True), distinct=True))
        )

    @admin.display(description=_("active members"), ordering="_members")
    def members_count(self, obj):
        return obj._members


@admin.register(Member)
class MemberAdmin(PrefectureScopedAdmin):
    list_display = ["__str__", "category", "organisation", "committee", "is_active", "term_end", "name_is_public"]
    list_display += ["has_account"]
    list_filter = ["category", "is_active", "name_is_public", "committee"]
    list_select_related = ["committee__prefecture", "user"]
    search_fields = ["first_name", "last_name", "organisation", "email"]
    readonly_fields = ["user", "account_invited_at", "name_consent_at"]
    actions = ["invite_to_space"]
    fieldsets = [
        (None, {"fields": ["committee", "first_name", "last_name", "category", "organisation"]}),
        (_("Contact"), {"fields": ["email", "phone"]}),
        (_("Term"), {"fields": ["term_start", "term_end", "is_active"]}),
        (_("Publication"), {"fields": ["name_is_public", "name_consent_at"]}),
        (_("Members' space"), {"fields": ["user", "account_invited_at"]}),
    ]

    @admin.display(description=_("account"), boolean=True)
    def has_account(self, obj):
        return bool(obj.user_id and obj.user.has_usable_password())

    @admin.action(description=_("Send an invitation to the members' space (link to set a password)"))
    def invite_to_space(self, request, queryset):
        sent = 0
        for member in queryset.select_related("committee__prefecture"):
            try:
                member_account_invite(member=member, by=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.WARNING)
            else:
                sent += 1
        if sent:
            self.message_user(
                request,
                ngettext("%(n)d invitation sent.", "%(n)d invitations sent.", sent) % {"n": sent},
                messages.SUCCESS,
            )


class WorkingGroupForm(forms.ModelForm):
    class Meta:
        model = WorkingGroup
        fields = ["committee", "theme", "mandate", "members", "conclusions", "conclusions_published", "is_active"]
        fields += ["created_on"]

    def clean(self):
        cleaned = super().clean()
        committee, members = cleaned.get("committee"), cleaned.get("members")
        if committee and members and any(m.committee_id != committee.pk for m in members):
            self.add_error("members", _("Choose members of this working group's committee only."))
        return cleaned


@admin.register(WorkingGroup)
class WorkingGroupAdmin(PrefectureScopedAdmin):
    form = WorkingGroupForm
    list_display = ["theme", "committee", "is_active", "conclusions_published", "members_count"]
    list_filter = ["is_active", "committee"]
    list_select_related = ["committee__prefecture"]
    search_fields = ["theme", "mandate"]
    filter_horizontal = ["members"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_members=Count("members", distinct=True))

    @admin.display(description=_("members"), ordering="_members")
    def members_count(self, obj):
        return obj._members


class AgendaItemInline(PrefectureScopedInline):
    model = AgendaItem
    fields = ["position", "title", "presenter", "description", "case"]
    formfield_overrides = {
        **PrefectureScopedInline.formfield_overrides,
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})},
    }

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        current = obj.agenda_items.filter(case__isnull=False).values("case_id") if obj else []
        formset.form.base_fields["case"].queryset = _suggestions_for(request, current)
        return formset


class DocumentForm(forms.ModelForm):
    class Meta:
        model = Document
        fields = ["title", "kind", "agenda_item", "file"]
        widgets = {"file": forms.FileInput(attrs={"accept": "application/pdf,.pdf"})}

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is not None and hasattr(upload, "content_type"):  # a new upload, not the stored file
            document_prepare(document=self.instance, upload=upload)
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
    fk_name = "meeting"
    fields = ["case", "verdict", "text"]
    verbose_name_plural = _("the committee's opinions on suggestions")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        current = obj.agenda_items.filter(case__isnull=False).values("case_id") if obj else []
        formset.form.base_fields["case"].queryset = _suggestions_for(request, current)
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
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, Document) and not instance.uploaded_by_id:
                instance.uploaded_by = request.user
            if isinstance(instance, SuggestionOpinion):
                instance.committee = form.instance.committee
                instance.recorded_by = request.user
                instance.recorded_at = timezone.now()
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()

    @admin.action(description=_("Send the invitations (with a calendar file)"))
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

    @admin.action(description=_("List the members for the attendance, without e-mail"))
    def prepare_attendance(self, request, queryset):
        added = sum(meeting_attendance_prepare(meeting=meeting) for meeting in queryset.select_related("committee"))
        self.message_user(
            request,
            ngettext("%(n)d member added to attendance.", "%(n)d members added to attendance.", added) % {"n": added},
            messages.SUCCESS,
        )

    @admin.action(description=_("Put the forwarded suggestions on the agenda"))
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
            committee = Committee.objects.filter(prefecture_id=case.prefecture_id).first()
            if committee is None:
                raise ValidationError(_("This prefecture has no users' committee yet."))
            self.instance.committee = committee
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
            kwargs["queryset"] = _suggestions_for(request, SuggestionOpinion.objects.values("case_id"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        obj.recorded_by, obj.recorded_at = request.user, timezone.now()
        super().save_model(request, obj, form, change)


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


class OverdueFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("On time"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.overdue()
        if self.value() == "no":
            return queryset.exclude(pk__in=queryset.overdue().values("pk"))
        return queryset


class ActionTransitionInline(PrefectureScopedInline):
    model = ActionTransition
    fields = ["at", "from_status", "to_status", "by", "note"]
    readonly_fields = fields
    verbose_name_plural = _("status history")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ImprovementActionForm(forms.ModelForm):
    new_status = forms.ChoiceField(label=_("change the status to"), required=False)
    transition_note = forms.CharField(
        label=_("why (kept in the history)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = ImprovementAction
        fields = ["prefecture", "title", "description", "origin_cases", "origin_meeting", "origin_working_group"]
        fields += ["origin_survey_question", "public_origin", "owner", "service", "due_on", "indicator", "outcome"]
        fields += ["is_public"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.status if self.instance.pk else ActionStatus.PROPOSED
        self.fields["new_status"].choices = [("", "—")] + [(s.value, s.label) for s in allowed_next(current)]

    def clean(self):
        cleaned = super().clean()
        if not has_origin(
            cases=cleaned.get("origin_cases") or (),
            meeting=cleaned.get("origin_meeting"),
            working_group=cleaned.get("origin_working_group"),
            survey_question=cleaned.get("origin_survey_question") or "",
        ):
            raise ValidationError(
                _(
                    "Say what raised this action: complaints or suggestions, a survey question, "
                    "a committee meeting or a working group."
                )
            )
        prefecture = cleaned.get("prefecture")
        foreign = [
            c.reference for c in cleaned.get("origin_cases") or () if prefecture and c.prefecture_id != prefecture.pk
        ]
        if foreign:
            self.add_error("origin_cases", _("These cases belong to another prefecture: %s.") % ", ".join(foreign))
        target = cleaned.get("new_status")
        if target:
            try:
                check_transition(self.instance.status if self.instance.pk else ActionStatus.PROPOSED, target)
            except TransitionRefused as refused:
                self.add_error("new_status", refused.message)
            if target == ActionStatus.DONE and not (cleaned.get("outcome") or "").strip():
                self.add_error(
                    "outcome", _("Describe the outcome (the measured effect) before marking the action done.")
                )
            if target == ActionStatus.ABANDONED and not (cleaned.get("transition_note") or "").strip():
                self.add_error("transition_note", _("Say why the action is abandoned: the reason is kept."))
        return cleaned


@admin.register(ImprovementAction)
class ImprovementActionAdmin(PrefectureScopedAdmin):
    form = ImprovementActionForm
    list_display = ["title", "status", "due", "owner", "service", "origins", "prefecture"]
    list_filter = ["status", OverdueFilter, "prefecture", "service"]
    list_select_related = ["prefecture", "owner", "service", "origin_meeting", "origin_working_group"]
    search_fields = ["title", "description", "indicator"]
    raw_id_fields = ["origin_cases"]
    readonly_fields = ["status", "done_on", "trace"]
    inlines = [ActionTransitionInline]
    actions = ["mark_planned", "mark_in_progress", "mark_done"]
    fieldsets = [
        (None, {"fields": ["prefecture", "title", "description"]}),
        (
            _("What raised it"),
            {
                "fields": [
                    "origin_cases",
                    "origin_meeting",
                    "origin_working_group",
                    "origin_survey_question",
                    "public_origin",
                    "trace",
                ]
            },
        ),
        (_("Who and when"), {"fields": ["owner", "service", "due_on", "indicator"]}),
        (_("Status"), {"fields": ["status", "new_status", "transition_note", "done_on"]}),
        (_("Result"), {"fields": ["outcome", "is_public"]}),
    ]

    def get_autocomplete_fields(self, request):
        # Search cases by reference when the complaints admin offers it; raw ids otherwise.
        case_admin = self.admin_site._registry.get(Case)
        return ["origin_cases"] if case_admin and case_admin.search_fields else []

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_cases=Count("origin_cases"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":
            from qualipref.models import User

            kwargs["queryset"] = scope_queryset(User.objects.filter(is_staff=True), request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("due on"), ordering="due_on")
    def due(self, obj):
        if obj.due_on is None:
            return "—"
        if obj.is_overdue():
            return format_html(
                '<span style="{}">{} – {}</span>', OVERDUE_STYLE, obj.due_on.strftime("%d/%m/%Y"), _("overdue")
            )
        return obj.due_on.strftime("%d/%m/%Y")

    @admin.display(description=_("raised by"))
    def origins(self, obj):
        parts = []
        if obj._cases:
            parts.append(ngettext("%(n)d case", "%(n)d cases", obj._cases) % {"n": obj._cases})
        if obj.origin_meeting_id:
            parts.append(str(obj.origin_meeting))
        if obj.origin_working_group_id:
            parts.append(str(obj.origin_working_group))
        if obj.origin_survey_question:
            parts.append(str(_("survey")))
        return ", ".join(parts) or "—"

    @admin.display(description=_("trace"))
    def trace(self, obj):
        """Links back to every origin, for the auditor following a result to its evidence."""
        if obj is None or not obj.pk:
            return "—"
        cases_in_admin = Case in self.admin_site._registry
        links = [
            (
                reverse("admin:complaints_case_change", args=[case.pk]) if cases_in_admin else "#",
                f"{case.reference} – {case.subject}",
            )
            for case in obj.origin_cases.only("reference", "subject")[:50]
        ]
        if obj.origin_meeting_id:
            links.append(
                (reverse("admin:committee_meeting_change", args=[obj.origin_meeting_id]), str(obj.origin_meeting))
            )
        if obj.origin_working_group_id:
            links.append(
                (
                    reverse("admin:committee_workinggroup_change", args=[obj.origin_working_group_id]),
                    str(obj.origin_working_group),
                )
            )
        if not links:
            return "—"
        return format_html("<ul>{}</ul>", format_html_join("", '<li><a href="{}">{}</a></li>', links))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        action = form.instance
        if not change:
            ActionTransition.objects.create(action=action, from_status="", to_status=action.status, by=request.user)
        target = form.cleaned_data.get("new_status")
        if target:
            action_transition(
                action=action, to=target, by=request.user, note=form.cleaned_data.get("transition_note", "")
            )

    def _bulk_transition(self, request, queryset, target):
        moved = 0
        for action in queryset:
            try:
                action_transition(action=action, to=target, by=request.user)
            except TransitionRefused as refused:
                self.message_user(request, f"{action}: {refused.message}", messages.WARNING)
            else:
                moved += 1
        if moved:
            self.message_user(
                request,
                ngettext("%(n)d action changed.", "%(n)d actions changed.", moved) % {"n": moved},
                messages.SUCCESS,
            )

    @admin.action(description=_("Mark as planned"))
    def mark_planned(self, request, queryset):
        self._bulk_transition(request, queryset, ActionStatus.PLANNED)

    @admin.action(description=_("Mark as in progress"))
    def mark_in_progress(self, request, queryset):
        self._bulk_transition(request, queryset, ActionStatus.IN_PROGRESS)

    @admin.action(description=_("Mark as done (the outcome must be written)"))
    def mark_done(self, request, queryset):
        self._bulk_transition(request, queryset, ActionStatus.DONE)
