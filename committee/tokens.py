"""Single-use, expiring links with which a committee member sets the password of their account.

Django's password-reset tokens, with their own salt (a reset token does not open this door, nor the
reverse) and their own lifetime. A token hashes the user's password and last login: once the password
is set, the link is dead; past ``COMMITTEE_INVITATION_LINK_DAYS`` days it is dead too.
"""

import datetime

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

from qualipref.links import absolute_url

DEFAULT_LIFETIME_DAYS = 7


def link_lifetime():
    return datetime.timedelta(days=getattr(settings, "COMMITTEE_INVITATION_LINK_DAYS", DEFAULT_LIFETIME_DAYS))


class AccountLinkTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "committee.tokens.AccountLinkTokenGenerator"

    def check_token(self, user, token):
        """Django's check, with the invitation's lifetime instead of ``PASSWORD_RESET_TIMEOUT``."""
        if not (user and token):
            return False
        try:
            ts_b36, _hash = token.split("-")
            timestamp = base36_to_int(ts_b36)
        except ValueError:
            return False
        secrets = [self.secret, *self.secret_fallbacks]
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in secrets
        ):
            return False
        return self._num_seconds(self._now()) - timestamp <= link_lifetime().total_seconds()

    def _make_hash_value(self, user, timestamp):
        # A deactivated account's links die with it.
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"


account_link_token = AccountLinkTokenGenerator()


def password_set_url(user):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("committee:password_set", kwargs={"uidb64": uid, "token": account_link_token.make_token(user)})
    return absolute_url(path)
