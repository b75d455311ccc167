"""Who may write for a committee: someone working for its prefecture (``by=None``: the system, the demo)."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


def check_scope(by, prefecture_id):
    """Raise ``PermissionDenied`` unless ``by`` works for the prefecture ``prefecture_id`` (or is the system)."""
    if by is not None and prefecture_id not in by.prefecture_ids:
        raise PermissionDenied(_("You do not work for this prefecture."))
