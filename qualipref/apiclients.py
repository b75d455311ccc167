"""API keys of the apps that use the Open311 API (``qualipref.models.ApiClient``): a random key given once, kept
only as its SHA-256 fingerprint; found again from the key the app sends, in one indexed query."""

import hashlib
import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ApiClient

KEY_BYTES = 32


def fingerprint(key):
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_key_issue(*, client, by=None):
    """Give ``client`` a new key (the previous one stops working) and return it: the only time it is readable.
    ``client`` is saved (created if new)."""
    if by is not None and not by.sees_all_prefectures:
        raise PermissionDenied(_("Only the national coordinator gives API keys."))
    key = secrets.token_urlsafe(KEY_BYTES)
    client.key_fingerprint, client.key_hint = fingerprint(key), key[:6]
    client.save()
    return key


def api_client_for_key(key):
    """The active app holding ``key``, or None; its last use is noted (at most once a minute)."""
    if not key or len(key) > 200:
        return None
    client = ApiClient.objects.filter(key_fingerprint=fingerprint(key), is_active=True).first()
    if client is not None:
        now = timezone.now()
        if client.last_used_at is None or (now - client.last_used_at).total_seconds() > 60:
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
            client.last_used_at = now
    return client
