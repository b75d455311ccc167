import functools
import zoneinfo

from axes import admin as axes_admin
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import SEARCH_VAR
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import DataError, models, router, transaction
from django.forms.models import BaseInlineFormSet
from django.http import Http404
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext, pgettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from .apiclients import api_key_issue
from .enums import Role
from .history import AuditTrailContextHelper
from .mail import MAX_ATTEMPTS, OutgoingEmail, email_send_again
from .models import ApiClient, Membership, Prefecture, Service, Site, User, mixed_staff_roles_error
from .scoping import is_scoped, scope_queryset
from .timezones import format_zoned

admin.site.site_header = _("Qualipref administration")
admin.site.site_title = _("Qualipref")
admin.site.index_title = _("Quality label management")


# What a hostile value in an admin URL raises once it reaches the database, where Django's own checks stop: a NUL
# byte (psycopg2's ValueError: PostgreSQL text holds none), a date out of range (``__year=0``, a year past 9999), an
# integer past 64 bits (OverflowError on SQLite, DataError on PostgreSQL).
HOSTILE_VALUE_ERRORS = (ValueError, OverflowError, ValidationError, DataError)


def has_nul(text):
    return "\x00" in str(text)


class HostileLookupsMixin:
    """Hostile values in an admin URL get Django's answer to wrong ones, never a server error (500).

    A list's filters, lookups and date hierarchy (``?status__exact=%00``, ``?received_on__year=99999999999999999999``,
    ``?month__year=0``): the list is redirected with ``?e=1`` ("incorrect lookup parameters"). These values fail in
    Python or in the database driver before any SQL runs (a list view is in no transaction, either): no savepoint,
    so a list costs the same queries as without the guard. An object URL with a hostile id: "not found".
    A search term with a NUL byte finds nothing (the list's own search form already refuses it with a message;
    this is for the autocomplete). Every registered ModelAdmin has it: ours through ``PrefectureScopedAdmin`` (or
    in their bases), the third-party apps' through ``guard_every_model_admin``.
    """

    def get_changelist_instance(self, request):
        if any(has_nul(key) or any(map(has_nul, values)) for key, values in request.GET.lists() if key != SEARCH_VAR):
            raise IncorrectLookupParameters("NUL byte in a lookup")
        try:
            changelist = super().get_changelist_instance(request)
            len(changelist.result_list)  # the page's rows, fetched here rather than while rendering
        except HOSTILE_VALUE_ERRORS as error:
            if not request.GET:  # the plain list failing is a bug to see, not a hostile value
                raise
            raise IncorrectLookupParameters(error) from error
        return changelist

    def get_search_results(self, request, queryset, search_term):
        if has_nul(search_term):
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)

    def get_object(self, request, object_id, from_field=None):
        if has_nul(object_id):
            return None
        try:
            with transaction.atomic(using=router.db_for_read(self.model)):
                return super().get_object(request, object_id, from_field)
        except HOSTILE_VALUE_ERRORS:
            return None


def guard_every_model_admin(site=admin.site):
    """Third-party apps (django-axes, auth's groups, django-dsfr) register their own ModelAdmins: each is registered
    again with ``HostileLookupsMixin`` mixed in. Run once every app's admin is loaded (``QualiprefConfig.ready``)."""
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, HostileLookupsMixin):
            continue
        guarded = type(type(model_admin).__name__, (HostileLookupsMixin, type(model_admin)), {})
        site.unregister(model)
        site.register(model, guarded)


def _not_found(request, **kwargs):
    raise Http404


def not_found_unless_int(*suffixes, view):
    """URL patterns to put after a ModelAdmin's own ``<int:…>/<suffix>`` routes: any other id is not found.

    Otherwise Django's catch-all ``<path:object_id>/`` redirect takes "abc/report.csv" whole for an object id.
    """
    return [path(f"<str:object_id>/{suffix}", view(_not_found)) for suffix in suffixes]


def scope_field_name(model):
    """The form field that places an object of ``model`` in a prefecture — the first step of its
    ``prefecture_lookup`` (``prefecture``, ``committee``, ``survey``…) — or None (a prefecture itself, a user)."""
    lookup = getattr(model, "prefecture_lookup", None)
    if not lookup or lookup == "pk":
        return None
    field = model._meta.get_field(lookup.split("__")[0])
    return field.name if field.many_to_one or field.one_to_one else None


