from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qualipref.admin import PrefectureScopedAdmin, PrefectureScopedInline, not_found_unless_int
from qualipref.csvimport_admin import FILE_REPORT_FIELDS, CsvImportAdminMixin
from qualipref.dates import add_months, month_start
from qualipref.models import Prefecture
from qualipref.scoping import scope_queryset

from .csvformats import CALL_FIELDS, TICKET_FIELDS
from .enums import ImportKind, ImportStatus
from .forms import MeasureImportForm
from .models import MeasureImport, MysteryCriterion, MysteryVisit, MysteryVisitLine
from .reports import bad_line_message
from .selectors import answered_within_seconds, site_months
from .services import (
    ImportRefused,
    measure_import_create,
    measure_import_withdraw,
    mystery_visit_delete,
    mystery_visit_save,
    progress_key,
)
from .tasks import check_measure_import

FIGURE_MONTHS = 3


def _fields_of(measure_import):
    return CALL_FIELDS if measure_import.kind == ImportKind.CALLS else TICKET_FIELDS


@admin.register(MeasureImport)
class MeasureImportAdmin(CsvImportAdminMixin, PrefectureScopedAdmin):
    form = MeasureImportForm
    list_display = ["created_at", "prefecture", "kind", "original_name", "status", "valid_rows", "bad_rows"]
    list_filter = ["kind", "status", "prefecture"]
    list_select_related = ["prefecture"]
    search_fields = ["original_name", "sha256"]
    date_hierarchy = "created_at"
    change_form_template = "admin/measures/measureimport/change_form.html"
    change_list_template = "admin/measures/measureimport/change_list.html"

    add_fields = ["prefecture", "kind", "upload"]
    report_fields = ["prefecture", "kind", "original_name", "status", "message", "encoding", *FILE_REPORT_FIELDS]
    bad_lines_accessor = "bad_line_set"
    report_url_name = "admin:measures_import_report"
    report_file_name = "rapport-import-mesures-{pk}.csv"
    check_task = check_measure_import

    def import_create(self, request, form):
        upload = form.cleaned_data["upload"]
        return measure_import_create(
            prefecture=form.cleaned_data["prefecture"],
            kind=form.cleaned_data["kind"],
            fileobj=upload,
            name=upload.name,
            by=request.user,
        )

    def progress_key(self, import_id):
        return progress_key(import_id)

    def bad_line_message(self, csv_import, bad_line):
        return bad_line_message(bad_line, fields=_fields_of(csv_import))

    def import_context(self, request, csv_import):
        return {"may_withdraw": self._may_withdraw(request) and csv_import.status == ImportStatus.DONE}

    def get_urls(self):
        view = self.admin_site.admin_view
        own = [
            path("<int:pk>/withdraw/", view(self.withdraw_view), name="measures_import_withdraw"),
            path("<int:pk>/report.csv", view(self.report_view), name="measures_import_report"),
            path("figures/", view(self.figures_view), name="measures_figures"),
            *not_found_unless_int("withdraw/", "report.csv", view=view),
        ]
        return own + super().get_urls()

    def _may_withdraw(self, request):
        return request.user.has_perm("measures.add_measureimport")

    def withdraw_view(self, request, pk):
        measure_import = self._scoped(request, pk)
        if request.method != "POST" or not self._may_withdraw(request):
            raise PermissionDenied
        try:
            measure_import_withdraw(measure_import=measure_import, by=request.user)
        except ImportRefused as refused:
            self.message_user(request, refused.message, messages.ERROR)
        else:
            self.message_user(request, _("Import withdrawn: its months were recomputed."), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:measures_measureimport_change", args=[pk]))

    def figures_view(self, request):
        """The last months' figures per site of each prefecture the user sees (at most ``FIGURE_MONTHS``)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        prefectures = scope_queryset(Prefecture.objects.order_by("department_code"), request.user)
        chosen = prefectures.filter(pk=request.GET.get("prefecture") or 0).first() or prefectures.first()
        tables = []
        if chosen is not None:
            current = month_start(chosen.today())
            months = [add_months(current, -i) for i in range(FIGURE_MONTHS - 1, -1, -1)]
            per_site, totals = site_months(prefecture=chosen, months=months)
            tables = [
                {"month": month, "rows": [r for r in per_site if r.month == month], "total": total}
                for month in months
                for total in [next((t for t in totals if t.month == month), None)]
            ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Phone, counter and mystery-shopper figures per site"),
            "prefectures": prefectures,
            "chosen": chosen,
            "tables": tables,
            "rings": settings.MEASURES_ANSWER_WITHIN_RINGS,
            "ring_seconds": settings.MEASURES_RING_SECONDS,
            "ring_limit": answered_within_seconds(),
            "target_minutes": settings.MEASURES_COUNTER_TARGET_MINUTES,
        }
        return TemplateResponse(request, "admin/measures/figures.html", context)


@admin.register(MysteryCriterion)
class MysteryCriterionAdmin(PrefectureScopedAdmin):
    list_display = ["code", "label", "channel", "position", "is_active"]
    list_filter = ["channel", "is_active"]
    search_fields = ["code", "label"]


class MysteryVisitLineForm(forms.ModelForm):
    class Meta:
        model = MysteryVisitLine
        fields = ["criterion", "result", "comment"]


class MysteryVisitLineInline(PrefectureScopedInline):
    model = MysteryVisitLine
    form = MysteryVisitLineForm
    fields = ["criterion", "result", "comment"]
    min_num = 1
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("criterion")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        criteria = list(MysteryCriterion.objects.filter(is_active=True).order_by("position", "code"))
        if obj is None:
            # A new visit comes with the whole grid, one line per criterion in force.
            formset.extra = max(0, len(criteria) - self.min_num)
            initial = [{"criterion": criterion.pk} for criterion in criteria]
            formset.__init__ = _with_initial(formset.__init__, initial)
        return formset


def _with_initial(init, initial):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", initial)
        init(self, *args, **kwargs)

    return __init__


class MysteryVisitForm(forms.ModelForm):
    class Meta:
        model = MysteryVisit
        fields = ["prefecture", "site", "visited_on", "channel", "provider", "note"]

    def clean(self):
        cleaned = super().clean()
        site, prefecture = cleaned.get("site"), cleaned.get("prefecture")
        if site and prefecture and site.prefecture_id != prefecture.pk:
            self.add_error("site", _("The site belongs to another prefecture."))
        return cleaned


@admin.register(MysteryVisit)
class MysteryVisitAdmin(PrefectureScopedAdmin):
    form = MysteryVisitForm
    list_display = ["visited_on", "prefecture", "site", "channel", "score_display", "provider"]
    list_filter = ["channel", "prefecture"]
    list_select_related = ["prefecture", "site"]
    date_hierarchy = "visited_on"
    fields = ["prefecture", "site", "visited_on", "channel", "provider", "note"]
    inlines = [MysteryVisitLineInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_score()

    @admin.display(description=gettext_lazy("score out of 10"), ordering="score")
    def score_display(self, obj):
        return "—" if obj.score is None else f"{obj.score:.1f}".replace(".", ",")

    def save_model(self, request, obj, form, change):
        pass  # saved with its grid by ``save_related`` (one service, one transaction)

    def save_related(self, request, form, formsets, change):
        results = {}
        for formset in formsets:
            for line_form in formset.forms:
                data = getattr(line_form, "cleaned_data", None)
                if not data or data.get("DELETE") or not data.get("criterion") or not data.get("result"):
                    continue
                results[data["criterion"]] = (data["result"], data.get("comment", ""))
        try:
            mystery_visit_save(visit=form.instance, results=results, by=request.user)
        except ValidationError as refused:
            raise PermissionDenied(refused.messages[0]) from refused
        for formset in formsets:  # what the admin's change message reads of a saved formset
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def delete_model(self, request, obj):
        mystery_visit_delete(visit=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for visit in queryset:  # each through the service: its month's figures are recomputed
            mystery_visit_delete(visit=visit, by=request.user)
