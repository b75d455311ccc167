"""System checks of complaints' own configuration (``manage.py check``, and every command that runs the checks): the
e-mail intake's mailboxes and the FranceConnect settings, said at start-up rather than at a citizen's first login."""

import ipaddress
import os
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError


@register(Tags.database)
def mailbox_password_check(app_configs, databases=None, **kwargs):
    """A mailbox declared and read (``complaints.Mailbox``) without its password in the environment would only show
    as an error every five minutes in the worker's log, while citizens' e-mails wait: say it at start-up."""
    from .models import Mailbox

    if not databases:  # a database check: run by migrate and `check --database default`, never without a database
        return []
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


def _on_this_machine(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@register(Tags.security)
def franceconnect_check(app_configs, **kwargs):
    """When FranceConnect is on (client id and discovery address set), its secret must be set and the provider
    reached over HTTPS (plain HTTP only for a provider on this machine, as the tests' and the demo's)."""
    if not (settings.FRANCECONNECT_CLIENT_ID or settings.FRANCECONNECT_DISCOVERY_URL):
        return []
    errors = []
    hint = "Set FRANCECONNECT_CLIENT_ID, FRANCECONNECT_CLIENT_SECRET and FRANCECONNECT_DISCOVERY_URL, or none."
    for name in ("FRANCECONNECT_CLIENT_ID", "FRANCECONNECT_CLIENT_SECRET", "FRANCECONNECT_DISCOVERY_URL"):
        if not getattr(settings, name):
            errors.append(Error(f"{name} is empty while FranceConnect is on.", hint=hint, id="complaints.E001"))
    url = urlsplit(settings.FRANCECONNECT_DISCOVERY_URL)
    if settings.FRANCECONNECT_DISCOVERY_URL and not (
        url.scheme == "https" or (url.scheme == "http" and url.hostname and _on_this_machine(url.hostname))
    ):
        errors.append(
            Error(
                f"FRANCECONNECT_DISCOVERY_URL must be an https:// address ({settings.FRANCECONNECT_DISCOVERY_URL!r}).",
                hint="e.g. https://oidc.franceconnect.gouv.fr/api/v2/.well-known/openid-configuration",
                id="complaints.E002",
            )
        )
    scopes = settings.FRANCECONNECT_SCOPES.split()
    if "openid" not in scopes:
        errors.append(Error("FRANCECONNECT_SCOPES must include openid.", id="complaints.E003"))
    unknown = set(settings.FRANCECONNECT_ID_TOKEN_ALGORITHMS) - {"RS256", "ES256"}
    if unknown or not settings.FRANCECONNECT_ID_TOKEN_ALGORITHMS:
        errors.append(
            Error(
                "FRANCECONNECT_ID_TOKEN_ALGORITHMS accepts RS256 and ES256 only.",
                hint="Leave it unset: RS256,ES256.",
                id="complaints.E004",
            )
        )
    return errors
