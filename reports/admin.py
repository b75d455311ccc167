"""Admin of the audit reports: the list (scoped), a form to build one now, downloads, sharing with the committee.

Reports are evidence: never changed nor deleted, only shared or not; a new build is a new version.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from engagements.periods import Period
from qualipref.admin import PrefectureScopedAdmin
from qualipref.models import Prefecture

from .enums import ReportStatus
from .models import AuditReport
from .services import report_request, report_retry, report_share


class BuildForm(forms.Form):
    prefecture = forms.ModelChoiceField(queryset=Prefecture.objects.none(), label=_("Prefecture"))
    period = forms.CharField(
        label=_("Period"),
        max_length=10,
        help_text=_("A month (2026-03), a quarter (2026-T1) or a year (2026)."),
    )

    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        initial="fr",
        required=False,
        help_text=_("French, the label's language; English for a reader who needs it."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prefecture"].queryset = Prefecture.objects.for_user(user)

    def clean_language(self):
        return self.cleaned_data["language"] or "fr"  # a form posted without it (a script, an older page): French

    def clean_period(self):
        try:
            return Period.parse(self.cleaned_data["period"])
        except ValueError as error:
            raise ValidationError(_("Type a month (2026-03), a quarter (2026-T1) or a year (2026).")) from error


@admin.register(AuditReport)
class AuditReportAdmin(PrefectureScopedAdmin):
    list_display = [
        "prefecture",
        "period_display",
        "version",
        "language",
        "status",
        "size_display",
        "page_count",
        "requested_display",
        "created_at",
        "shared_with_committee",
        "download_link",
    ]
    list_filter = ["status", "period_kind", "shared_with_committee", "prefecture"]
    list_select_related = ["prefecture", "requested_by"]
    date_hierarchy = "period_start"
    actions = ["share_with_committee", "stop_sharing", "build_again"]
    fields = [
        "prefecture",
        "period_display",
        "version",
        "language",
        "status",
        "error",
        "download_link",
        "sha256",
        "size_display",
        "page_count",
        "requested_display",
        "created_at",
        "started_at",
        "finished_at",
        "attempts",
        "gather_seconds",
        "render_seconds",
        "shared_with_committee",
        "shared_at",
    ]

    def get_readonly_fields(self, request, obj=None):
        editable = {"shared_with_committee"} if obj is not None and obj.is_done else set()
        return [field for field in self.fields if field not in editable]

    def has_delete_permission(self, request, obj=None):
        return False

    def history_view(self, request, object_id, extra_context=None):
        # No historical table: Django's own log of the admin's changes (sharing), still scoped.
        self._ensure_in_scope(request, object_id)
        return admin.ModelAdmin.history_view(self, request, object_id, extra_context=extra_context)

    @admin.display(description=_("period"), ordering="period_start")
    def period_display(self, obj):
        return str(obj.period)

    @admin.display(description=_("size"), ordering="size")
    def size_display(self, obj):
        return filesizeformat(obj.size) if obj.size else "—"

    @admin.display(description=_("requested by"))
    def requested_display(self, obj):
        return obj.requested_by_label

    @admin.display(description=_("download"))
    def download_link(self, obj):
        if not obj.is_done:
            return obj.error[:120] if obj.status == ReportStatus.FAILED else "—"
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            obj.get_download_url(),
            _("PDF"),
            obj.get_csv_url(),
            _("data (CSV)"),
        )

    def save_model(self, request, obj, form, change):
        if "shared_with_committee" in form.changed_data:
            report_share(report=obj, shared=obj.shared_with_committee, by=request.user)

    def add_view(self, request, form_url="", extra_context=None):
        """Adding a report is asking for a build: a prefecture and a period, the rest is the worker's."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = BuildForm(request.POST or None, user=request.user)
        self.preselect_placing_field(request, form)
        if request.method == "POST" and form.is_valid():
            report = report_request(
                prefecture=form.cleaned_data["prefecture"],
                period=form.cleaned_data["period"],
                by=request.user,
                language=form.cleaned_data["language"],
            )
            self.message_user(
                request,
                _("Report %(report)s is being built; you will receive an e-mail when it is ready.")
                % {"report": report},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:reports_auditreport_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Build an audit report"),
            "form": form,
        }
        return TemplateResponse(request, "reports/admin/build.html", context)

    @admin.action(description=_("Share the selected reports with the users' committee"), permissions=["change"])
    def share_with_committee(self, request, queryset):
        ready = list(queryset.filter(status=ReportStatus.DONE))
        for report in ready:
            report_share(report=report, shared=True, by=request.user)
        self.message_user(
            request,
            ngettext("%(n)d report shared.", "%(n)d reports shared.", len(ready)) % {"n": len(ready)},
            messages.SUCCESS,
        )

    @admin.action(description=_("Stop sharing the selected reports with the committee"), permissions=["change"])
    def stop_sharing(self, request, queryset):
        reports = list(queryset.filter(shared_with_committee=True))
        for report in reports:
            report_share(report=report, shared=False, by=request.user)
        self.message_user(
            request,
            ngettext("%(n)d report no longer shared.", "%(n)d reports no longer shared.", len(reports))
            % {"n": len(reports)},
            messages.SUCCESS,
        )

    @admin.action(description=_("Build the selected reports again (failed or stuck)"), permissions=["add"])
    def build_again(self, request, queryset):
        retried = 0
        for report in queryset:
            try:
                report_retry(report=report, by=request.user)
            except ValidationError as error:
                self.message_user(request, error.messages[0], messages.WARNING)
            else:
                retried += 1
        if retried:
            self.message_user(
                request,
                ngettext(
                    "%(n)d report is being built again; you will receive an e-mail when it is ready.",
                    "%(n)d reports are being built again; you will receive an e-mail when they are ready.",
                    retried,
                )
                % {"n": retried},
                messages.SUCCESS,
            )
