"""The survey builder in the admin: questions and distribution points inline, results, CSV, QR codes, posters."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from qualipref.admin import PrefectureScopedAdmin, PrefectureScopedInline, not_found_unless_int
from qualipref.csvfiles import refuse_formula_start

from .. import printing
from ..enums import CHOICE_KINDS, SurveyStatus
from ..export import csv_lines
from ..models import DistributionPoint, Question, Response, Survey
from ..results import survey_results
from ..services import (
    point_delete_errors,
    question_change_errors,
    question_delete_errors,
    question_set_choices,
    survey_close,
    survey_duplicate,
    survey_open,
    survey_publish_results,
)

# --- questions --------------------------------------------------------------------------------------


class QuestionInlineForm(forms.ModelForm):
    choices_text = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 28}),
        help_text=_("One per line, for single and multiple choice questions."),
    )

    class Meta:
        model = Question
        fields = ["position", "text", "help_text", "kind", "required", "is_public"]
        widgets = {"position": forms.NumberInput(attrs={"style": "width: 4em"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.has_choices:
            self.initial["choices_text"] = "\n".join(choice.label for choice in self.instance.choices.all())

    def clean_choices_text(self):
        labels = [line.strip() for line in self.cleaned_data["choices_text"].splitlines() if line.strip()]
        for label in labels:  # written to the survey's CSV export: none may start like a formula
            refuse_formula_start(label)
        repeated = sorted({label for label in labels if labels.count(label) > 1})
        if repeated:
            raise ValidationError(
                _("Each choice must appear once: “%(label)s” is repeated."), params={"label": repeated[0]}
            )
        return labels

    def clean(self):
        cleaned = super().clean()
        kind, labels = cleaned.get("kind"), cleaned.get("choices_text") or []
        if kind in CHOICE_KINDS and len(labels) < 2 and "choices_text" not in self.errors:
            self.add_error("choices_text", _("Give at least two choices, one per line."))
        elif kind and kind not in CHOICE_KINDS and labels:
            self.add_error(
                "choices_text", _("Only single and multiple choice questions have choices: empty this list.")
            )
        if kind:
            # ``self.instance`` still holds the saved question here: compare with what has been answered.
            for error in question_change_errors(question=self.instance, kind=kind, choice_labels=labels):
                self.add_error("kind" if kind != self.instance.kind else "choices_text", error)
        return cleaned

    def save(self, commit=True):
        question = super().save(commit=commit)
        if commit:
            question_set_choices(question=question, labels=self.cleaned_data.get("choices_text") or [])
        return question


class QuestionInlineFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = sum(
            1
            for form in self.forms
            if hasattr(form, "cleaned_data")
            and not (self.can_delete and self._should_delete_form(form))
            and (form.instance.pk or form.has_changed())
        )
        if not kept and self.instance.status != SurveyStatus.DRAFT:
            raise ValidationError(_("An open or closed survey needs at least one question."))


def _refuse_deleting_answered(formset, delete_errors):
    """The admin's own check lists every protected answer (thousands, read one by one): say it in one line."""

    class AnswersProtectedForm(formset.form):
        def hand_clean_DELETE(self):
            if self.cleaned_data.get("DELETE") and (errors := delete_errors(self.instance)):
                raise ValidationError(errors)

    formset.form = AnswersProtectedForm
    return formset


class QuestionInline(PrefectureScopedInline):
    model = Question
    form = QuestionInlineForm
    formset = QuestionInlineFormSet
    fields = ["position", "text", "help_text", "kind", "required", "is_public", "choices_text"]
    extra = 1

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("choices")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return _refuse_deleting_answered(formset, lambda question: question_delete_errors(question=question))


# --- distribution points ----------------------------------------------------------------------------


def _point_links(point):
    if point is None or point.pk is None:
        return "—"
    links = [
        (reverse("admin:surveys_distributionpoint_qr_svg", args=[point.pk]), _("QR code (SVG)")),
        (reverse("admin:surveys_distributionpoint_qr_png", args=[point.pk]), _("QR code (PNG)")),
        (reverse("admin:surveys_distributionpoint_poster", args=[point.pk]), _("A4 poster (PDF)")),
    ]
    return format_html_join(" · ", '<a href="{}">{}</a>', links)


def _short_link(point):
    if point is None or point.pk is None:
        return _("Given when saved.")
    url = printing.short_url(point)
    return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, url)


class DistributionPointInline(PrefectureScopedInline):
    model = DistributionPoint
    fields = ["name", "site", "short_link", "downloads"]
    readonly_fields = ["short_link", "downloads"]

    @admin.display(description=_("short link"))
    def short_link(self, point):
        return _short_link(point)

    @admin.display(description=_("print"))
    def downloads(self, point):
        return _point_links(point)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("site")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        site = formset.form.base_fields.get("site")
        if obj is not None and site is not None:
            site.queryset = site.queryset.filter(prefecture_id=obj.prefecture_id)
        return _refuse_deleting_answered(formset, lambda point: point_delete_errors(point=point))


