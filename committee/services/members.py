"""Members of the committee and their accounts for the members' space: invitation, password links."""

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qualipref.enums import Role
from qualipref.mail import email_queue
from qualipref.models import User
from qualipref.services import membership_grant

from ..models import Member, OpenedAccountLink
from ..tokens import link_lifetime, password_set_url


@transaction.atomic
def member_account_invite(*, member, by=None):
    """Give ``member`` an account for the members' space and e-mail them a link to set its password.

    The account is created without a usable password; the link works once, for a limited time.
    Sending it again (a lost e-mail) issues a new link. Raises ``ValidationError`` when the member
    cannot have one.
    """
    member = Member.objects.select_for_update(of=("self",)).select_related("committee__prefecture").get(pk=member.pk)
    if not member.email:
        raise ValidationError(_("%(name)s has no e-mail address: add one first.") % {"name": member.full_name})
    if not member.is_active:
        raise ValidationError(_("%(name)s is no longer an active member.") % {"name": member.full_name})
    user = member.user or User.objects.filter(email__iexact=member.email).first()
    if user is not None and (user.is_superuser or Role.NATIONAL_COORDINATOR in user.roles):
        # A committee seat must never bring a national account within a prefecture's reach.
        raise ValidationError(
            _("%(email)s is the address of a national account: give this member another address.")
            % {"email": member.email}
        )
    if user is None:
        user = User.objects.create_user(
            email=member.email, password=None, first_name=member.first_name, last_name=member.last_name
        )
    elif Member.objects.filter(committee=member.committee, user=user).exclude(pk=member.pk).exists():
        raise ValidationError(
            _("The account %(email)s is already used by another member of this committee.") % {"email": user.email}
        )
    membership_grant(user=user, role=Role.COMMITTEE_MEMBER, prefecture=member.committee.prefecture)
    member.user = user
    member.account_invited_at = timezone.now()
    member.save(update_fields=["user", "account_invited_at"])
    _queue_password_link(member, user, purpose="committee_account", forgotten=False)
    return member


def _queue_password_link(member, user, *, purpose, forgotten):
    prefecture = member.committee.prefecture
    email_queue(
        to=user.email,
        template="committee/emails/account",
        context={
            "member": member,
            "prefecture": prefecture,
            "committee": member.committee,
            "link": password_set_url(user),
            "days": link_lifetime().days,
            "forgotten": forgotten,
        },
        purpose=purpose,
        prefecture=prefecture,
    )


@transaction.atomic
def member_password_link_resend(*, email):
    """A member who lost their password gets a new link, if the address has an account. Says nothing either way."""
    member = (
        Member.objects.sitting()
        .select_related("user", "committee__prefecture")
        .filter(user__email__iexact=email.strip(), user__is_active=True)
        .first()
    )
    if member is not None:
        _queue_password_link(member, member.user, purpose="committee_password", forgotten=True)
    return member is not None


def account_link_opened(*, token):
    """Whether the password link ``token`` has been opened already (by whichever browser)."""
    return OpenedAccountLink.objects.filter(token_digest=hashlib.sha256(token.encode()).hexdigest()).exists()


def account_link_open(*, user, token):
    """Mark ``user``'s password link ``token`` opened: True the first time, False ever after (another browser).

    Only the token's digest is stored; marks older than a link's lifetime, whose links have expired anyway,
    are removed on the way.
    """
    digest = hashlib.sha256(token.encode()).hexdigest()
    OpenedAccountLink.objects.filter(opened_at__lt=timezone.now() - link_lifetime()).delete()
    _mark, created = OpenedAccountLink.objects.get_or_create(token_digest=digest, defaults={"user": user})
    return created
