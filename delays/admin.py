import datetime

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, Sum
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qualipref.admin import PrefectureScopedAdmin, PrefectureScopedInline, not_found_unless_int
from qualipref.csvimport_admin import FILE_REPORT_FIELDS, CsvImportAdminMixin
from qualipref.workflow import TransitionRefused, refusal_message

from .enums import ImportSource, ImportStatus, PublicationStatus
from .forms import DeliveryImportForm, UnpublishForm
from .models import DeliveryImport, MonthlyDelay, MonthPublication, PublicationEvent, TitleType
from .reports import bad_row_message
from .selectors import month_sources
from .services import (
    ImportRefused,
    delivery_import_accept,
    delivery_import_create,
    delivery_import_reject,
    delivery_import_withdraw,
    month_publish,
    month_unpublish,
    progress_key,
)
from .tasks import check_delivery_import
from .workflow import PUBLICATION_WORKFLOW


@admin.register(TitleType)
class TitleTypeAdmin(PrefectureScopedAdmin):
    list_display = ["code", "label", "category", "position", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["code", "label"]
    ordering = ["position", "code"]


@admin.register(DeliveryImport)
class DeliveryImportAdmin(CsvImportAdminMixin, PrefectureScopedAdmin):
    form = DeliveryImportForm
    list_display = ["created_at", "prefecture", "original_name", "status", "valid_rows", "bad_rows", "month_span"]
    list_filter = ["status", "source", "prefecture"]
    list_select_related = ["prefecture"]
    search_fields = ["original_name", "sha256"]
    date_hierarchy = "created_at"
    change_form_template = "admin/delays/deliveryimport/change_form.html"
    actions = ["withdraw_selected"]

    @admin.display(description=gettext_lazy("months of delivery"))
    def month_span(self, obj):
        months = obj.month_list
        if not months:
            return "—"
        return months[0] if len(months) == 1 else f"{months[0]} → {months[-1]} ({len(months)})"

    report_fields = ["prefecture", "original_name", "status", "message", "source", "encoding", "delimiter"]
    report_fields += [*FILE_REPORT_FIELDS, "decided_by", "decided_at"]
    bad_lines_accessor = "bad_row_set"
    report_url_name = "admin:delays_import_report"
    check_task = check_delivery_import

    def import_create(self, request, form):
        upload = form.cleaned_data["upload"]
        return delivery_import_create(
            prefecture=form.cleaned_data["prefecture"],
            fileobj=upload,
            name=upload.name,
            by=request.user,
            source=ImportSource.ADMIN,
        )

    def progress_key(self, import_id):
        return progress_key(import_id)

    def bad_line_message(self, csv_import, bad_line):
        return bad_row_message(bad_line, prefecture_code=csv_import.prefecture.department_code)

    def import_context(self, request, csv_import):
        return {"may_decide": self._may_decide(request), "statuses": ImportStatus}

    def get_urls(self):
        view = self.admin_site.admin_view
        own = [
            path("<int:pk>/decision/", view(self.decision_view), name="delays_import_decision"),
            path("<int:pk>/report.csv", view(self.report_view), name="delays_import_report"),
            *not_found_unless_int("decision/", "report.csv", view=view),
        ]
        return own + super().get_urls()

    def decision_view(self, request, pk):
        delivery_import = self._scoped(request, pk)
        if request.method != "POST" or not self._may_decide(request):
            raise PermissionDenied
        decision = request.POST.get("decision")
        services = {
            "accept": (delivery_import_accept, _("Import accepted: %(n)s deliveries now count.")),
            "reject": (delivery_import_reject, _("Import rejected: none of its rows was kept.")),
            "withdraw": (delivery_import_withdraw, _("Import withdrawn: its months were recomputed.")),
        }
        if decision not in services:
            raise PermissionDenied
        service, done = services[decision]
        try:
            delivery_import = service(delivery_import=delivery_import, by=request.user)
        except ImportRefused as refused:
            self.message_user(request, refused.message, messages.ERROR)
        else:
            self.message_user(request, done % {"n": delivery_import.valid_rows}, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:delays_deliveryimport_change", args=[pk]))

    def _may_decide(self, request):
        return request.user.has_perm("delays.add_deliveryimport")

    @admin.action(
        description=gettext_lazy("Withdraw the selected imports (their deliveries stop counting)"),
        permissions=["add"],  # as the decision view (``_may_decide``): an auditor only reads
    )
    def withdraw_selected(self, request, queryset):
        done, refused_any = 0, False
        for delivery_import in queryset.filter(status=ImportStatus.ACCEPTED).select_related("prefecture"):
            try:
                delivery_import_withdraw(delivery_import=delivery_import, by=request.user)
            except ImportRefused as refused:  # e.g. withdrawn meanwhile by someone else
                refused_any = True
                self.message_user(request, f"{delivery_import.original_name}: {refused.message}", messages.ERROR)
            else:
                done += 1
        if done or not refused_any:
            self.message_user(request, _("%(n)s import(s) withdrawn.") % {"n": done}, messages.SUCCESS)


class PublicationEventInline(PrefectureScopedInline):
    model = PublicationEvent
    fields = ["at", "action", "by", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


@admin.register(MonthPublication)
class MonthPublicationAdmin(PrefectureScopedAdmin):
    list_display = ["month_label", "prefecture", "status", "deliveries", "published_at", "figures_updated_at"]
    list_filter = ["status", "prefecture"]
    list_select_related = ["prefecture"]
    fields = ["prefecture", "month", "status", "published_at", "published_by", "figures_updated_at"]
    readonly_fields = fields
    inlines = [PublicationEventInline]
    actions = ["publish_selected"]
    change_form_template = "admin/delays/monthpublication/change_form.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(deliveries=Sum("figures__count", filter=Q(figures__site__isnull=True)))
        )

    @admin.display(description=gettext_lazy("month"), ordering="month")
    def month_label(self, obj):
        return obj.month.strftime("%Y-%m")

    @admin.display(description=gettext_lazy("deliveries"), ordering="deliveries")
    def deliveries(self, obj):
        return obj.deliveries or 0

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _may_publish(self, request):
        return request.user.has_perm("delays.change_monthpublication")

    @admin.action(description=gettext_lazy("Publish the selected months"), permissions=["change"])
    def publish_selected(self, request, queryset):
        published = 0
        for publication in queryset.select_related("prefecture"):
            try:
                month_publish(publication=publication, by=request.user)
                published += 1
            except (TransitionRefused, ValidationError) as refused:
                self.message_user(
                    request, f"{publication.prefecture.name}: {refusal_message(refused)}", messages.WARNING
                )
        if published:
            self.message_user(request, _("%(n)s month(s) published.") % {"n": published}, messages.SUCCESS)

    def get_urls(self):
        view = self.admin_site.admin_view
        own = [
            path("<int:pk>/publier/", view(self.publish_view), name="delays_month_publish"),
            path("<int:pk>/depublier/", view(self.unpublish_view), name="delays_month_unpublish"),
            *not_found_unless_int("publier/", "depublier/", view=view),
        ]
        return own + super().get_urls()

    def _scoped(self, request, pk):
        return self.scoped_object(request, pk, related=["prefecture"])

    def publish_view(self, request, pk):
        publication = self._scoped(request, pk)
        if request.method != "POST" or not self._may_publish(request):
            raise PermissionDenied
        try:
            reviewed = datetime.datetime.fromisoformat(request.POST.get("figures_as_of", ""))
        except ValueError:
            reviewed = None  # no stamp (an old page): the figures are published as they are now
        try:
            month_publish(publication=publication, by=request.user, reviewed=reviewed)
        except (TransitionRefused, ValidationError) as refused:
            self.message_user(request, refusal_message(refused), messages.ERROR)
        else:
            self.message_user(request, _("The month is published."), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:delays_monthpublication_change", args=[pk]))

    def unpublish_view(self, request, pk):
        publication = self._scoped(request, pk)
        if not self._may_publish(request):
            raise PermissionDenied
        form = UnpublishForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                month_unpublish(publication=publication, by=request.user, reason=form.cleaned_data["reason"])
            except (TransitionRefused, ValidationError) as refused:
                self.message_user(request, refusal_message(refused), messages.ERROR)
            else:
                self.message_user(request, _("The month is unpublished."), messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:delays_monthpublication_change", args=[pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": publication,
            "form": form,
            "title": _("Unpublish %(month)s") % {"month": publication.month.strftime("%m/%Y")},
        }
        return TemplateResponse(request, "admin/delays/monthpublication/unpublish.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        publication = self._scoped(request, object_id)
        figures = (
            MonthlyDelay.objects.filter(publication=publication)
            .select_related("title_type", "site")
            .order_by("title_type__position", "title_type__code", "site__name")
        )
        extra_context = {
            **(extra_context or {}),
            "figures": figures,
            "sources": month_sources(publication),
            "publication": publication,
            "may_publish": self._may_publish(request),
            # The buttons offer what the publication's workflow allows next (``delays.workflow``).
            "may_unpublish": PUBLICATION_WORKFLOW.allows(publication.status, PublicationStatus.WITHDRAWN),
            "month_over": publication.month < publication.prefecture.today().replace(day=1),
            "now": timezone.now(),
        }
        return super().change_view(request, object_id, form_url, extra_context)
