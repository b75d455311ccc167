"""A link to a photo or document that another app gives with a case (Open311's ``media_url``), kept as a link.

The portal never fetches it. Fetching an address a caller chose, from the server, is a server-side request forgery
(SSRF): the caller would make the portal read its own network — the cloud's metadata service at 169.254.169.254,
the database, Redis, an intranet page — and a file fetched would also bypass the upload checks' size limit until it
is read. So the address is stored on the case and shown to the officer as a link that opens in their own browser;
media the app wants the prefecture to hold are uploaded with the request (``media``, through
``qualipref.uploads`` like the web form's documents).

Even as a link, the address is refused unless it names a public host: an officer's browser must not be sent to an
address of their own network (``http://10.0.0.5/…``, ``http://intranet/…``) by a link they did not write, and a
``javascript:`` or ``data:`` address is no link at all.
"""

import ipaddress
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

MAX_LENGTH = 500
LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".intranet", ".lan", ".home.arpa")

MESSAGE = _(
    "Give the public https or http address of the photo or document (500 characters at most, a host name, "
    "no IP address nor account in it)."
)


def validate_media_url(value):
    """Refuse anything but an http(s) address of a public host name, without credentials."""
    try:
        URLValidator(schemes=["https", "http"])(value)
    except ValidationError:
        raise ValidationError(MESSAGE, code="media_url") from None
    parts = urlsplit(value)
    host = (parts.hostname or "").rstrip(".").lower()
    if len(value) > MAX_LENGTH or parts.username or parts.password or not _is_public_name(host):
        raise ValidationError(MESSAGE, code="media_url")


def _is_public_name(host):
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        return False  # an IP address, public or not: a link to media names its host
    return "." in host and host != "localhost" and not host.endswith(LOCAL_SUFFIXES)
