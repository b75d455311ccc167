"""The prefectures' mailboxes (e-mail intake): declared by the national coordinator, seen by the officers."""

import os

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from qualipref.admin import PrefectureScopedAdmin

from ..models import Mailbox


@admin.register(Mailbox)
class MailboxAdmin(PrefectureScopedAdmin):
    list_display = ["address", "prefecture", "host", "is_active", "last_fetched_at", "last_error"]
    list_filter = ["is_active"]
    list_select_related = ["prefecture"]
    fields = [
        "prefecture",
        "address",
        "host",
        "port",
        "username",
        "password",
        "folder",
        "processed_folder",
        "refused_folder",
        "is_active",
        "last_fetched_at",
        "last_error",
    ]
    readonly_fields = ["password", "last_fetched_at", "last_error"]

    @admin.display(description=_("password"))
    def password(self, mailbox):
        if not mailbox.prefecture_id:
            return _("Read from the environment variable QUALIPREF_MAILBOX_PASSWORD_<department code>.")
        state = _("set") if os.environ.get(mailbox.password_variable) else _("not set: the mailbox cannot be read")
        return format_html(
            "{} <code>{}</code> ({})", _("Read from the environment variable"), mailbox.password_variable, state
        )
