"""Findings in the admin: the auditor records them; the prefecture answers with a corrective action and asks for
closure; the auditor accepts the closure or refuses it, saying why."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from committee.models import ImprovementAction
from qualipref.admin import PrefectureScopedAdmin, PrefectureScopedInline
from qualipref.scoping import scope_queryset
from qualipref.workflow import TransitionRefused, refusal_message

from ..enums import AuditStatus, FindingStatus
from ..models import Audit, Finding, FindingTransition
from ..perms import is_auditor_of, is_officer
from ..services import (
    finding_accept_closure,
    finding_answer,
    finding_check,
    finding_record,
    finding_refuse_closure,
    finding_request_closure,
)

F = FindingStatus

ANSWER, REQUEST, ACCEPT, REFUSE = "answer", "request_closure", "accept", "refuse"
DECISIONS = {
    ANSWER: _("Answer with a corrective action"),
    REQUEST: _("Ask the auditor to close the finding (the action is done)"),
    ACCEPT: _("Accept the closure: the corrective action is done"),
    REFUSE: _("Refuse the closure (say why)"),
}


def decisions_for(user, finding):
    """What ``user`` may do with ``finding`` now: the officers' moves and the auditor's."""
    found = []
    if is_officer(user, finding.prefecture):
        if finding.status == F.OPEN:
            found.append(ANSWER)
        if finding.status == F.ACTION_PLANNED:
            found.append(REQUEST)
    if is_auditor_of(user, finding.audit):
        if finding.status in (F.ACTION_PLANNED, F.CLOSURE_REQUESTED):
            found.append(ACCEPT)
        if finding.status == F.CLOSURE_REQUESTED:
            found.append(REFUSE)
    return found


class FindingTransitionInline(PrefectureScopedInline):
    model = FindingTransition
    fields = ["at", "from_status", "to_status", "by", "note"]
    readonly_fields = fields
    verbose_name_plural = _("status history")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FindingAddForm(forms.ModelForm):
    class Meta:
        model = Finding
        fields = ["audit", "kind", "engagement", "statement", "action_due_on", "site", "case", "evidence", "document"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("audit") and cleaned.get("kind") and cleaned.get("engagement"):
            try:
                finding_check(
                    audit=cleaned["audit"],
                    kind=cleaned["kind"],
                    engagement=cleaned["engagement"],
                    action_due_on=cleaned.get("action_due_on"),
                    site=cleaned.get("site"),
                    case=cleaned.get("case"),
                    evidence=cleaned.get("evidence"),
                    document=cleaned.get("document"),
                )
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned

    def _post_clean(self):
        # The finding's prefecture, number and status are the service's; the checks above are the form's.
        pass


class FindingDecisionForm(forms.ModelForm):
    decision = forms.ChoiceField(label=_("what to do"), required=False)
    action_title = forms.CharField(label=_("corrective action: title"), required=False, max_length=200)
    existing_action = forms.ModelChoiceField(
        label=_("or an improvement action already recorded"),
        queryset=ImprovementAction.objects.none(),
        required=False,
    )
    decision_note = forms.CharField(
        label=_("note (the reason, for a refusal)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = Finding
        fields = []

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if (
            decision == ANSWER
            and not (cleaned.get("action_title") or "").strip()
            and not cleaned.get("existing_action")
        ):
            self.add_error("action_title", _("Give the corrective action's title, or pick an existing action."))
        if decision == REFUSE and not (cleaned.get("decision_note") or "").strip():
            self.add_error("decision_note", _("Say why the closure is refused: the prefecture reads it."))
        return cleaned


@admin.register(Finding)
class FindingAdmin(PrefectureScopedAdmin):
    list_display = ["reference", "kind", "engagement", "status", "action_due_on", "action_link", "audit", "prefecture"]
    list_filter = ["kind", "status", "prefecture"]
    list_select_related = ["engagement", "corrective_action", "audit__prefecture", "prefecture"]
    search_fields = ["reference", "statement"]
    raw_id_fields = ["case", "evidence"]
    inlines = [FindingTransitionInline]
    shown = [
        "reference",
        "audit",
        "kind",
        "engagement",
        "statement",
        "site",
        "case",
        "evidence",
        "document_link",
        "action_due_on",
    ]
    readonly_fields = [*shown, "status", "action_link", "recorded_by", "recorded_at", "closed_by", "closed_at"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = FindingAddForm if obj is None else FindingDecisionForm
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            allowed = decisions_for(request.user, obj)
            form.base_fields["decision"].choices = [("", "—")] + [(d, DECISIONS[d]) for d in allowed]
            form.base_fields["existing_action"].queryset = scope_queryset(
                ImprovementAction.objects.filter(prefecture=obj.prefecture).open(), request.user
            )
        return form

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_inlines(self, request, obj):
        return [] if obj is None else self.inlines

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (None, {"fields": ["audit", "kind", "engagement", "statement", "action_due_on"]}),
                (_("Where (optional)"), {"fields": ["site", "case", "evidence", "document"]}),
            ]
        fieldsets = [
            (None, {"fields": self.shown}),
            (
                _("Follow-up"),
                {"fields": ["status", "action_link", "recorded_by", "recorded_at", "closed_by", "closed_at"]},
            ),
        ]
        allowed = decisions_for(request.user, obj)
        if allowed:
            fields = ["decision"]
            if ANSWER in allowed:
                fields += ["action_title", "existing_action"]
            fields.append("decision_note")
            fieldsets.append((_("Decision"), {"fields": fields}))
        return fieldsets

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "audit":
            # Only the auditor's own audits not yet signed take new findings.
            formfield.queryset = formfield.queryset.filter(
                auditor=request.user, status__in=[AuditStatus.PLANNED, AuditStatus.IN_PROGRESS]
            )
        if db_field.name == "engagement":
            formfield.queryset = formfield.queryset.filter(is_active=True)
        if db_field.name == "document":
            # The documents of the prefectures of the auditor's open audits (the service checks the audit's own).
            open_audits = Audit.objects.filter(
                auditor=request.user, status__in=[AuditStatus.PLANNED, AuditStatus.IN_PROGRESS]
            )
            formfield.queryset = formfield.queryset.filter(prefecture__in=open_audits.values("prefecture"))
        return formfield

    def has_add_permission(self, request):
        return super().has_add_permission(request) and Audit.objects.filter(auditor=request.user).exists()

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("corrective action"))
    def action_link(self, obj):
        action = obj.corrective_action
        if action is None:
            return "—"
        url = reverse("admin:committee_improvementaction_change", args=[action.pk])
        return format_html('<a href="{}">{}</a> ({})', url, action.title, action.get_status_display())

    @admin.display(description=_("evidence document"))
    def document_link(self, obj):
        document = obj.document
        if document is None:
            return "—"
        version = document.current_version
        if version is None:
            return document.title
        # The link alone, its details inside it (as on the document's own page).
        label = gettext("%(title)s (version %(number)s)") % {"title": document.title, "number": version.number}
        return format_html('<a href="{}" download>{}</a>', version.get_download_url(), label)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            saved = finding_record(
                audit=data["audit"],
                by=request.user,
                kind=data["kind"],
                engagement=data["engagement"],
                statement=data["statement"],
                action_due_on=data.get("action_due_on"),
                site=data.get("site"),
                case=data.get("case"),
                evidence=data.get("evidence"),
                document=data.get("document"),
            )
            obj.pk, obj.reference, obj.kind = saved.pk, saved.reference, saved.kind
            return
        decision, note = data.get("decision"), data.get("decision_note") or ""
        try:
            if decision == ANSWER:
                existing = data.get("existing_action")
                finding_answer(
                    finding=obj,
                    by=request.user,
                    title=data.get("action_title") or (existing.title if existing else ""),
                    action=existing,
                )
            elif decision == REQUEST:
                finding_request_closure(finding=obj, by=request.user, note=note)
            elif decision == ACCEPT:
                finding_accept_closure(finding=obj, by=request.user, note=note)
            elif decision == REFUSE:
                finding_refuse_closure(finding=obj, by=request.user, note=note)
        except (TransitionRefused, ValidationError) as refused:
            self.message_user(request, refusal_message(refused), level="warning")

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
