"""What each role may do in the admin, declared once.

Keys are ``app_label.model`` or ``app_label.*``; values the admin actions allowed. Which
*objects* a role reaches is the business of prefecture scoping (``qualipref.scoping``), not
of these permissions. Models flagged ``national_referential = True`` (title types, the
engagements referential…) are changed by the national coordinator only: other roles may view them.
"""

from fnmatch import fnmatch

from django.conf import settings

from .enums import Role

ALL = frozenset({"view", "add", "change", "delete"})
EDIT = frozenset({"view", "add", "change"})
VIEW = frozenset({"view"})

OUR_APPS = tuple(settings.QUALIPREF_APPS)

ROLE_PERMISSIONS = {
    Role.NATIONAL_COORDINATOR: {f"{app}.*": ALL for app in OUR_APPS} | {"dsfr.*": ALL},
    Role.QUALITY_OFFICER: {
        "qualipref.prefecture": frozenset({"view", "change"}),
        "qualipref.historicalprefecture": VIEW,
        "qualipref.site": ALL,
        "qualipref.service": ALL,
        "qualipref.membership": ALL,
        "qualipref.user": EDIT,
        "qualipref.historical*": VIEW,
        # The outbox is read only; "change" is its "try again" action.
        "qualipref.outgoingemail": frozenset({"view", "change"}),
        "engagements.engagement*": VIEW,
        "engagements.historical*": VIEW,
        "engagements.manualmeasure": ALL,
        "engagements.monthlyindicator": VIEW,
        "engagements.sitemonthlyindicator": VIEW,
        # The prefecture's own engagements and stricter targets, versioned: added, never deleted.
        "engagements.localengagement": EDIT,
        "engagements.localengagementversion": EDIT,
        "engagements.localtarget": EDIT,
        "reports.auditreport": EDIT,
        # The evidence library: documents added and given new versions, never deleted (the auditor follows them).
        "evidence.document": EDIT,
        "evidence.*": VIEW,
        # The label's cycle and audits are planned by officers; findings are the auditor's, answered by officers.
        "audits.labelcycle": EDIT,
        "audits.audit": EDIT,
        "audits.finding": frozenset({"view", "change"}),
        # Self-assessments: started and completed by officers; only a draft is ever deleted (``audits.admin``).
        "audits.selfassessment": ALL,
        "audits.*": VIEW,
        "complaints.*": ALL,
        "committee.*": ALL,
        "delays.*": ALL,
        "surveys.*": ALL,
        "measures.*": ALL,
    },
    Role.SERVICE_AGENT: {
        "qualipref.site": VIEW,
        "qualipref.service": VIEW,
        "complaints.*": EDIT,
    },
    # The auditor reads everything; records findings, accepts their closure and signs the audit report off
    # (``audits.perms`` checks it is the audit's own auditor).
    Role.AUDITOR: {f"{app}.*": VIEW for app in OUR_APPS}
    | {"audits.finding": EDIT, "audits.audit": frozenset({"view", "change"})},
    Role.COMMITTEE_MEMBER: {},
}


def role_allows(role, app_label, model_name, action, *, national_referential=False):
    if national_referential and role != Role.NATIONAL_COORDINATOR and action != "view":
        return False
    return any(
        action in actions and fnmatch(f"{app_label}.{model_name}", pattern)
        for pattern, actions in ROLE_PERMISSIONS.get(role, {}).items()
    )
