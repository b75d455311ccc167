"""Audits in the admin: planned by officers, signed off by their auditor (an action), the signed report kept."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from qualipref.admin import PrefectureScopedAdmin, PrefectureScopedInline
from qualipref.enums import Role
from qualipref.models import User
from qualipref.workflow import TransitionRefused, refusal_message

from ..enums import AuditStatus
from ..models import Audit, AuditTransition, Finding
from ..perms import is_officer
from ..selfassessment import latest_submitted_for_audit
from ..services import audit_check, audit_save, audit_sign, audit_transition
from ..workflow import AUDIT_WORKFLOW


class AuditTransitionInline(PrefectureScopedInline):
    model = AuditTransition
    fields = ["at", "from_status", "to_status", "by", "note"]
    readonly_fields = fields
    verbose_name_plural = _("status history")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FindingInline(PrefectureScopedInline):
    model = Finding
    fields = ["finding_link", "kind", "engagement", "status", "action_due_on", "corrective_action"]
    readonly_fields = fields
    verbose_name_plural = _("findings")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("engagement", "corrective_action")

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("reference"))
    def finding_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:audits_finding_change", args=[obj.pk]), obj.reference)


class AuditForm(forms.ModelForm):
    new_status = forms.ChoiceField(label=_("change the status to"), required=False)
    transition_note = forms.CharField(
        label=_("why (kept in the history)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = Audit
        fields = ["cycle", "kind", "starts_on", "ends_on", "auditor", "sites", "sampled_cases", "scope_note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "new_status" in self.fields:
            current = self.instance.status if self.instance.pk else AuditStatus.PLANNED
            allowed = [s for s in AUDIT_WORKFLOW.allowed_next(current) if s != AuditStatus.SIGNED]
            self.fields["new_status"].choices = [("", "—")] + [(s.value, s.label) for s in allowed]

    def clean(self):
        cleaned = super().clean()
        cycle, auditor = cleaned.get("cycle"), cleaned.get("auditor")
        if cycle and auditor and cleaned.get("kind"):
            try:
                audit_check(
                    cycle=cycle,
                    kind=cleaned["kind"],
                    auditor=auditor,
                    sites=cleaned.get("sites") or (),
                    sampled_cases=cleaned.get("sampled_cases") or (),
                )
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


@admin.register(Audit)
class AuditAdmin(PrefectureScopedAdmin):
    form = AuditForm
    list_display = ["__str__", "prefecture", "kind", "status", "starts_on", "auditor", "findings_count"]
    list_filter = ["kind", "status", "prefecture"]
    list_select_related = ["prefecture", "auditor"]
    raw_id_fields = ["sampled_cases"]
    filter_horizontal = ["sites"]
    readonly_fields = ["status", "signed_by", "signed_at", "signed_sha256", "signed_report_link", "self_assessment"]
    inlines = [FindingInline, AuditTransitionInline]
    actions = ["sign_off"]

    def get_fieldsets(self, request, obj=None):
        plan = ["cycle", "kind", "starts_on", "ends_on", "auditor", "sites", "sampled_cases", "scope_note"]
        if obj is None:
            return [(None, {"fields": plan})]
        status = ["status"]
        if self._plans(request, obj) and obj.status != AuditStatus.SIGNED:
            status += ["new_status", "transition_note"]
        return [
            (None, {"fields": plan}),
            (_("Self-assessment"), {"fields": ["self_assessment"]}),
            (_("Status"), {"fields": status}),
            (_("Signed report"), {"fields": ["signed_by", "signed_at", "signed_sha256", "signed_report_link"]}),
        ]

    def _plans(self, request, obj):
        """An officer of the audit's prefecture plans it; the auditor reads the plan."""
        return obj is None or is_officer(request.user, obj.prefecture)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and (obj.status == AuditStatus.SIGNED or not self._plans(request, obj)):
            return [
                *self.readonly_fields,
                "cycle",
                "kind",
                "starts_on",
                "ends_on",
                "auditor",
                "sites",
                "sampled_cases",
                "scope_note",
            ]
        return self.readonly_fields

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_findings=Count("findings"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "auditor":
            # Auditors of the user's prefectures (the service checks the audit's own prefecture).
            from qualipref.scoping import scope_queryset

            formfield.queryset = scope_queryset(
                User.objects.filter(memberships__role=Role.AUDITOR).distinct(), request.user
            )
        return formfield

    @admin.display(description=_("findings"))
    def findings_count(self, obj):
        return obj._findings

    @admin.display(description=_("self-assessment submitted before the audit"))
    def self_assessment(self, obj):
        """What the prefecture said of itself before the visit: the auditor reads it from here."""
        campaign = latest_submitted_for_audit(obj) if obj is not None else None
        if campaign is None:
            return _("No self-assessment submitted yet.")
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:audits_selfassessment_change", args=[campaign.pk]), campaign
        )

    @admin.display(description=_("signed report (JSON)"))
    def signed_report_link(self, obj):
        if obj is None or not obj.signed_sha256:
            return "—"
        return format_html('<a href="{}">{}</a>', obj.get_signed_report_url(), _("download what was signed"))

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        audit_save(audit=obj, by=request.user, sites=data.get("sites"), sampled_cases=data.get("sampled_cases"))
        if data.get("new_status"):
            try:
                audit_transition(
                    audit=obj, to=data["new_status"], by=request.user, note=data.get("transition_note", "")
                )
            except (TransitionRefused, ValidationError) as refused:
                self.message_user(request, refusal_message(refused), messages.WARNING)

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.action(description=_("Sign off the audit report (the audit's auditor)"), permissions=["change"])
    def sign_off(self, request, queryset):
        signed = 0
        for audit in queryset.select_related("prefecture"):
            try:
                audit_sign(audit=audit, by=request.user)
            except (TransitionRefused, ValidationError, PermissionDenied) as refused:
                message = refusal_message(refused) if not isinstance(refused, PermissionDenied) else str(refused)
                self.message_user(request, f"{audit}: {message}", messages.WARNING)
            else:
                signed += 1
        if signed:
            self.message_user(
                request,
                ngettext("%(n)d audit report signed.", "%(n)d audit reports signed.", signed) % {"n": signed},
                messages.SUCCESS,
            )

    def get_urls(self):
        return [
            path(
                "<int:pk>/signed-report/",
                self.admin_site.admin_view(self.signed_report_view),
                name="audits_audit_signed_report",
            )
        ] + super().get_urls()

    def signed_report_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        audit = self.scoped_object(request, pk)
        if not audit.signed_content:
            raise Http404
        # What is sent is the JSON that was signed, byte for byte: its SHA-256 is the one shown.
        response = HttpResponse(audit.signed_content.encode("utf-8"), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="audit-{audit.pk}-{audit.signed_sha256[:12]}.json"'
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response

    def has_change_permission(self, request, obj=None):
        # The auditor reads the plan (and signs from the list); officers change it.
        if obj is not None and not self._plans(request, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False
