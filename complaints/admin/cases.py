"""Cases in the admin: the officer's list, the case page with its thread, and the entry of cases
received by letter, e-mail, phone or at the counter."""

import html
import re
import unicodedata

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.defaultfilters import filesizeformat, linebreaksbr
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from qualipref.admin import PrefectureScopedAdmin, PrefectureScopedInline
from qualipref.models import Service
from qualipref.scoping import agent_rule
from qualipref.workflow import TransitionRefused, refusal_message

from ..enums import Channel, MessageKind, Status
from ..models import Attachment, Case, Message, RefusedAttachment, Transition
from ..services import SORTING_FIELDS, case_assign, case_enter, case_sort, case_transition
from ..tracking_links import tracking_url
from .forms import ENTRY_FIELDS, CaseChangeForm, CaseEntryForm
from .listing import (
    AssigneeFilter,
    CappedCountPaginator,
    CaseChangeList,
    OverdueFilter,
    ScopedRelatedFilter,
    TopicFilter,
    due_badge,
    single_prefecture,
)
from .topics import topic_choices
from .views import CaseWorkflowViews

# "974-2026-000123" or its beginning ("974-2026", "2A-"): a prefix search on the reference's index.
REFERENCE_PREFIX = re.compile(r"^[0-9][0-9AB]{1,2}(-[0-9]{0,4}(-[0-9]{0,6})?)?$", re.IGNORECASE)
# Characters of a subject shown in the case list.
SHORT_SUBJECT = 60
# "123" or "000123": the number of a reference, in any year.
REFERENCE_NUMBER = re.compile(r"^[0-9]{1,6}$")


# --- the thread, attachments and status changes, shown read-only on the case page -----------------------


