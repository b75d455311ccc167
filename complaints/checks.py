"""System checks of complaints' own configuration (``manage.py check``, and every command that runs the checks)."""

import os

from django.core.checks import Tags, Warning, register
from django.db import DatabaseError


@register(Tags.compatibility)
def mailbox_password_check(app_configs, **kwargs):
    """A mailbox declared and read (``complaints.Mailbox``) without its password in the environment would only show
    as an error every five minutes in the worker's log, while citizens' e-mails wait: say it at start-up."""
    from .models import Mailbox

    try:
        mailboxes = list(Mailbox.objects.filter(is_active=True).select_related("prefecture"))
    except DatabaseError:  # not migrated yet (the checks run before migrate), or no database at hand
        return []
    return [
        Warning(
            f"The mailbox {mailbox.address} of {mailbox.prefecture.department_code} is read, but "
            f"{mailbox.password_variable} is not set: its messages stay unread.",
            hint=f"Set {mailbox.password_variable} to the mailbox's IMAP password, or untick the mailbox's "
            "“read” box in the administration.",
            obj=mailbox,
            id="complaints.W001",
        )
        for mailbox in mailboxes
        if not os.environ.get(mailbox.password_variable)
    ]
