"""The users' committee: members, meetings, working groups, opinions on suggestions, improvement actions.

Every model is owned by a prefecture (``prefecture_lookup``, for staff scoping) and by a committee
(``committee_lookup``, for the members' space): ``Model.objects.for_member(user)`` is all that a
committee member may read, ``Model.objects.for_user(user)`` all that an officer may.

* ``committees``: the committee, its members, its working groups;
* ``meetings``: meetings, agenda items, documents, invitations, comments, opinions on suggestions;
* ``actions``: improvement actions and their status log.
"""

from .accounts import OpenedAccountLink
from .actions import ActionTransition, ImprovementAction, ImprovementActionQuerySet
from .committees import Committee, CommitteeScopedQuerySet, Member, MemberQuerySet, WorkingGroup
from .meetings import (
    AgendaItem,
    Comment,
    Document,
    Invitation,
    Meeting,
    MeetingQuerySet,
    SuggestionOpinion,
    document_path,
)

__all__ = [
    "ActionTransition",
    "AgendaItem",
    "Comment",
    "Committee",
    "CommitteeScopedQuerySet",
    "Document",
    "ImprovementAction",
    "ImprovementActionQuerySet",
    "Invitation",
    "Meeting",
    "MeetingQuerySet",
    "Member",
    "MemberQuerySet",
    "OpenedAccountLink",
    "SuggestionOpinion",
    "WorkingGroup",
    "document_path",
]
