"""A prefecture's topics: its officers edit the list the complaint form, the routing rules and Open311 offer."""

from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from qualipref.admin import PrefectureScopedAdmin
from qualipref.scoping import scope_queryset

from ..models import Case, Topic
from ..topics import topic_save


def topic_choices(field, user, *, current_only=False):
    """``field`` (a topic choice of a case or a rule) offering the user's prefectures' topics in the form's order,
    each named with its prefecture's code when the user works for several (the wordings repeat)."""
    topics = Topic.objects.current() if current_only else Topic.objects.all()
    field.queryset = scope_queryset(topics.select_related("prefecture"), user).order_by(
        "prefecture__department_code", "position", "name"
    )
    if len(user.prefecture_ids) > 1:
        field.label_from_instance = lambda topic: f"{topic} ({topic.prefecture.department_code})"
    return field


@admin.register(Topic)
class TopicAdmin(PrefectureScopedAdmin):
    list_display = ["name", "english_name", "code_shown", "position", "is_archived", "in_use", "prefecture"]
    list_display_links = ["name"]
    list_filter = ["is_archived", "prefecture"]
    list_select_related = ["prefecture"]
    list_editable = ["position"]
    search_fields = ["name", "name_en", "code"]
    fields = ["prefecture", "name", "name_en", "code", "position", "is_archived"]
    ordering = ["prefecture", "position", "name"]

    def get_queryset(self, request):
        # Whether cases use it (then it is archived, not deleted): one index probe per row shown, never a count.
        return super().get_queryset(request).annotate(in_use=Exists(Case.objects.filter(topic=OuterRef("pk"))))

    @admin.display(description=_("English wording"), ordering="name_en")
    def english_name(self, topic):
        return format_html('<span lang="en">{}</span>', topic.name_en) if topic.name_en else "—"

    @admin.display(description=_("code"), ordering="code")
    def code_shown(self, topic):
        return format_html("<code>{}</code>", topic.code)  # an identifier, in no language

    @admin.display(description=_("used by cases"), boolean=True)
    def in_use(self, topic):
        return topic.in_use

    def get_changelist_form(self, request, **kwargs):
        """The list's order cells, each named for its row (« Ordre – Courrier »): Django's editable cells have no
        label, which a screen reader announces as a bare number field (axe: a form element without a label)."""
        base = super().get_changelist_form(request, **kwargs)

        class LabelledPositionForm(base):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                if "position" in self.fields and self.instance.pk:
                    label = f"{capfirst(Topic._meta.get_field('position').verbose_name)} – {self.instance.name}"
                    self.fields["position"].widget.attrs["aria-label"] = label

        return LabelledPositionForm

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