class ScopedFormFieldsMixin:
    """Foreign-key and many-to-many choices limited to the user's prefectures."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.remote_field.model
        if is_scoped(related) and "queryset" not in kwargs:
            kwargs["queryset"] = scope_queryset(related._default_manager.all(), request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        related = db_field.remote_field.model
        if is_scoped(related) and "queryset" not in kwargs:
            kwargs["queryset"] = scope_queryset(related._default_manager.all(), request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_queryset(self, request):
        return scope_queryset(super().get_queryset(request), request.user)


def _row_zone(obj):
    """The zone of the row's prefecture, following ``prefecture_lookup`` (None when it is multi-valued)."""
    lookup = getattr(type(obj), "prefecture_lookup", None)
    if not lookup:
        return None
    for part in () if lookup == "pk" else lookup.split("__"):
        obj = getattr(obj, part, None)
        if obj is None or not hasattr(obj, "_meta"):
            return None
    return getattr(obj, "time_zone", None)


@functools.cache
def zoned_column(model, name):
    """``name`` itself unless it is a date-and-time field of ``model``; then a list column showing it in the
    row's prefecture's zone with the zone named (« 3 déc. 2026 07:30, heure de La Réunion »)."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    if not isinstance(field, models.DateTimeField):
        return name

    def column(obj):
        value = getattr(obj, name)
        return format_zoned(value, _row_zone(obj), "SHORT_DATETIME_FORMAT") if value else "-"

    column.__name__ = name
    column.short_description = field.verbose_name
    column.admin_order_field = name
    return column


class EnglishFieldsMixin:
    """Fields whose name ends in "_en" hold English (the shipped referentials' English wordings): their widgets
    say so with lang="en" on the French pages (RGAA 8.7); read-only, ``admin/includes/fieldset.html`` does."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.name.endswith("_en"):
            field.widget.attrs["lang"] = "en"
        return field


class PrefectureScopedAdmin(HostileLookupsMixin, EnglishFieldsMixin, ScopedFormFieldsMixin, SimpleHistoryAdmin):
    """The project's base ModelAdmin: every list, object page, choice and filter scoped.

    Later apps inherit from it and get scoping in one line. Lists never run a full
    ``COUNT(*)`` on big tables.
    """

    show_full_result_count = False
    list_per_page = 50
    # The history page is the audit trail: labels, local dates and names instead of codes, ISO strings and "None".
    object_history_list_template = "admin/history_list.html"

    def get_historical_record_context_helper(self, request, historical_record):
        return AuditTrailContextHelper(self.model, historical_record)

    def scoped_object(self, request, object_id, *, related=()):
        """The object ``object_id`` from the admin's scoped queryset (with ``related`` joined), for the custom
        views: 404 when missing, in another prefecture, or not an id at all ("abc" for a number)."""
        queryset = self.get_queryset(request).select_related(*related)
        try:
            if has_nul(object_id):
                raise queryset.model.DoesNotExist
            found = queryset.get(pk=self.opts.pk.to_python(unquote(str(object_id))))
        except (queryset.model.DoesNotExist, *HOSTILE_VALUE_ERRORS):
            raise Http404 from None
        self._use_time_zone_of(found)
        return found

    def preselect_placing_field(self, request, form):
        """An officer of one prefecture never picks it: the field that places a new object in a prefecture
        (``prefecture``, ``committee``…) comes with that one choice made, offered alone when the field is
        required. What is posted is still checked against the field's scoped choices."""
        name = scope_field_name(self.model)
        field = form.fields.get(name) if name else None
        if getattr(field, "queryset", None) is None or len(request.user.prefecture_ids) != 1:
            return
        choices = list(field.queryset[:2])
        if len(choices) != 1:
            return
        if not form.is_bound and form.initial.get(name) in (None, ""):
            form.initial[name] = choices[0].pk
        if field.required:
            field.empty_label = None

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if add and "adminform" in context:
            self.preselect_placing_field(request, context["adminform"].form)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def _ensure_in_scope(self, request, object_id):
        # simple_history falls back to an object's historical records when the live queryset
        # does not hold it: that would show another prefecture's history. Out of scope is 404.
        self.scoped_object(request, object_id)

    def _use_time_zone_of(self, obj):
        """An object's pages (change, history, custom views) show times in its prefecture's zone, whoever reads."""
        zone = _row_zone(obj)
        if zone:
            timezone.activate(zoneinfo.ZoneInfo(zone))

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            self._use_time_zone_of(obj)
        return obj

    def history_view(self, request, object_id, extra_context=None):
        self._ensure_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context=extra_context)

    def get_list_display(self, request):
        # A list may mix prefectures: each row's times in its own prefecture's zone, named.
        links = self.list_display_links or ()
        return [
            zoned_column(self.model, item) if isinstance(item, str) and item not in links else item
            for item in super().get_list_display(request)
        ]

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._ensure_in_scope(request, object_id)
        # A version of a model without history, or that cannot be one ("abc"), is not found, as a missing one is.
        history = getattr(self.model, getattr(self.model._meta, "simple_history_manager_attribute", ""), None)
        if history is None:
            raise Http404
        try:
            history.model._meta.pk.to_python(version_id)
        except ValidationError:
            raise Http404 from None
        return super().history_form_view(request, object_id, version_id, extra_context=extra_context)

    def get_list_filter(self, request):
        # A plain foreign-key filter would list every prefecture's sites and services:
        # offer only the values present in the (scoped) queryset.
        filters = []
        for item in super().get_list_filter(request):
            if isinstance(item, str) and "__" not in item:
                field = self.model._meta.get_field(item)
                if field.many_to_one or field.many_to_many:
                    item = (item, RelatedOnlyFieldListFilter)
            filters.append(item)
        return filters


