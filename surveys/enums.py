from django.db import models
from django.utils.translation import gettext_lazy as _


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


# Statuses whose results may be published (a draft has none to show).
PUBLIC_STATUSES = (SurveyStatus.OPEN, SurveyStatus.CLOSED)


class SurveyState(models.TextChoices):
    """What a citizen finds today: the status read against the survey's dates."""

    DRAFT = "draft", _("Draft")
    UPCOMING = "upcoming", _("Not open yet")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class QuestionKind(models.TextChoices):
    SATISFACTION = "satisfaction", _("Satisfaction scale (1 to 5)")
    RECOMMENDATION = "recommendation", _("Recommendation (0 to 10, NPS)")
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    YES_NO = "yes_no", _("Yes or no")
    FREE_TEXT = "free_text", _("Free text")


# Kinds whose answer is a number in ``Answer.value`` (yes is 1, no is 0), with its range.
VALUE_RANGES = {
    QuestionKind.SATISFACTION: (1, 5),
    QuestionKind.RECOMMENDATION: (0, 10),
    QuestionKind.YES_NO: (0, 1),
}
CHOICE_KINDS = frozenset({QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE})

# Satisfied: 4 or 5 on the five-point scale. NPS: promoters answer 9–10, detractors 0–6.
SATISFIED_FROM = 4
PROMOTERS_FROM = 9
DETRACTORS_UP_TO = 6
