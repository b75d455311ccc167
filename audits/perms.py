"""Who may write what in the audit cycle, checked by the services whoever calls them.

Officers (the prefecture's quality officers, the national coordinator) keep the label's cycle, plan audits and
answer findings with corrective actions; only the audit's own auditor records findings, signs the report and
accepts a closure. ``by=None`` is the portal itself (the demo data, a shell).
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from qualipref.enums import Role
from qualipref.models import Prefecture
from qualipref.scoping import check_works_for


def is_officer(user, prefecture):
    return user.sees_all_prefectures or Role.QUALITY_OFFICER in user.staff_roles_in(prefecture)


def is_auditor_of(user, audit):
    return user.pk == audit.auditor_id and Role.AUDITOR in user.staff_roles_in(audit.prefecture)


def check_officer(by, prefecture):
    check_works_for(by, prefecture.pk)
    if by is not None and not is_officer(by, prefecture):
        raise PermissionDenied(_("Only the prefecture's quality officers keep its label cycle and audits."))


def check_auditor(by, audit):
    if by is not None and not is_auditor_of(by, audit):
        raise PermissionDenied(_("Only the auditor of this audit may do this."))


def check_auditor_role(user, prefecture):
    """Raise ``ValidationError``-free ``PermissionDenied`` unless ``user`` is an auditor of ``prefecture``."""
    if Role.AUDITOR not in user.staff_roles_in(prefecture):
        raise PermissionDenied(_("The auditor must hold the auditor role for this prefecture."))


def officer_prefecture_ids(user):
    """The prefectures where ``user`` is a quality officer (all of them for national staff)."""
    if not user.is_authenticated:
        return frozenset()
    if user.sees_all_prefectures:
        return user.prefecture_ids
    return frozenset(
        prefecture_id
        for prefecture_id in user.prefecture_ids
        if Role.QUALITY_OFFICER in user.staff_roles_in(Prefecture(pk=prefecture_id))
    )


def check_officer_of_campaign(by, campaign):
    """Only the quality officers of the campaign's prefecture write its self-assessment."""
    check_works_for(by, campaign.prefecture_id)
    if by is not None and not is_officer(by, Prefecture(pk=campaign.prefecture_id)):
        raise PermissionDenied(_("Only the prefecture's quality officers complete its self-assessment."))