class PrefectureScopedInline(ScopedFormFieldsMixin, admin.TabularInline):
    extra = 0


@admin.register(Prefecture)
class PrefectureAdmin(PrefectureScopedAdmin):
    list_display = ["department_code", "name", "label", "label_awarded_on", "next_audit_on"]
    list_filter = ["label"]
    search_fields = ["department_code", "name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["department_code", "name", "of_name_fr", "slug", "time_zone", "holiday_subdivision"]}),
        (_("Contact"), {"fields": ["address", "contact_email", "contact_phone", "website"]}),
        (_("Label"), {"fields": ["label", "label_awarded_on", "certifying_body", "next_audit_on"]}),
        (_("Complaints"), {"fields": ["answer_deadline_working_days", "reopen_days", "mediator"]}),
    ]
    coordinator_only_fields = ["department_code", "slug", "label", "label_awarded_on", "certifying_body"]

    def get_readonly_fields(self, request, obj=None):
        if request.user.sees_all_prefectures:
            return []
        return self.coordinator_only_fields

    def get_prepopulated_fields(self, request, obj=None):
        return self.prepopulated_fields if request.user.sees_all_prefectures else {}


@admin.register(Site)
class SiteAdmin(PrefectureScopedAdmin):
    list_display = ["name", "kind", "prefecture", "is_active"]
    list_filter = ["kind", "is_active", "prefecture"]
    list_select_related = ["prefecture"]
    search_fields = ["name", "address"]


@admin.register(Service)
class ServiceAdmin(PrefectureScopedAdmin):
    list_display = ["name", "prefecture", "email", "phone", "is_active"]
    list_filter = ["is_active", "prefecture"]
    list_select_related = ["prefecture"]
    search_fields = ["name", "email"]


class RoleChoicesMixin:
    """Only the national coordinator (or a superuser) may make someone national coordinator."""

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role" and not request.user.sees_all_prefectures:
            kwargs["choices"] = [c for c in Role.choices if c[0] != Role.NATIONAL_COORDINATOR]
        return super().formfield_for_choice_field(db_field, request, **kwargs)


def accounts_within_reach(queryset, user):
    """The accounts ``user`` may manage: all for national staff; for an officer, those wholly within their
    prefectures — never a superuser, nor an account that also holds a role elsewhere (a national coordinator,
    another prefecture's staff), else a role given here (a committee seat) would let them change that account's
    password or e-mail, and the refusal of a role would tell them what the account does elsewhere."""
    if user.sees_all_prefectures:
        return queryset
    elsewhere = Membership.objects.exclude(prefecture_id__in=user.prefecture_ids).values("user_id")
    return queryset.exclude(is_superuser=True).exclude(pk__in=elsewhere)


