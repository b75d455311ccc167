"""A prefecture's topics: its officers edit the list the complaint form, the routing rules and Open311 offer."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from qualipref.admin import PrefectureScopedAdmin

from ..models import Topic
from ..topics import topic_save


@admin.register(Topic)
class TopicAdmin(PrefectureScopedAdmin):
    list_display = ["name", "name_en", "code", "position", "is_archived", "case_count", "prefecture"]
    list_display_links = ["name"]
    list_filter = ["is_archived", "prefecture"]
    list_select_related = ["prefecture"]
    list_editable = ["position"]
    search_fields = ["name", "name_en", "code"]
    fields = ["prefecture", "name", "name_en", "code", "position", "is_archived"]
    ordering = ["prefecture", "position", "name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(case_count=Count("cases"))

    @admin.display(description=_("cases"))
    def case_count(self, topic):
        return topic.case_count

    def _may_edit(self, request):
        # A service agent reads the list; the prefecture's quality officers (and national staff) edit it.
        return not request.user.agent_scope

    def has_add_permission(self, request):
        return self._may_edit(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._may_edit(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # A topic cases use is archived, never deleted: its cases keep it (and the statistics count them).
        if obj is not None and obj.cases.exists():
            return False
        return self._may_edit(request) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        topic_save(topic=obj, by=request.user)
