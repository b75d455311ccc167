"""The custom admin views: a survey's results and CSV export, a point's QR codes and poster. Each finds the
object in the user's scope (else 404) and needs the view permission (else 403)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from qualipref.admin import not_found_unless_int

from .. import printing
from ..export import csv_lines
from ..results import survey_results


class SurveyViews:
    """``SurveyAdmin``'s results page and CSV export."""

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


class DistributionPointViews:
    """``DistributionPointAdmin``'s downloads: QR codes (SVG, PNG) and the A4 poster."""

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
