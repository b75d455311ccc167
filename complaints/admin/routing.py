"""A prefecture's routing rules: where a case goes when the citizen did not know the service."""

from django.contrib import admin

from qualipref.admin import PrefectureScopedAdmin
from qualipref.scoping import scope_queryset

from ..models import RoutingRule, Topic
from .listing import TopicFilter


@admin.register(RoutingRule)
class RoutingRuleAdmin(PrefectureScopedAdmin):
    list_display = ["topic", "site", "service", "prefecture"]
    list_filter = [("topic", TopicFilter), "prefecture"]
    list_select_related = ["prefecture", "site", "service", "topic"]
    fields = ["prefecture", "topic", "site", "service"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "topic":
            current = Topic.objects.current().select_related("prefecture")
            kwargs["queryset"] = scope_queryset(current, request.user).order_by(
                "prefecture__department_code", "position", "name"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
