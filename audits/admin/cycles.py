"""The label's cycle in the admin: the application, each step with its date and document, the certificate."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Min, Q
from django.urls import path
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from qualipref.admin import PrefectureScopedAdmin, PrefectureScopedInline
from qualipref.uploads import validate_upload
from qualipref.workflow import TransitionRefused

from ..cycle import next_due
from ..enums import AuditKind, AuditStatus
from ..models import CycleStep, LabelCycle
from ..services import label_cycle_apply, label_cycle_check, label_cycle_transition, label_cycle_update
from ..workflow import CYCLE_WORKFLOW
from .downloads import private_file

ACCEPT = {"accept": "application/pdf,image/jpeg,image/png"}


class CycleStepInline(PrefectureScopedInline):
    model = CycleStep
    fields = ["on", "from_status", "to_status", "by", "note", "document_link", "at"]
    readonly_fields = fields
    verbose_name_plural = _("steps of the cycle")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("document"))
    def document_link(self, obj):
        if not obj.document:
            return "—"
        return format_html('<a href="{}">{}</a>', obj.get_document_url(), obj.document_name)


class LabelCycleForm(forms.ModelForm):
    new_status = forms.ChoiceField(label=_("next step"), required=False)
    step_on = forms.DateField(label=_("date of the step"), required=False)
    step_note = forms.CharField(
        label=_("note (the reason, for a suspension or a withdrawal)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    step_document = forms.FileField(
        label=_("document (the certificate, for an award or a renewal)"),
        required=False,
        widget=forms.ClearableFileInput(attrs=ACCEPT),
    )

    class Meta:
        model = LabelCycle
        fields = ["prefecture", "label", "sites", "applied_on", "certifying_body"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            choices = CYCLE_WORKFLOW.allowed_next(self.instance.status)
            self.fields["new_status"].choices = [("", "—")] + [(s.value, s.label) for s in choices]
        else:
            self.fields["new_status"].choices = [("", "—")]

    def clean_step_document(self):
        upload = self.cleaned_data.get("step_document")
        return validate_upload(upload) if upload else None

    def clean(self):
        cleaned = super().clean()
        prefecture, label = cleaned.get("prefecture"), cleaned.get("label")
        current = LabelCycle.objects.current().filter(prefecture=prefecture, label=label)
        if not self.instance.pk and prefecture and label and current.exists():
            self.add_error("label", _("This prefecture already has a current cycle for this label."))
        if self.instance.pk and cleaned.get("new_status"):
            try:
                label_cycle_check(
                    cycle=self.instance,
                    to=cleaned["new_status"],
                    on=cleaned.get("step_on"),
                    note=cleaned.get("step_note") or "",
                )
            except TransitionRefused as refused:
                self.add_error("new_status", refused.message)
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


@admin.register(LabelCycle)
class LabelCycleAdmin(PrefectureScopedAdmin):
    form = LabelCycleForm
    list_display = ["prefecture", "label", "status", "awarded_on", "expires_on", "next_audit"]
    list_filter = ["status", "label", "prefecture"]
    list_select_related = ["prefecture"]
    readonly_fields = ["status", "awarded_on", "expires_on", "certificate_link", "reason"]
    inlines = [CycleStepInline]

    def get_fieldsets(self, request, obj=None):
        main = ["prefecture", "label", "sites", "applied_on", "certifying_body"]
        if obj is None:
            return [(None, {"fields": main + ["step_note", "step_document"]})]
        return [
            (None, {"fields": main}),
            (_("Where the cycle stands"), {"fields": ["status", "awarded_on", "expires_on", "certificate_link"]}),
            (_("Next step"), {"fields": ["new_status", "step_on", "step_note", "step_document", "reason"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        fixed = ["prefecture", "label", "applied_on"] if obj else []
        return [*self.readonly_fields, *fixed]

    def get_queryset(self, request):
        # What ``next_due`` needs, counted in the list's one query.
        return (
            super()
            .get_queryset(request)
            .annotate(
                _surveillance_done=Count(
                    "audits",
                    filter=Q(
                        audits__kind=AuditKind.SURVEILLANCE,
                        audits__status=AuditStatus.SIGNED,
                        audits__ends_on__gte=F("awarded_on"),
                    ),
                ),
                _planned=Min(
                    "audits__starts_on", filter=Q(audits__status__in=[AuditStatus.PLANNED, AuditStatus.IN_PROGRESS])
                ),
            )
        )

    @admin.display(description=_("next audit"))
    def next_audit(self, obj):
        kind, due = next_due(obj, surveillance_done=obj._surveillance_done, planned_on=obj._planned)
        if kind is None:
            return "—"
        label = AuditKind(kind).label
        if due is None:
            return gettext("%(kind)s to plan") % {"kind": label}
        return gettext("%(kind)s due on %(date)s") % {"kind": label, "date": date_format(due, "DATE_FORMAT")}

    @admin.display(description=_("certificate"))
    def certificate_link(self, obj):
        if obj is None or not obj.certificate:
            return "—"
        return format_html('<a href="{}">{}</a>', obj.get_certificate_url(), obj.certificate_name)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            saved = label_cycle_apply(
                prefecture=data["prefecture"],
                label=data["label"],
                applied_on=data["applied_on"],
                sites=data.get("sites") or (),
                certifying_body=data.get("certifying_body") or "",
                document=data.get("step_document"),
                note=data.get("step_note") or "",
                by=request.user,
            )
            obj.pk = saved.pk
            return
        label_cycle_update(
            cycle=obj,
            sites=data.get("sites") or (),
            certifying_body=data.get("certifying_body") or "",
            by=request.user,
        )
        if data.get("new_status"):
            label_cycle_transition(
                cycle=obj,
                to=data["new_status"],
                on=data["step_on"],
                note=data.get("step_note") or "",
                document=data.get("step_document"),
                by=request.user,
            )

    def save_related(self, request, form, formsets, change):
        # The services set the sites; the steps inline is read-only.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def get_urls(self):
        return [
            path(
                "<int:pk>/certificate/",
                self.admin_site.admin_view(self.certificate_view),
                name="audits_labelcycle_certificate",
            ),
            path(
                "<int:pk>/steps/<int:step>/document/",
                self.admin_site.admin_view(self.step_document_view),
                name="audits_labelcycle_step_document",
            ),
        ] + super().get_urls()

    def certificate_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        cycle = self.scoped_object(request, pk)  # another prefecture's is as missing as a missing one
        return private_file(cycle.certificate, cycle.certificate_name)

    def step_document_view(self, request, pk, step):
        if not self.has_view_permission(request):
            raise PermissionDenied
        cycle = self.scoped_object(request, pk)
        found = CycleStep.objects.filter(cycle=cycle, pk=step).first()
        return private_file(found.document if found else None, found.document_name if found else "")

    def has_delete_permission(self, request, obj=None):
        # A cycle is the label's history: it is withdrawn, never deleted.
        return False
