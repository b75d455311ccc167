"""A prefecture's routing rules: where a case goes when the citizen did not know the service."""

from django.contrib import admin

from qualipref.admin import PrefectureScopedAdmin

from ..models import RoutingRule


@admin.register(RoutingRule)
class RoutingRuleAdmin(PrefectureScopedAdmin):
    list_display = ["topic", "site", "service", "prefecture"]
    list_filter = ["topic", "prefecture"]
    list_select_related = ["prefecture", "site", "service"]
    fields = ["prefecture", "topic", "site", "service"]
