"""The workflow kit: each app declares its transitions once, checks every change here and logs it on one base.

- ``Workflow``: the table of status → allowed next statuses of one kind of record; ``allowed_next`` lists them
  in the order of the statuses' enum (what the admin offers), ``check`` refuses any other change.
- ``TransitionRefused``: the one exception for a refused change of status, with a message saying what is possible.
  Rules that are not transitions (an empty answer, a missing reason, a rating given twice) raise Django's
  ``ValidationError``: forms show both the same way (``refusal_message``).
- ``TransitionLog``: the abstract log every transition writes: from what, to what, by whom, when, and why.

Used by cases and suggestions (``complaints.workflow``), improvement actions (``committee.workflow``) and the
publication of a month's delays (``delays.workflow``).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class TransitionRefused(Exception):
    """A change of status the workflow does not allow; ``message`` says why and what is possible instead."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def refusal_message(error):
    """The text to show a user for a ``TransitionRefused`` or a ``ValidationError`` (its messages, joined)."""
    if isinstance(error, ValidationError):
        return " ".join(str(message) for message in error.messages)
    return str(error.message)


class Workflow:
    """The transitions of one kind of record, declared once: ``{status: {allowed next statuses}}``.

    ``statuses`` is the ``TextChoices`` enum; ``refusal`` the message of a refused change, a format string with
    ``%(current)s``, ``%(target)s`` and ``%(allowed)s``; ``unknown`` the message for a status this workflow never
    uses, with ``%(target)s``. Both may use the keyword arguments given to ``check``.
    """

    def __init__(self, statuses, transitions, *, refusal=None, unknown=None):
        self.statuses = statuses
        self.transitions = {
            statuses(current): frozenset(statuses(target) for target in targets)
            for current, targets in transitions.items()
        }
        self.states = frozenset(self.transitions).union(*self.transitions.values())
        self.refusal = refusal or gettext_lazy(
            "Status “%(current)s” cannot become “%(target)s”. Possible next statuses: %(allowed)s."
        )
        self.unknown = unknown or gettext_lazy("“%(target)s” is not a status of this workflow.")
        self._order = {status: index for index, status in enumerate(statuses)}

    def _status(self, value, context):
        if value in self.states:
            return self.statuses(value)
        label = self.statuses(value).label if value in self.statuses.values else value
        raise TransitionRefused(self.unknown % {"target": label, **context})

    def allowed_next(self, current):
        """The statuses that may follow ``current``, in the enum's order (none for a status it does not know)."""
        if current not in self.states:
            return []
        return sorted(self.transitions.get(self.statuses(current), ()), key=self._order.__getitem__)

    def allows(self, current, target):
        return current in self.states and target in self.transitions.get(self.statuses(current), ())

    def check(self, current, target, *, refusal=None, **context):
        """Return ``target`` as a status if ``current`` may become it, else raise ``TransitionRefused``.

        ``refusal`` replaces the workflow's message for this call (``context`` fills its placeholders).
        """
        target = self._status(target, context)
        current = self._status(current, context)
        if target not in self.transitions.get(current, ()):
            allowed = ", ".join(_("“%(status)s”") % {"status": s.label} for s in self.allowed_next(current))
            raise TransitionRefused(
                (refusal or self.refusal)
                % {"current": current.label, "target": target.label, "allowed": allowed or _("none"), **context}
            )
        return target


class TransitionLog(models.Model):
    """Every change of status of a record: from what, to what, by whom, when, and why.

    Concrete logs add the foreign key to their record and redeclare ``from_status``/``to_status`` with their
    enum's choices.
    """

    from_status = models.CharField(gettext_lazy("from"), max_length=30, blank=True)
    to_status = models.CharField(gettext_lazy("to"), max_length=30)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=gettext_lazy("by"),
    )
    at = models.DateTimeField(gettext_lazy("at"), default=timezone.now)
    note = models.TextField(gettext_lazy("note"), blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]
        verbose_name = gettext_lazy("status change")
        verbose_name_plural = gettext_lazy("status changes")

    def __str__(self):
        """« Reçu → En cours »: the statuses in their words (the concrete log's choices), ∅ for a record's first."""
        before, after = (self._get_FIELD_display(self._meta.get_field(name)) for name in ("from_status", "to_status"))
        return f"{before or '∅'} → {after}"
