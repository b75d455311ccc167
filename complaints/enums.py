from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Kind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    SUGGESTION = "suggestion", _("Suggestion")


class DefaultTopic(models.TextChoices):
    """The topics every prefecture starts with (``complaints.topics``): their codes, which are also their Open311
    ``service_code``. A prefecture's officers then edit its own list (``Topic``)."""

    COUNTER = "counter", _("Reception at the counter")
    PHONE = "phone", _("Phone reception")
    MAIL = "mail", _("Mail")
    EMAIL = "email", _("E-mail")
    WEBSITE = "website", pgettext_lazy("complaint topic", "Website")
    PROCESSING_TIME = "processing_time", _("Processing time")
    DECISION = "decision", _("Decision")
    OTHER = "other", _("Other")


# Each default topic's French and English wordings, stored as the prefecture's data (then edited there).
DEFAULT_TOPIC_WORDINGS = {
    DefaultTopic.COUNTER: ("Accueil au guichet", "Reception at the counter"),
    DefaultTopic.PHONE: ("Accueil téléphonique", "Phone reception"),
    DefaultTopic.MAIL: ("Courrier", "Mail"),
    DefaultTopic.EMAIL: ("Courriel", "E-mail"),
    DefaultTopic.WEBSITE: ("Site internet", "Website"),
    DefaultTopic.PROCESSING_TIME: ("Délai de traitement", "Processing time"),
    DefaultTopic.DECISION: ("Décision", "Decision"),
    DefaultTopic.OTHER: ("Autre", "Other"),
}


class Channel(models.TextChoices):
    ONLINE = "online", _("Online form")
    LETTER = "letter", _("Letter")
    EMAIL = "email", pgettext_lazy("channel", "E-mail")
    PHONE = "phone", pgettext_lazy("channel", "Phone")
    COUNTER = "counter", _("At the counter")
    API = "api", _("Another public app (Open311 API)")


class Status(models.TextChoices):
    # Complaints
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_CITIZEN = "waiting_citizen", _("Waiting for the citizen")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    TRANSFERRED = "transferred", _("Transferred")
    REJECTED = "rejected", _("Rejected")
    # Suggestions
    RECEIVED = "received", _("Received")
    UNDER_REVIEW = "under_review", _("Under review")
    FORWARDED_TO_COMMITTEE = "forwarded_to_committee", _("Forwarded to the users' committee")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Not retained")


# What the citizen reads: plain words, never a brush-off.
CITIZEN_STATUS_LABELS = {
    Status.NEW: _("Received"),
    Status.ACKNOWLEDGED: _("Received, acknowledged"),
    Status.IN_PROGRESS: _("Being handled"),
    Status.WAITING_CITIZEN: _("Waiting for your reply"),
    Status.ANSWERED: _("Answered"),
    Status.CLOSED: _("Closed"),
    Status.REOPENED: _("Being handled again"),
    Status.TRANSFERRED: _("Passed on to the competent service"),
    Status.REJECTED: _("Closed without follow-up"),
    Status.RECEIVED: _("Received"),
    Status.UNDER_REVIEW: _("Being examined"),
    Status.FORWARDED_TO_COMMITTEE: _("Submitted to the users' committee"),
    Status.ACCEPTED: _("Retained"),
    Status.DECLINED: _("Examined, not retained for now"),
}

OPEN_STATUSES = frozenset(
    {
        Status.NEW,
        Status.ACKNOWLEDGED,
        Status.IN_PROGRESS,
        Status.WAITING_CITIZEN,
        Status.REOPENED,
        Status.TRANSFERRED,
        Status.RECEIVED,
        Status.UNDER_REVIEW,
    }
)


class MessageKind(models.TextChoices):
    CITIZEN = "citizen", _("Citizen's message")
    ANSWER = "answer", _("Public answer")
    REQUEST = "request", _("Request for information")
    NOTE = "note", _("Internal note")


PUBLIC_MESSAGE_KINDS = frozenset({MessageKind.CITIZEN, MessageKind.ANSWER, MessageKind.REQUEST})


class EmailOutcome(models.TextChoices):
    """What became of a message read from a prefecture's mailbox (``complaints.mailbox``)."""

    CASE = "case", _("New case")
    REPLY = "reply", _("Added to its case's thread")
    AUTO_REPLY = "auto_reply", _("Automatic reply (ignored)")
    BOUNCE = "bounce", _("Delivery failure notice (ignored)")
    LOOP = "loop", _("Mail loop (ignored)")
    SPAM = "spam", _("Spam, as the mail server marked it (ignored)")


# Messages filed in the mailbox's "processed" folder; the others go to its "refused" folder.
IMPORTED_OUTCOMES = frozenset({EmailOutcome.CASE, EmailOutcome.REPLY})
