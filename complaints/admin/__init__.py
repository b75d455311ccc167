"""The officers' side of complaints and suggestions, in the Django admin."""

from .answer_templates import AnswerTemplateAdmin
from .cases import CaseAdmin
from .routing import RoutingRuleAdmin
from .topics import TopicAdmin

__all__ = ["AnswerTemplateAdmin", "CaseAdmin", "RoutingRuleAdmin", "TopicAdmin"]
