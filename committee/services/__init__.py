"""Writes of the users' committee: keyword-only functions, one transaction each, one module per sub-domain.

- ``members``: the members' accounts for the members' space and their password links;
- ``meetings``: meetings and their invitations (e-mails with an ``.ics``, calendars kept up to date);
- ``agenda``: a meeting's agenda, its documents and the members' comments;
- ``opinions``: the committee's opinion on the suggestions forwarded to it;
- ``actions``: improvement actions, moved through ``committee.workflow``.

Callers import from ``committee.services``; the names below are its public surface.
"""

from .actions import action_check, action_create, action_save, action_transition, has_origin
from .agenda import (
    MAX_DOCUMENT_BYTES,
    agenda_add_suggestions,
    agenda_item_save,
    comment_post,
    document_add,
    document_prepare,
    document_save,
    suggestion_candidates,
)
from .meetings import (
    SCHEDULE_FIELDS,
    invitation_attendance_save,
    invitation_send,
    invitees,
    meeting_attendance_prepare,
    meeting_invitations_send,
    meeting_rows_delete,
    meeting_save,
)
from .members import account_link_open, account_link_opened, member_account_invite, member_password_link_resend
from .opinions import suggestion_opinion_committee, suggestion_opinion_record

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "SCHEDULE_FIELDS",
    "account_link_open",
    "account_link_opened",
    "action_check",
    "action_create",
    "action_save",
    "action_transition",
    "agenda_add_suggestions",
    "agenda_item_save",
    "comment_post",
    "document_add",
    "document_prepare",
    "document_save",
    "has_origin",
    "invitation_attendance_save",
    "invitation_send",
    "invitees",
    "meeting_attendance_prepare",
    "meeting_invitations_send",
    "meeting_rows_delete",
    "meeting_save",
    "member_account_invite",
    "member_password_link_resend",
    "suggestion_candidates",
    "suggestion_opinion_committee",
    "suggestion_opinion_record",
]