# --- surveys ---------------------------------------------------------------------------------------


class SurveyAdminForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["prefecture", "title", "slug", "introduction", "opens_on", "closes_on", "status", "results_public"]

    def clean(self):
        cleaned = super().clean()
        survey = self.instance
        answered = survey.pk is not None and survey.responses.exists()
        if cleaned.get("status") == SurveyStatus.DRAFT and answered:
            self.add_error(
                "status", _("This survey already has answers: it cannot go back to draft. Close it instead.")
            )
        if cleaned.get("results_public") and cleaned.get("status") == SurveyStatus.DRAFT:
            self.add_error("results_public", _("A draft survey has no results to publish."))
        return cleaned


def _response_count():
    responses = Response.objects.filter(survey=OuterRef("pk")).order_by().values("survey").annotate(n=Count("pk"))
    return Coalesce(Subquery(responses.values("n"), output_field=IntegerField()), 0)


@admin.register(Survey)
class SurveyAdmin(PrefectureScopedAdmin):
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
                service(survey=survey, **kwargs)
                changed += 1
            except ValidationError as error:
                self.message_user(request, f"{survey}: {' '.join(error.messages)}", messages.ERROR)
        if changed:
            self.message_user(request, done(changed), messages.SUCCESS)

    @admin.action(description=_("Duplicate for the next period"), permissions=["add"])
    def duplicate(self, request, queryset):
        for survey in queryset:
            copy = survey_duplicate(survey=survey)
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

    # --- results and export ---

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:object_id>/resultats/", view(self.results_view), name="surveys_survey_results"),
            path("<int:object_id>/export.csv", view(self.export_view), name="surveys_survey_export"),
            *not_found_unless_int("resultats/", "export.csv", view=view),
            *super().get_urls(),
        ]

    def _viewable(self, request, object_id):
        survey = self.scoped_object(request, object_id, related=["prefecture"])
        if not self.has_view_permission(request, survey):
            raise PermissionDenied
        return survey

    def results_view(self, request, object_id):
        survey = self._viewable(request, object_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": survey,
            "title": _("Results: %(title)s") % {"title": survey.title},
            "results": survey_results(survey, officer=True),
        }
        return TemplateResponse(request, "admin/surveys/survey/results.html", context)

    def export_view(self, request, object_id):
        survey = self._viewable(request, object_id)
        response = StreamingHttpResponse(csv_lines(survey), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="enquete-{survey.slug}-reponses.csv"'
        return response


@admin.register(DistributionPoint)
class DistributionPointAdmin(PrefectureScopedAdmin):
    list_display = ["name", "survey", "site", "short_link", "downloads"]
    list_filter = ["survey"]
    list_select_related = ["survey__prefecture", "site"]
    search_fields = ["name", "code", "survey__title"]
    fields = ["survey", "name", "site", "short_link", "downloads"]
    readonly_fields = ["short_link", "downloads"]

    @admin.display(description=_("short link"))
    def short_link(self, point):
        return _short_link(point)

    @admin.display(description=_("print"))
    def downloads(self, point):
        return _point_links(point)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        if obj is not None and point_delete_errors(point=obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:object_id>/qr.svg", view(self.qr_svg_view), name="surveys_distributionpoint_qr_svg"),
            path("<int:object_id>/qr.png", view(self.qr_png_view), name="surveys_distributionpoint_qr_png"),
            path("<int:object_id>/affiche.pdf", view(self.poster_view), name="surveys_distributionpoint_poster"),
            *not_found_unless_int("qr.svg", "qr.png", "affiche.pdf", view=view),
            *super().get_urls(),
        ]

    def _viewable(self, request, object_id):
        point = self.scoped_object(request, object_id, related=["survey__prefecture"])
        if not self.has_view_permission(request, point):
            raise PermissionDenied
        return point

    def _file(self, content, content_type, point, extension):
        response = HttpResponse(content, content_type=content_type)
        name = f"enquete-{point.survey.slug}-{point.code}.{extension}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def qr_svg_view(self, request, object_id):
        point = self._viewable(request, object_id)
        return self._file(
            printing.qr_svg(printing.short_url(point), title=point.survey.title), "image/svg+xml", point, "svg"
        )

    def qr_png_view(self, request, object_id):
        point = self._viewable(request, object_id)
        return self._file(printing.qr_png(printing.short_url(point)), "image/png", point, "png")

    def poster_view(self, request, object_id):
        point = self._viewable(request, object_id)
        return self._file(printing.poster_pdf(point), "application/pdf", point, "pdf")