@admin.register(Membership)
class MembershipAdmin(RoleChoicesMixin, PrefectureScopedAdmin):
    list_display = ["user", "role", "prefecture", "service"]
    list_filter = ["role", "prefecture"]
    list_select_related = ["user", "prefecture", "service"]
    search_fields = ["user__email", "user__last_name"]
    autocomplete_fields = ["user"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = accounts_within_reach(scope_queryset(User.objects.all(), request.user), request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _within_reach(self, request, obj):
        """A membership of an account that also works elsewhere is shown, not changed, by an officer here."""
        return obj is None or accounts_within_reach(User.objects.filter(pk=obj.user_id), request.user).exists()

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._within_reach(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._within_reach(request, obj)


class MembershipFormSet(BaseInlineFormSet):
    """Each form checks its membership against the saved ones; the formset checks them all together, so that
    two new lines cannot give one account different staff roles in two prefectures."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance.staff_roles_checked_together = True  # by ``clean`` below, on all the lines at once
        return form

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [
            (form.cleaned_data.get("prefecture"), form.cleaned_data.get("role"))
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        shown = [form.instance.pk for form in self.forms if form.instance.pk]
        if self.instance.pk:  # memberships out of sight would count too (officers only reach accounts wholly theirs)
            hidden = Membership.objects.filter(user=self.instance).exclude(pk__in=shown).select_related("prefecture")
            kept += [(membership.prefecture, membership.role) for membership in hidden]
        error = mixed_staff_roles_error(kept, here=None)
        if error:
            raise ValidationError(error)


class MembershipInline(RoleChoicesMixin, PrefectureScopedInline):
    model = Membership
    formset = MembershipFormSet
    fields = ["role", "prefecture", "service"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("prefecture", "service")


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email"]


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(HostileLookupsMixin, ScopedFormFieldsMixin, DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    inlines = [MembershipInline]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    ordering = ["email"]
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Identity"), {"fields": ["first_name", "last_name"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser"]}),
        (_("Notifications"), {"fields": ["notify_new_cases"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "usable_password", "password1", "password2"]})]

    def get_readonly_fields(self, request, obj=None):
        readonly = ["last_login", "date_joined"]
        if not request.user.is_superuser:
            readonly.append("is_superuser")
        return readonly

    def get_queryset(self, request):
        return accounts_within_reach(super().get_queryset(request), request.user)


class OutgoingEmailStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            ("failed", pgettext_lazy("outbox filter", "Not sent")),
            ("waiting", pgettext_lazy("outbox filter", "Waiting")),
            ("sent", pgettext_lazy("outbox filter", "Sent")),
        ]

    def queryset(self, request, queryset):
        return {"failed": queryset.failed, "waiting": queryset.pending, "sent": queryset.sent}.get(
            self.value(), queryset.all
        )()


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(HostileLookupsMixin, ScopedFormFieldsMixin, admin.ModelAdmin):
    """The outbox, read only: what left, what waits, what could not be sent and why. Never the bodies, which
    hold private tracking links."""

    list_display = ["subject", "to", "prefecture", "created_at", "status", "attempts", "last_error"]
    list_filter = [OutgoingEmailStatusFilter]
    list_select_related = ["prefecture"]
    search_fields = ["to", "subject"]
    fields = ["prefecture", "to", "subject", "created_at", "status", "sent_at", "attempts", "last_error"]
    readonly_fields = fields
    actions = ["send_again"]
    show_full_result_count = False
    list_per_page = 50

    @admin.display(description=_("status"))
    def status(self, email):
        if email.sent_at:
            return pgettext("outbox", "Sent")
        if email.attempts >= MAX_ATTEMPTS:
            return pgettext("outbox", "Not sent")
        return pgettext("outbox", "Waiting")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Nothing to edit on an e-mail: "change" only allows the list's "try again" action.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Try again to send the selected e-mails"), permissions=["change"])
    def send_again(self, request, queryset):
        count = email_send_again(emails=queryset)
        self.message_user(
            request,
            ngettext("%(count)d e-mail will be sent again.", "%(count)d e-mails will be sent again.", count)
            % {"count": count},
        )


class AccessAttemptAdmin(axes_admin.AccessAttemptAdmin):
    """django-axes' lockouts, whose clean-up action deletes: it now declares so, like every admin action."""

    @admin.action(
        description=axes_admin.AccessAttemptAdmin.cleanup_expired_attempts.short_description, permissions=["delete"]
    )
    def cleanup_expired_attempts(self, request, queryset):
        return super().cleanup_expired_attempts(request, queryset)


if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)
    admin.site.register(AccessAttempt, AccessAttemptAdmin)


@admin.register(ApiClient)
class ApiClientAdmin(PrefectureScopedAdmin):
    """Apps using the Open311 API: the national coordinator declares them; the key is shown once, when given."""

    list_display = ["name", "contact_email", "key_hint", "is_active", "last_used_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "contact_email"]
    filter_horizontal = ["prefectures"]
    fields = ["name", "contact_email", "prefectures", "is_active", "key_hint", "last_used_at", "created_at"]
    readonly_fields = ["key_hint", "last_used_at", "created_at"]
    actions = ["new_key"]

    def _show_key(self, request, client, key):
        self.message_user(
            request,
            format_html(
                _("Key of {}, shown this once — give it to the app over a safe channel: <code>{}</code>"),
                client.name,
                key,
            ),
            messages.WARNING,
        )

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            self._show_key(request, obj, api_key_issue(client=obj, by=request.user))

    @admin.action(description=_("Give a new key (the previous one stops working)"), permissions=["change"])
    def new_key(self, request, queryset):
        for client in queryset:
            self._show_key(request, client, api_key_issue(client=client, by=request.user))
