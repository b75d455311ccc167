"""The officers' side of complaints and suggestions, in the Django admin."""

from .answer_templates import AnswerTemplateAdmin
from .cases import CaseAdmin

__all__ = ["AnswerTemplateAdmin", "CaseAdmin"]
