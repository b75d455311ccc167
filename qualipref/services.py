"""Writes of the label's core: keyword-only functions, one transaction each."""

from django.db import transaction

from .enums import STAFF_ROLES, Label, Role
from .models import Membership, Prefecture, User, login_identity


@transaction.atomic
def membership_grant(*, user, role, prefecture=None, service=None):
    """Give ``user`` a ``role`` (in ``prefecture``); staff roles get access to the admin.

    Idempotent: granting a role the user already holds changes nothing.
    """
    membership, _created = Membership.objects.get_or_create(
        user=user,
        role=role,
        prefecture=None if role == Role.NATIONAL_COORDINATOR else prefecture,
        defaults={"service": service},
    )
    if service is not None and membership.service_id != service.pk:
        membership.service = service
        membership.save(update_fields=["service"])
    if role in STAFF_ROLES and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return membership


@transaction.atomic
def user_ensure(*, email, password, first_name="", last_name=""):
    """The user with this e-mail, created with this password if new (an existing password is kept:
    hashing is deliberately slow, and a second ``make run`` must start at once)."""
    user = User.objects.filter(email=login_identity(email)).first()
    if user is None:
        return User.objects.create_user(email=email, password=password, first_name=first_name, last_name=last_name)
    if (user.first_name, user.last_name) != (first_name, last_name):
        user.first_name, user.last_name = first_name, last_name
        user.save(update_fields=["first_name", "last_name"])
    return user


def prefecture_refresh_next_audit(*, prefecture_id, today=None):
    """Store the next audit date that follows from the prefecture's label.

    Safe to run twice: it writes only when the date changes. Returns the date (or None).
    """
    with transaction.atomic():
        prefecture = Prefecture.objects.select_for_update().get(pk=prefecture_id)
        next_audit = prefecture.scheduled_next_audit(today or prefecture.today())
        if prefecture.next_audit_on != next_audit:
            prefecture.next_audit_on = next_audit
            prefecture.save(update_fields=["next_audit_on"])
    return next_audit


@transaction.atomic
def prefecture_record_label(*, prefecture_id, label, awarded_on=None, certifying_body=""):
    """Record the label a prefecture holds (``Label.NONE`` when it holds none), as its audit cycle decided, and
    the next audit that follows from it. The audit cycle (``audits``) calls it; its own periods decide the audits
    due while the cycle runs."""
    prefecture = Prefecture.objects.select_for_update().get(pk=prefecture_id)
    prefecture.label = label
    prefecture.label_awarded_on = awarded_on if label != Label.NONE else None
    if certifying_body:
        prefecture.certifying_body = certifying_body
    prefecture.save(update_fields=["label", "label_awarded_on", "certifying_body"])
    return prefecture_refresh_next_audit(prefecture_id=prefecture_id)
