"""A survey's questions and distribution points, edited on the survey's page."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from qualipref.admin import PrefectureScopedInline
from qualipref.links import absolute_url

from .. import kiosk, printing
from ..models import DistributionPoint, Question
from ..services import point_delete_errors, question_delete_errors
from .forms import DistributionPointForm, QuestionInlineForm, QuestionInlineFormSet, refuse_deleting_answered


def point_links(point):
    """The point's QR codes and poster, to download."""
    if point is None or point.pk is None:
        return "—"
    links = [
        (reverse("admin:surveys_distributionpoint_qr_svg", args=[point.pk]), _("QR code (SVG)")),
        (reverse("admin:surveys_distributionpoint_qr_png", args=[point.pk]), _("QR code (PNG)")),
        (reverse("admin:surveys_distributionpoint_poster", args=[point.pk]), _("A4 poster (PDF)")),
    ]
    return format_html_join(" · ", '<a href="{}">{}</a>', links)


def short_link(point):
    if point is None or point.pk is None:
        return _("Given when saved.")
    url = printing.short_url(point)
    return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, url)


def kiosk_link(point):
    """The point's counter tablet link, with how to use it, or how to get one."""
    if point is None or point.pk is None or not point.kiosk_key:
        return _(
            "None. To offer the survey on a tablet at the counter, select this point in the list of "
            "distribution points and choose the action “Give a new counter tablet link”."
        )
    url = absolute_url(kiosk.path(point))
    return format_html(
        '<a href="{}" target="_blank" rel="noopener">{}</a><br>{}',
        url,
        url,
        _(
            "Open it on the counter's tablet: the survey starts again after each answer and after a minute without "
            "a touch. Whoever has this link can answer: give a new one to revoke it."
        ),
    )


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
        return refuse_deleting_answered(formset, lambda question: question_delete_errors(question=question))


class PointLinksMixin:
    """A distribution point's short link and printable documents, as the point's inline and its own admin show them."""

    @admin.display(description=_("short link"))
    def short_link(self, point):
        return short_link(point)

    @admin.display(description=_("print"))
    def downloads(self, point):
        return point_links(point)


class DistributionPointInline(PointLinksMixin, PrefectureScopedInline):
    model = DistributionPoint
    form = DistributionPointForm
    fields = ["name", "site", "short_link", "downloads"]
    readonly_fields = ["short_link", "downloads"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("site")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        site = formset.form.base_fields.get("site")
        if obj is not None and site is not None:
            site.queryset = site.queryset.filter(prefecture_id=obj.prefecture_id)
        return refuse_deleting_answered(formset, lambda point: point_delete_errors(point=point))
