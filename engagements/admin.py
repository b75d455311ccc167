"""Admin of the engagements: the referential (national coordinator), officers' manual measures with their
evidence, the monthly figures with the records behind each, and an on-demand refresh."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from qualipref.admin import EnglishFieldsMixin, HostileLookupsMixin, PrefectureScopedAdmin
from qualipref.models import Prefecture
from qualipref.uploads import validate_upload

from .drill import drilldown_table
from .enums import ENTERED_SOURCES
from .indicators import drilldown
from .models import (
    Engagement,
    EngagementVersion,
    LocalEngagement,
    LocalEngagementVersion,
    LocalTarget,
    ManualMeasure,
    MonthlyIndicator,
    SiteMonthlyIndicator,
)
from .periods import Period
from .services import local_engagement_save, local_target_add, manual_measure_save, monthly_indicators_refresh

# Prefectures recomputed within one request (from the admin index); the nightly refresh does them all.
REFRESH_NOW_MAX_PREFECTURES = 20


class EngagementVersionInline(EnglishFieldsMixin, admin.StackedInline):
    """Versions are added, never changed: past figures keep the wording and target they were judged against."""

    model = EngagementVersion
    extra = 0
    fields = [
        "valid_from",
        "wording",
        "wording_en",
        "measurement",
        "measurement_en",
        "target_value",
        "comparator",
        "unit",
        "deadline_working_days",
    ]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EngagementVersion)
class EngagementVersionAdmin(HostileLookupsMixin, EnglishFieldsMixin, admin.ModelAdmin):
    """The English wordings of the versions: a translation may be corrected on a version in use, nothing else."""

    list_display = ["engagement", "valid_from", "wording", "english_wording"]
    list_filter = ["engagement__label"]
    search_fields = ["engagement__code", "wording", "wording_en"]
    list_select_related = ["engagement"]
    fields = ["engagement", *EngagementVersionInline.fields]
    readonly_fields = [f for f in fields if f not in ("wording_en", "measurement_en")]

    def get_queryset(self, request):
        # The national referential's; a local engagement's versions are on its own page (``LocalEngagementAdmin``).
        return super().get_queryset(request).filter(engagement__prefecture__isnull=True)

    @admin.display(description=_("English wording"), ordering="wording_en")
    def english_wording(self, obj):
        # English inside a French page: said so, for screen readers (RGAA 8.7).
        return format_html('<span lang="en">{}</span>', obj.wording_en) if obj.wording_en else "—"

    def has_add_permission(self, request):
        return False  # a new version is added on its engagement's page

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Engagement)
class EngagementAdmin(HostileLookupsMixin, admin.ModelAdmin):
    list_display = ["code", "current_wording", "label", "source", "current_target", "is_active"]
    list_filter = ["label", "source", "is_active"]
    search_fields = ["code", "versions__wording"]
    inlines = [EngagementVersionInline]

    def get_queryset(self, request):
        # The national referential: the prefectures' own engagements are in ``LocalEngagementAdmin``, scoped.
        return super().get_queryset(request).national().prefetch_related("versions")

    def _current(self, obj):
        versions = sorted(obj.versions.all(), key=lambda v: v.valid_from)
        return versions[-1] if versions else None

    @admin.display(description=_("wording"))
    def current_wording(self, obj):
        version = self._current(obj)
        return version.wording if version else "—"

    @admin.display(description=_("target"))
    def current_target(self, obj):
        version = self._current(obj)
        if not version:
            return "—"
        return f"{version.get_comparator_display()} {version.target_value.normalize():f} {version.get_unit_display()}"


class LocalEngagementVersionInline(EngagementVersionInline):
    """A local engagement's versions: added by its prefecture's officers, never changed, like the national ones."""

    model = LocalEngagementVersion


class LocalEngagementForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "prefecture" in self.fields:
            self.fields["prefecture"].required = True  # empty would make it national


@admin.register(LocalEngagement)
class LocalEngagementAdmin(PrefectureScopedAdmin):
    """A prefecture's own engagements, on top of the national referential: its officers add and version them."""

    form = LocalEngagementForm
    list_display = ["code", "current_wording", "prefecture", "source", "current_target", "is_active"]
    list_filter = ["source", "is_active", "prefecture"]
    list_select_related = ["prefecture"]
    search_fields = ["code", "versions__wording"]
    fields = ["prefecture", "code", "label", "source", "channel", "position", "is_active"]
    inlines = [LocalEngagementVersionInline]
    current_wording = EngagementAdmin.current_wording
    current_target = EngagementAdmin.current_target
    _current = EngagementAdmin._current

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("versions")

    def get_readonly_fields(self, request, obj=None):
        # Figures were computed for it: its prefecture and what it measures stay (a new engagement otherwise).
        return ["prefecture", "source", "channel"] if obj else []

    def save_model(self, request, obj, form, change):
        local_engagement_save(engagement=obj, by=request.user)


