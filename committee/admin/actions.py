"""Improvement actions in the admin: due dates, origins, status changes through the workflow."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from complaints.models import Case
from qualipref.admin import PrefectureScopedAdmin, PrefectureScopedInline
from qualipref.scoping import scope_queryset
from qualipref.workflow import TransitionRefused, refusal_message

from ..enums import ActionStatus
from ..models import ActionTransition, ImprovementAction
from ..origins import external_origins, has_external_origin, prefetch_origins
from ..services import action_check, action_save, action_transition
from ..workflow import allowed_next

OVERDUE_STYLE = "color: #ce0500; font-weight: bold;"  # DSFR's error red


class OverdueFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("soon", _("Due within 30 days (overdue included)")), ("no", _("On time"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.overdue()
        if self.value() == "soon":
            return queryset.due_soon()
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
        try:
            action_check(
                prefecture=cleaned.get("prefecture"),
                origin_cases=cleaned.get("origin_cases") or (),
                origin_meeting=cleaned.get("origin_meeting"),
                origin_working_group=cleaned.get("origin_working_group"),
                origin_survey_question=cleaned.get("origin_survey_question") or "",
                current=self.instance.status if self.instance.pk else ActionStatus.PROPOSED,
                new_status=cleaned.get("new_status") or "",
                outcome=cleaned.get("outcome") or "",
                note=cleaned.get("transition_note") or "",
                external_origin=has_external_origin(self.instance),
            )
        except TransitionRefused as refused:
            self.add_error("new_status", refused.message)
        except ValidationError as error:
            self.add_error(None, error)
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
        return prefetch_origins(super().get_queryset(request).annotate(_cases=Count("origin_cases")))

    # The origins kept by higher apps (an audit's finding) are linked only for whoever may view them: the rows of
    # the list and the object of the change page carry who reads them.
    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        for action in changelist.result_list:
            action.viewer = request.user
        return changelist

    def get_object(self, request, object_id, from_field=None):
        action = super().get_object(request, object_id, from_field)
        if action is not None:
            action.viewer = request.user
        return action

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
        external = external_origins(obj, getattr(obj, "viewer", None))
        if not parts and not external:
            return "—"
        return format_html_join(
            ", ",
            "{}",
            [(part,) for part in parts]
            + [(format_html('<a href="{}">{}</a>', url, label) if url else label,) for url, label in external],
        )

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
        items = [format_html('<a href="{}">{}</a>', url, label) for url, label in links]
        items += [
            format_html('<a href="{}">{}</a>', url, label) if url else label
            for url, label in external_origins(obj, getattr(obj, "viewer", None))
        ]
        if not items:
            return "—"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((item,) for item in items)))

    def save_model(self, request, obj, form, change):
        action_save(
            action=obj,
            origin_cases=form.cleaned_data.get("origin_cases") or (),
            by=request.user,
            new_status=form.cleaned_data.get("new_status") or "",
            note=form.cleaned_data.get("transition_note") or "",
        )

    def save_related(self, request, form, formsets, change):
        # ``action_save`` set the origins (the form's many-to-many); the history inline is read-only.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def _bulk_transition(self, request, queryset, target):
        moved = 0
        for action in queryset:
            try:
                action_transition(action=action, to=target, by=request.user)
            except (TransitionRefused, ValidationError) as refused:
                self.message_user(request, f"{action}: {refusal_message(refused)}", messages.WARNING)
            else:
                moved += 1
        if moved:
            self.message_user(
                request,
                ngettext("%(n)d action changed.", "%(n)d actions changed.", moved) % {"n": moved},
                messages.SUCCESS,
            )

    @admin.action(description=_("Mark as planned"), permissions=["change"])
    def mark_planned(self, request, queryset):
        self._bulk_transition(request, queryset, ActionStatus.PLANNED)

    @admin.action(description=_("Mark as in progress"), permissions=["change"])
    def mark_in_progress(self, request, queryset):
        self._bulk_transition(request, queryset, ActionStatus.IN_PROGRESS)

    @admin.action(description=_("Mark as done (the outcome must be written)"), permissions=["change"])
    def mark_done(self, request, queryset):
        self._bulk_transition(request, queryset, ActionStatus.DONE)