class ReadOnlyInline(PrefectureScopedInline):
    can_delete = False
    template = "admin/complaints/case/readonly_inline.html"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MessageInline(ReadOnlyInline):
    model = Message
    verbose_name = _("message of the thread")
    verbose_name_plural = _("thread: citizen's messages, answers, requests and internal notes")
    fields = ["created_at", "kind_display", "author", "text"]
    readonly_fields = fields
    ordering = ["created_at", "pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    @admin.display(description=_("kind"))
    def kind_display(self, message):
        if message.kind == MessageKind.NOTE:
            return format_html('<strong class="qp-badge qp-badge--note">{}</strong>', message.get_kind_display())
        return message.get_kind_display()

    @admin.display(description=_("message"))
    def text(self, message):
        return linebreaksbr(message.body, autoescape=True)


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["download", "content_type", "file_size", "uploaded_by_citizen", "uploaded_at"]
    readonly_fields = fields
    ordering = ["uploaded_at", "pk"]

    @admin.display(description=_("file"))
    def download(self, attachment):
        return format_html('<a href="{}">{}</a>', attachment.get_download_url(), attachment.original_name)

    @admin.display(description=_("size"))
    def file_size(self, attachment):
        return filesizeformat(attachment.size)


class RefusedAttachmentInline(ReadOnlyInline):
    """The files of an e-mail case that the upload checks refused: their names and why, never their content."""

    model = RefusedAttachment
    verbose_name_plural = _("files received by e-mail and refused")
    fields = ["name", "file_size", "reason", "received_at"]
    readonly_fields = fields
    ordering = ["received_at", "pk"]

    @admin.display(description=_("size"))
    def file_size(self, refused):
        return filesizeformat(refused.size)


class TransitionInline(ReadOnlyInline):
    model = Transition
    verbose_name = _("status change")
    verbose_name_plural = _("status changes")
    fields = ["at", "from_status", "to_status", "by", "note"]
    readonly_fields = fields
    ordering = ["at", "pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


# --- the case admin ------------------------------------------------------------------------------------------


@admin.register(Case)
class CaseAdmin(CaseWorkflowViews, PrefectureScopedAdmin):
    list_display = [
        "reference",
        "kind",
        "status",
        "short_subject",
        "service",
        "site",
        "received_on",
        "due",
        "assignee",
    ]
    list_display_links = ["reference"]
    list_filter = [
        "status",
        "kind",
        ("service", ScopedRelatedFilter),
        ("site", ScopedRelatedFilter),
        "channel",
        ("topic", TopicFilter),
        OverdueFilter,
        AssigneeFilter,
    ]
    list_select_related = ["prefecture", "service", "site", "assignee"]  # prefecture: its own "today"
    search_fields = ["reference", "email", "name"]
    search_help_text = _("A reference (974-2026-000123, its beginning or its number), an e-mail address, or a name.")
    date_hierarchy = "received_on"
    sortable_by = ["reference", "kind", "status", "received_on", "due"]
    paginator = CappedCountPaginator
    list_per_page = 100  # an officer's morning queue on one page; the rows cost little (qualipref.admin_rows)
    show_facets = admin.ShowFacets.NEVER
    actions = ["assign_to_me", "acknowledge"]
    form = CaseChangeForm
    inlines = [MessageInline, AttachmentInline, TransitionInline]
    view_on_site = False  # the case's absolute URL is this very page

    change_fieldsets = [
        (None, {"fields": ["reference", "prefecture", "kind", "channel", "status", "received_on", "due", "assignee"]}),
        (_("Citizen"), {"fields": ["name", "email", "phone", "consent_at"]}),
        (_("Request"), {"fields": ["topic", "service", "site", "subject", "description", "media_link"]}),
        (
            _("Follow-up"),
            {
                "fields": [
                    "acknowledged_at",
                    "waiting_since",
                    "paused_working_days",
                    "answered_at",
                    "closed_at",
                    "rejection_reason",
                    "public_reply",
                ]
            },
        ),
        (_("Satisfaction with the answer"), {"fields": ["rating", "rating_comment", "rated_at"]}),
    ]
    # What an officer may change on the case page itself: how the case is sorted (services.case_sort).
    sorting_fields = list(SORTING_FIELDS)

    class Media:
        css = {"all": ["complaints/admin/cases.css"]}

    # --- the list ----------------------------------------------------------------------------------

    def get_queryset(self, request):
        # scope_queryset (Case.service_lookup) also limits a service agent to their service's cases.
        queryset = Case.objects.for_user(request.user)
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def changelist_view(self, request, extra_context=None):
        extra_context = {"can_export": self.has_change_permission(request), **(extra_context or {})}
        return super().changelist_view(request, extra_context=extra_context)

    def get_changelist(self, request, **kwargs):
        return CaseChangeList

    def get_list_display(self, request):
        if len(request.user.prefecture_ids) > 1:
            return ["reference", "prefecture", *self.list_display[1:]]
        return self.list_display

    def get_search_results(self, request, queryset, search_term):
        """Exact or prefix lookups that the indexes serve; only a name is searched inside the text."""
        term = search_term.strip()
        if not term:
            return queryset, False
        if "@" in term:
            return queryset.filter(email=term.lower()), False
        if REFERENCE_NUMBER.match(term):
            return queryset.filter(reference__endswith=f"-{int(term):06d}"), False
        if REFERENCE_PREFIX.match(term):
            return queryset.filter(reference__startswith=term.upper()), False
        for word in term.split():
            queryset = queryset.filter(name__icontains=word)
        return queryset, False

    def action_checkbox(self, obj):
        # Django's own checkbox (the same HTML), without rendering a widget template for each of the page's rows,
        # nor format_html's lazy checks: the label's text is the translation with the escaped reference put in.
        label = gettext("Select this object for an action - {}").format(html.escape(str(obj)))
        return SafeString(
            f'<input type="checkbox" name="{ACTION_CHECKBOX_NAME}" value="{int(obj.pk)}" class="action-select" '
            f'aria-label="{label}">'
        )

    @admin.display(description=_("subject"))
    def short_subject(self, case):
        subject = case.subject
        if len(subject) <= SHORT_SUBJECT and unicodedata.is_normalized("NFC", subject):
            return subject  # what Truncator gives back for a short subject, without building one for each row
        return Truncator(subject).chars(SHORT_SUBJECT)

    @admin.display(description=_("link to a photo or document"))
    def media_link(self, case):
        """The app's link (Open311 ``media_url``), opened by the officer's browser: the portal never fetches it."""
        if not case.media_url:
            return "—"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener noreferrer nofollow">{}</a><div class="help">{}</div>',
            case.media_url,
            case.media_url,
            _("Given by the app that filed the case; not checked by the portal: opens in a new window."),
        )

    @admin.display(description=_("answer due on"), ordering="due_on")
    def due(self, case):
        # The list's rows come with their badge (CaseChangeList.get_results: one "today" per prefecture and one
        # display per date and state on a page); a case from elsewhere gets its own.
        badge = getattr(case, "list_due_badge", None)
        return due_badge(case) if badge is None else badge

    # --- actions: through the services, a refusal reported -------------------------------------------------

    @admin.action(description=_("Assign the selected cases to me"), permissions=["change"])
    def assign_to_me(self, request, queryset):
        count = 0
        for case in queryset:
            try:
                case_assign(case=case, to=request.user, by=request.user)
            except (TransitionRefused, ValidationError) as refused:
                self.message_user(request, f"{case.reference} : {refusal_message(refused)}", messages.ERROR)
            else:
                count += 1
        self.message_user(
            request, ngettext("%d case assigned to you.", "%d cases assigned to you.", count) % count, messages.SUCCESS
        )

    @admin.action(description=_("Mark the selected cases as acknowledged"), permissions=["change"])
    def acknowledge(self, request, queryset):
        done, refused = 0, []
        for case in queryset:
            try:
                case_transition(case=case, to=Status.ACKNOWLEDGED, by=request.user)
                done += 1
            except (TransitionRefused, ValidationError) as refusal:
                refused.append(f"{case.reference}: {refusal_message(refusal)}")
        if done:
            self.message_user(
                request, ngettext("%d case acknowledged.", "%d cases acknowledged.", done) % done, messages.SUCCESS
            )
        for line in refused:
            self.message_user(request, line, messages.ERROR)

    # --- the case page ---------------------------------------------------------------------------------------

    def has_delete_permission(self, request, obj=None):
        # References have no gaps and statistics count every case: cases are anonymised, never deleted.
        return False

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (_("How the case reached the prefecture"), {"fields": ["prefecture", "channel", "received_on"]}),
                (_("Request"), {"fields": ["kind", "service", "site", "topic", "subject", "description"]}),
                (_("Citizen (optional)"), {"fields": ["name", "email", "phone"]}),
            ]
        return self.change_fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        editable = set(self.sorting_fields)
        if obj.service_id:
            editable.discard("service")  # a case changes service by a transfer, which is logged
        return [
            field for fieldset in self.change_fieldsets for field in fieldset[1]["fields"] if field not in editable
        ]

    def get_inlines(self, request, obj):
        if obj is None:
            return []
        if obj.channel == Channel.EMAIL:
            return [MessageInline, AttachmentInline, RefusedAttachmentInline, TransitionInline]
        return self.inlines

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = CaseEntryForm
            kwargs["fields"] = ENTRY_FIELDS
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user
        return form

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        prefecture = single_prefecture(request.user)  # preselected by PrefectureScopedAdmin
        # Today where the case was received: at 20:00 in Guadeloupe it is already tomorrow in Paris,
        # and a date of receipt in the prefecture's future is refused (CaseEntryForm.clean).
        initial.setdefault("received_on", prefecture.today() if prefecture is not None else timezone.localdate())
        return initial

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        user = request.user
        if db_field.name == "service" and user.is_authenticated and user.agent_scope:
            # A service agent enters (and sorts) cases for their own service only, in the prefectures where they are
            # nothing else: the rule of ``scope_queryset``, read on the service itself.
            kwargs["queryset"] = Service.objects.filter(agent_rule(user, "prefecture", "pk"))
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "topic" and field is not None:
            topic_choices(field, user)
        return field

    def save_model(self, request, obj, form, change):
        if change:
            case_sort(case=obj, by=request.user, fields=form.changed_data)
            return
        data = {name: form.cleaned_data.get(name) for name in ENTRY_FIELDS}
        case, token = case_enter(data=data, by=request.user, case=obj)
        if not case.email:
            self.message_user(
                request,
                _(
                    "No e-mail address: give the citizen the reference %(reference)s "
                    "and this private tracking link: %(url)s"
                )
                % {"reference": case.reference, "url": tracking_url(token)},
                messages.INFO,
            )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and change:
            context.update(self.workflow_context(request, obj))
            context["due_badge"] = due_badge(obj)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    # --- history: shown, never reverted (a revert would move the status past the workflow) ------------------

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context=extra_context)
