"""The ModelAdmins of surveys and distribution points: lists, actions, the survey's page with its inlines."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from qualipref.admin import PrefectureScopedAdmin

from ..models import AnswerTally, DistributionPoint, Question, Survey
from ..services import (
    point_delete,
    point_delete_errors,
    point_kiosk_disable,
    point_kiosk_enable,
    point_save,
    survey_close,
    survey_delete,
    survey_duplicate,
    survey_open,
    survey_publish_results,
    survey_save,
)
from .forms import DistributionPointForm, SurveyAdminForm
from .inlines import DistributionPointInline, PointLinksMixin, QuestionInline, kiosk_link
from .views import DistributionPointViews, SurveyViews


def _response_count():
    """The survey's responses, from the tally (its rows without a question): not a count of the responses."""
    responses = (
        AnswerTally.objects.filter(survey=OuterRef("pk"), question=None)
        .order_by()
        .values("survey")
        .annotate(n=Sum("count"))
    )
    return Coalesce(Subquery(responses.values("n"), output_field=IntegerField()), 0)


class ChangeFormMixin:
    """Notes on the request that the object's own page (add or change) is saving, not a version restored from the
    history, whose form compares what is posted with that version rather than with the row."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        request.surveys_change_form = True
        return super().changeform_view(request, object_id, form_url, extra_context)


def on_change_form(request):
    return getattr(request, "surveys_change_form", False)


def changed_fields(request, form, change):
    """The fields to save: on the object's page, those the form changed (the services save only them, and a
    change the public pages do not show clears none); a new object or a restored version, all (None)."""
    return form.changed_data if change and on_change_form(request) else None


@admin.register(Survey)
class SurveyAdmin(SurveyViews, ChangeFormMixin, PrefectureScopedAdmin):
    form = SurveyAdminForm
    list_display = ["title", "prefecture", "status", "opens_on", "closes_on", "responses", "results_public", "links"]
    list_filter = ["status", "results_public", "prefecture"]
    list_select_related = ["prefecture"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [QuestionInline, DistributionPointInline]
    readonly_fields = ["links"]
    fieldsets = [
        (None, {"fields": ["prefecture", "title", "slug", "introduction"]}),
        (_("Period and status"), {"fields": ["opens_on", "closes_on", "status"]}),
        (_("Results"), {"fields": ["results_public", "links"]}),
    ]
    actions = ["duplicate", "open_surveys", "close_surveys", "publish_results", "unpublish_results"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(response_count=_response_count())

    def get_actions(self, request):
        actions = super().get_actions(request)
        # Answers are the label's evidence: a survey that has some is closed, never deleted in bulk.
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.responses.exists():
            return False
        return super().has_delete_permission(request, obj)

    # --- writes: each through a service ---

    def save_model(self, request, obj, form, change):
        """On the survey's page, the survey is saved with its questions and points (``save_related``): one
        service call checks them together (an open survey needs a question, which the page may be adding).
        A version restored from the history is saved alone, whole."""
        if not on_change_form(request):
            survey_save(survey=obj, by=request.user)

    def save_related(self, request, form, formsets, change):
        changes = {"questions": [], "removed_questions": [], "points": [], "removed_points": []}
        for formset in formsets:
            formset.save(commit=False)  # what changed, for the services and the history's change message
            labels = {id(inline.instance): getattr(inline, "choice_labels", None) for inline in formset.forms}
            written = [(obj, None) for obj in formset.new_objects] + formset.changed_objects
            if formset.model is Question:
                changes["questions"] += [(obj, labels[id(obj)], fields) for obj, fields in written]
                changes["removed_questions"] += formset.deleted_objects
            else:
                changes["points"] += written
                changes["removed_points"] += formset.deleted_objects
        survey_save(survey=form.instance, by=request.user, fields=changed_fields(request, form, change), **changes)
        form.save_m2m()

    def delete_model(self, request, obj):
        survey_delete(survey=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for survey in queryset:
            survey_delete(survey=survey, by=request.user)

    @admin.display(description=_("responses"), ordering="response_count")
    def responses(self, survey):
        return survey.response_count

    @admin.display(description=_("results"))
    def links(self, survey):
        if survey.pk is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}" target="_blank" rel="noopener">{}</a>',
            reverse("admin:surveys_survey_results", args=[survey.pk]),
            _("Results"),
            reverse("admin:surveys_survey_export", args=[survey.pk]),
            _("CSV export"),
            survey.get_absolute_url(),
            _("Public page"),
        )

    # --- actions: each calls a service ---

    def _each(self, request, queryset, service, done, **kwargs):
        changed = 0
        for survey in queryset:
            try:
                service(survey=survey, by=request.user, **kwargs)
                changed += 1
            except ValidationError as error:
                self.message_user(request, f"{survey}: {' '.join(error.messages)}", messages.ERROR)
        if changed:
            self.message_user(request, done(changed), messages.SUCCESS)

    @admin.action(description=_("Duplicate for the next period"), permissions=["add"])
    def duplicate(self, request, queryset):
        for survey in queryset:
            copy = survey_duplicate(survey=survey, by=request.user)
            self.message_user(
                request,
                format_html(
                    _('“{}” duplicated as a draft from {} to {}: <a href="{}">review it</a>, then open it.'),
                    copy.title,
                    copy.opens_on,
                    copy.closes_on,
                    reverse("admin:surveys_survey_change", args=[copy.pk]),
                ),
                messages.SUCCESS,
            )

    @admin.action(description=_("Open the selected surveys"), permissions=["change"])
    def open_surveys(self, request, queryset):
        self._each(
            request, queryset, survey_open, lambda n: ngettext("%d survey opened.", "%d surveys opened.", n) % n
        )

    @admin.action(description=_("Close the selected surveys"), permissions=["change"])
    def close_surveys(self, request, queryset):
        self._each(
            request, queryset, survey_close, lambda n: ngettext("%d survey closed.", "%d surveys closed.", n) % n
        )

    @admin.action(description=_("Publish the results"), permissions=["change"])
    def publish_results(self, request, queryset):
        self._each(
            request,
            queryset,
            survey_publish_results,
            lambda n: ngettext("Results of %d survey published.", "Results of %d surveys published.", n) % n,
            public=True,
        )

    @admin.action(description=_("Unpublish the results"), permissions=["change"])
    def unpublish_results(self, request, queryset):
        self._each(
            request,
            queryset,
            survey_publish_results,
            lambda n: ngettext("Results of %d survey withdrawn.", "Results of %d surveys withdrawn.", n) % n,
            public=False,
        )


@admin.register(DistributionPoint)
class DistributionPointAdmin(PointLinksMixin, DistributionPointViews, ChangeFormMixin, PrefectureScopedAdmin):
    form = DistributionPointForm
    list_display = ["name", "survey", "site", "short_link", "downloads", "kiosk_mode"]
    list_filter = ["survey"]
    list_select_related = ["survey__prefecture", "site"]
    search_fields = ["name", "code", "survey__title"]
    fields = ["survey", "name", "site", "short_link", "downloads", "kiosk_link"]
    readonly_fields = ["short_link", "downloads", "kiosk_link"]
    actions = ["kiosk_enable", "kiosk_disable"]

    @admin.display(description=_("counter tablet"), boolean=True)
    def kiosk_mode(self, point):
        return bool(point.kiosk_key)

    @admin.display(description=_("counter tablet link"))
    def kiosk_link(self, point):
        return kiosk_link(point)

    def _kiosk(self, request, queryset, service, done):
        for point in queryset:
            service(point=point, by=request.user)
        self.message_user(request, done(len(queryset)), messages.SUCCESS)

    @admin.action(description=_("Give a new counter tablet link (revokes the previous one)"), permissions=["change"])
    def kiosk_enable(self, request, queryset):
        self._kiosk(
            request,
            queryset,
            point_kiosk_enable,
            lambda n: (
                ngettext(
                    "%d point has a new counter tablet link: open the point to copy it.",
                    "%d points have a new counter tablet link: open each point to copy it.",
                    n,
                )
                % n
            ),
        )

    @admin.action(description=_("End counter tablet mode"), permissions=["change"])
    def kiosk_disable(self, request, queryset):
        self._kiosk(
            request,
            queryset,
            point_kiosk_disable,
            lambda n: (
                ngettext("Counter tablet mode ended for %d point.", "Counter tablet mode ended for %d points.", n) % n
            ),
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        if obj is not None and point_delete_errors(point=obj):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        point_save(point=obj, by=request.user, fields=changed_fields(request, form, change))

    def delete_model(self, request, obj):
        point_delete(point=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for point in queryset:
            point_delete(point=point, by=request.user)
