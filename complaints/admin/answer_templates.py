"""Answer templates of a prefecture, with the placeholders they may use."""

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from qualipref.admin import PrefectureScopedAdmin

from ..models import AnswerTemplate


def placeholders_help():
    return format_html(
        "{} {}. {}",
        gettext("Placeholders replaced when the template is used:"),
        format_html_join(", ", "<code>{}</code> ({})", AnswerTemplate.PLACEHOLDERS.items()),
        gettext(
            "Anything else in braces or square brackets ([specify the document]) stays as written, and the answer is "
            "sent only once the officer has replaced it."
        ),
    )


@admin.register(AnswerTemplate)
class AnswerTemplateAdmin(PrefectureScopedAdmin):
    list_display = ["title", "kind", "prefecture", "is_active"]
    list_filter = ["is_active", "kind", "prefecture"]
    list_select_related = ["prefecture"]
    search_fields = ["title", "body"]
    fields = ["prefecture", "title", "kind", "body", "is_active"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "body":
            field.help_text = placeholders_help()
        return field
