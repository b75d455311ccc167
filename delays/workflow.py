"""The publication of a month's delays, declared once: a draft is published, a published month may be
withdrawn (with its reason) and published again.

A ``qualipref.workflow.Workflow``: ``services.month_publish`` and ``services.month_unpublish`` check every
change against it and log it as a ``PublicationEvent``; a refused change raises the kit's ``TransitionRefused``.
"""

from qualipref.workflow import Workflow

from .enums import PublicationStatus

P = PublicationStatus

PUBLICATION_TRANSITIONS = {
    P.DRAFT: {P.PUBLISHED},
    P.PUBLISHED: {P.WITHDRAWN},
    P.WITHDRAWN: {P.PUBLISHED},
}

PUBLICATION_WORKFLOW = Workflow(PublicationStatus, PUBLICATION_TRANSITIONS)
