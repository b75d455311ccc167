"""A prefecture's routing rules: where a case goes when the citizen did not know the service."""

from django.contrib import admin

from qualipref.admin import PrefectureScopedAdmin

from ..models import RoutingRule
from .listing import TopicFilter
from .topics import topic_choices


@admin.register(RoutingRule)
class RoutingRuleAdmin(PrefectureScopedAdmin):
    list_display = ["topic", "site", "service", "prefecture"]
    list_filter = [("topic", TopicFilter), "prefecture"]
    list_select_related = ["prefecture", "site", "service", "topic"]
    fields = ["prefecture", "topic", "site", "service"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "topic" and field is not None:
            topic_choices(field, request.user, current_only=True)
        return field
