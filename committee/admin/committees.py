"""The committee and its members and working groups in the admin."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from qualipref.admin import PrefectureScopedAdmin

from ..models import Committee, Member, WorkingGroup
from ..services import member_account_invite


@admin.register(Committee)
class CommitteeAdmin(PrefectureScopedAdmin):
    list_display = ["name", "prefecture", "members_count"]
    list_select_related = ["prefecture"]
    search_fields = ["name", "prefecture__name"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_members=Count("members", filter=Q(members__is_active=True), distinct=True))
        )

    @admin.display(description=_("active members"), ordering="_members")
    def members_count(self, obj):
        return obj._members


@admin.register(Member)
class MemberAdmin(PrefectureScopedAdmin):
    list_display = ["__str__", "category", "organisation", "committee", "is_active", "term_end", "name_is_public"]
    list_display += ["has_account"]
    list_filter = ["category", "is_active", "name_is_public", "committee"]
    list_select_related = ["committee__prefecture", "user"]
    search_fields = ["first_name", "last_name", "organisation", "email"]
    readonly_fields = ["user", "account_invited_at", "name_consent_at"]
    actions = ["invite_to_space"]
    fieldsets = [
        (None, {"fields": ["committee", "first_name", "last_name", "category", "organisation"]}),
        (_("Contact"), {"fields": ["email", "phone"]}),
        (_("Term"), {"fields": ["term_start", "term_end", "is_active"]}),
        (_("Publication"), {"fields": ["name_is_public", "name_consent_at"]}),
        (_("Members' space"), {"fields": ["user", "account_invited_at"]}),
    ]

    @admin.display(description=_("account"), boolean=True)
    def has_account(self, obj):
        return bool(obj.user_id and obj.user.has_usable_password())

    @admin.action(
        description=_("Send an invitation to the members' space (link to set a password)"), permissions=["change"]
    )
    def invite_to_space(self, request, queryset):
        sent = 0
        for member in queryset.select_related("committee__prefecture"):
            try:
                member_account_invite(member=member, by=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.WARNING)
            else:
                sent += 1
        if sent:
            self.message_user(
                request,
                ngettext("%(n)d invitation sent.", "%(n)d invitations sent.", sent) % {"n": sent},
                messages.SUCCESS,
            )


class WorkingGroupForm(forms.ModelForm):
    class Meta:
        model = WorkingGroup
        fields = ["committee", "theme", "mandate", "members", "conclusions", "conclusions_published", "is_active"]
        fields += ["created_on"]

    def clean(self):
        cleaned = super().clean()
        committee, members = cleaned.get("committee"), cleaned.get("members")
        if committee and members and any(m.committee_id != committee.pk for m in members):
            self.add_error("members", _("Choose members of this working group's committee only."))
        return cleaned


@admin.register(WorkingGroup)
class WorkingGroupAdmin(PrefectureScopedAdmin):
    form = WorkingGroupForm
    list_display = ["theme", "committee", "is_active", "conclusions_published", "members_count"]
    list_filter = ["is_active", "committee"]
    list_select_related = ["committee__prefecture"]
    search_fields = ["theme", "mandate"]
    filter_horizontal = ["members"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_members=Count("members", distinct=True))

    @admin.display(description=_("members"), ordering="_members")
    def members_count(self, obj):
        return obj._members
