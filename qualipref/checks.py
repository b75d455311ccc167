"""System checks of the portal's own settings (``manage.py check --deploy``)."""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


def _is_local(host):
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


@register(Tags.security, deploy=True)
def base_url_check(app_configs, **kwargs):
    """Links in e-mails, QR codes and PDFs are built on QUALIPREF_BASE_URL: in production it must be the
    portal's public address, not the development default (a loopback address nobody else can reach)."""
    if settings.DEBUG:
        return []
    url = urlsplit(settings.QUALIPREF_BASE_URL)
    if url.scheme in {"http", "https"} and url.hostname and not _is_local(url.hostname):
        return []
    return [
        Warning(
            f"QUALIPREF_BASE_URL is unset or not a public address ({settings.QUALIPREF_BASE_URL!r}): the links "
            "in e-mails, QR codes, posters and PDFs would lead nowhere.",
            hint="Set QUALIPREF_BASE_URL to the portal's public address, e.g. https://qualipref.example.gouv.fr",
            id="qualipref.W001",
        )
    ]


@register(Tags.security)
def clamav_url_check(app_configs, **kwargs):
    """A malformed CLAMAV_URL would only show at the first upload, as an error page: say it at start-up."""
    from django.core.exceptions import ImproperlyConfigured

    from .uploads import clamd_client

    if not settings.CLAMAV_URL:
        return []
    try:
        clamd_client()
    except ImproperlyConfigured as error:
        return [Error(str(error), hint="Leave CLAMAV_URL empty to scan no upload.", id="qualipref.E001")]
    return []