@admin.register(LocalTarget)
class LocalTargetAdmin(PrefectureScopedAdmin):
    """A prefecture's stricter targets for national engagements: added (checked stricter), never changed."""

    list_display = ["engagement", "prefecture", "valid_from", "target_value", "reason"]
    list_filter = ["engagement", "prefecture"]
    list_select_related = ["engagement", "prefecture"]
    fields = ["prefecture", "engagement", "valid_from", "target_value", "reason"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "engagement":
            kwargs["queryset"] = Engagement.objects.active().national()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = local_target_add(
            prefecture=obj.prefecture,
            engagement=obj.engagement,
            valid_from=obj.valid_from,
            target_value=obj.target_value,
            reason=obj.reason,
            by=request.user,
        )
        obj.pk = saved.pk


class ManualMeasureForm(forms.ModelForm):
    class Meta:
        model = ManualMeasure
        fields = ["prefecture", "engagement", "month", "numerator", "denominator", "value", "evidence", "note"]
        widgets = {"evidence": forms.FileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "engagement" in self.fields:
            self.fields["engagement"].queryset = Engagement.objects.active().filter(source__in=ENTERED_SOURCES)

    def clean_evidence(self):
        upload = self.cleaned_data.get("evidence")
        if upload is not None and hasattr(upload, "content_type"):  # a new upload, not the stored file
            upload = self.new_upload = validate_upload(upload)  # the sanitised copy is stored
        return upload

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("month"):
            cleaned["month"] = cleaned["month"].replace(day=1)
            self.instance.month = cleaned["month"]
        return cleaned


@admin.register(ManualMeasure)
class ManualMeasureAdmin(PrefectureScopedAdmin):
    form = ManualMeasureForm
    list_display = ["engagement", "prefecture", "month", "value", "evidence_link", "entered_by"]
    list_filter = ["engagement", "prefecture"]
    list_select_related = ["engagement", "prefecture", "entered_by"]
    date_hierarchy = "month"
    readonly_fields = ["evidence_link", "entered_by", "entered_at"]

    def save_model(self, request, obj, form, change):
        manual_measure_save(measure=obj, by=request.user, upload=getattr(form, "new_upload", None))

    @admin.display(description=_("evidence"))
    def evidence_link(self, obj):
        if not obj.pk or not obj.evidence:
            return "—"
        return format_html('<a href="{}">{}</a>', obj.get_evidence_url(), obj.evidence_name or _("download"))

    def get_urls(self):
        return [
            path(
                "<int:pk>/evidence/",
                self.admin_site.admin_view(self.evidence_view),
                name="engagements_manualmeasure_evidence",
            )
        ] + super().get_urls()

    def evidence_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        # Another prefecture's evidence is indistinguishable from a missing one.
        measure = self.scoped_object(request, pk)
        try:
            handle = measure.evidence.open("rb")
        except FileNotFoundError as missing:
            raise Http404 from missing
        response = FileResponse(handle, as_attachment=True, filename=measure.evidence_name or "preuve")
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response["Cache-Control"] = "private, no-store"
        return response


@admin.register(MonthlyIndicator)
class MonthlyIndicatorAdmin(PrefectureScopedAdmin):
    list_display = ["engagement", "prefecture", "month", "value", "target_display", "met", "records_link"]
    list_filter = ["engagement", "met", "prefecture"]
    list_select_related = ["engagement", "prefecture"]
    date_hierarchy = "month"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def history_view(self, request, object_id, extra_context=None):
        # Figures are recomputed, not edited: Django's own log view, still scoped.
        self._ensure_in_scope(request, object_id)
        return admin.ModelAdmin.history_view(self, request, object_id, extra_context=extra_context)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("target"))
    def target_display(self, obj):
        return f"{obj.get_comparator_display()} {obj.target_value.normalize():f} {obj.get_unit_display()}"

    @admin.display(description=_("records"))
    def records_link(self, obj):
        url = reverse("admin:engagements_monthlyindicator_records", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("records behind the figure"))

    def get_urls(self):
        return [
            path(
                "<int:pk>/records/",
                self.admin_site.admin_view(self.records_view),
                name="engagements_monthlyindicator_records",
            ),
            path(
                "refresh/", self.admin_site.admin_view(self.refresh_view), name="engagements_monthlyindicator_refresh"
            ),
        ] + super().get_urls()

    def records_view(self, request, pk):
        """The records counted in a figure, recomputed now: the auditor follows a figure to its evidence."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        figure = get_object_or_404(
            self.get_queryset(request).select_related("engagement", "prefecture", "version"), pk=pk
        )
        self._use_time_zone_of(figure)
        found = drilldown(figure.prefecture, figure.engagement, Period.month(figure.month))
        columns, rows, total = drilldown_table(found) if found else ([], [], 0)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Records behind the figure"),
            "figure": figure,
            "current": found.figure if found else None,
            "columns": columns,
            "rows": rows,
            "total": total,
            "truncated": total > len(rows),
        }
        return TemplateResponse(request, "admin/engagements/monthlyindicator/records.html", context)

    def _may_refresh(self, request):
        # Figures are never edited (``has_change_permission`` is False) and officers only view them: recomputing
        # is for those who change the measures behind them (officers, the coordinator), not for auditors.
        return request.user.has_perm("engagements.change_manualmeasure")

    def refresh_view(self, request):
        """Recompute the recent months of the user's prefectures now (POST only).

        At most ``REFRESH_NOW_MAX_PREFECTURES`` within the request (about a second each at full scale, see
        ``bench/national.py``), the first in department order; the user is told about the others, which
        the nightly refresh recomputes.
        """
        if request.method != "POST" or not self._may_refresh(request):
            raise PermissionDenied
        prefectures = list(Prefecture.objects.for_user(request.user).order_by("department_code"))
        now = prefectures[:REFRESH_NOW_MAX_PREFECTURES]
        count = 0
        for prefecture in now:
            count += monthly_indicators_refresh(prefecture=prefecture)
        self.message_user(request, _("%(n)d figures recomputed.") % {"n": count}, messages.SUCCESS)
        if len(prefectures) > len(now):
            self.message_user(
                request,
                _(
                    "Only the first %(done)d of your %(total)d prefectures were recomputed now, so that the page "
                    "answers in time: the others will be recomputed tonight, as every night."
                )
                % {"done": len(now), "total": len(prefectures)},
                messages.WARNING,
            )
        return HttpResponseRedirect(reverse("admin:index"))


@admin.register(SiteMonthlyIndicator)
class SiteMonthlyIndicatorAdmin(PrefectureScopedAdmin):
    """Each site's monthly figures, computed with the prefecture's (read only)."""

    list_display = ["engagement", "site", "prefecture", "month", "value", "target_display", "met"]
    list_filter = ["engagement", "met", "prefecture"]
    list_select_related = ["engagement", "site", "prefecture"]
    date_hierarchy = "month"
    target_display = MonthlyIndicatorAdmin.target_display
    history_view = MonthlyIndicatorAdmin.history_view

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
