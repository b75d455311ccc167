"""The password links of members' accounts that have been opened: each works once, from one browser."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OpenedAccountLink(models.Model):
    """A password link exchanged for a browser's session: the same address opened elsewhere is refused.

    Only a digest of the link's token is kept; a row outlives its link (``COMMITTEE_INVITATION_LINK_DAYS``)
    by no more than that lifetime.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("account")
    )
    token_digest = models.CharField(_("digest of the link"), max_length=64, unique=True)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)

    class Meta:
        verbose_name = _("opened password link")
        verbose_name_plural = _("opened password links")

    def __str__(self):
        return f"{self.user_id} {self.opened_at:%Y-%m-%d %H:%M}"
