"""The officers' side of complaints and suggestions, in the Django admin."""

from .answer_templates import AnswerTemplateAdmin
from .cases import CaseAdmin
from .mailboxes import MailboxAdmin
from .routing import RoutingRuleAdmin
from .topics import TopicAdmin

__all__ = ["AnswerTemplateAdmin", "CaseAdmin", "MailboxAdmin", "RoutingRuleAdmin", "TopicAdmin"]
