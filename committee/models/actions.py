"""Improvement actions and their status log: what the prefecture does with what it heard."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from complaints.models import Case
from qualipref.calendar import before_local_today, on_local_today
from qualipref.models import Prefecture, Service
from qualipref.scoping import PrefectureScopedQuerySet
from qualipref.workflow import TransitionLog

from ..enums import OPEN_ACTION_STATUSES, ActionStatus
from .committees import WorkingGroup
from .meetings import Meeting

DUE_SOON_DAYS = 30


class ImprovementActionQuerySet(PrefectureScopedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_ACTION_STATUSES)

    def overdue(self, today=None):
        """Open actions past their due date: by ``today``, or each in its prefecture's day."""
        return self.open().filter(Q(due_on__lt=today) if today else before_local_today("due_on"))

    def due_soon(self, days=DUE_SOON_DAYS):
        """Open actions due within ``days`` of today in their prefecture, those overdue included (the officer
        dashboard's figure and the admin list's filter)."""
        return self.open().filter(on_local_today(lambda today: Q(due_on__lte=today + datetime.timedelta(days=days))))

    def published(self):
        """Done, public actions: “you told us, we did”."""
        return self.filter(status=ActionStatus.DONE, is_public=True)


class ImprovementAction(models.Model):
    """One step of the continuous-improvement loop: a signal → an action → a measured, published result."""

    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.CASCADE, related_name="improvement_actions", verbose_name=_("prefecture")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # What raised it: any of these, at least one.
    origin_cases = models.ManyToManyField(
        Case, blank=True, related_name="improvement_actions", verbose_name=_("complaints and suggestions")
    )
    origin_meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="improvement_actions",
        verbose_name=_("committee meeting"),
    )
    origin_working_group = models.ForeignKey(
        WorkingGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="improvement_actions",
        verbose_name=_("working group"),
    )
    # The surveys app is built separately: a reference (question's label or address) rather than a key.
    origin_survey_question = models.CharField(
        _("survey question"), max_length=300, blank=True, help_text=_("The question's wording or its address.")
    )
    public_origin = models.TextField(
        _("“you told us”"),
        blank=True,
        help_text=_("What users told us, in public words, for the page “You told us, we did”."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="improvement_actions",
        verbose_name=_("owner"),
    )
    service = models.ForeignKey(
        Service,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="improvement_actions",
        verbose_name=_("service"),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.PROPOSED, editable=False
    )
    indicator = models.CharField(
        _("indicator it should move"), max_length=200, blank=True, help_text=_("For example: average waiting time.")
    )
    outcome = models.TextField(_("outcome"), blank=True, help_text=_("The measured effect; required once done."))
    done_on = models.DateField(_("done on"), null=True, blank=True, editable=False)
    is_public = models.BooleanField(
        _("published once done"), default=True, help_text=_("Shown on the page “You told us, we did” when done.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    history = HistoricalRecords(m2m_fields=[origin_cases])

    objects = ImprovementActionQuerySet.as_manager()

    prefecture_lookup = "prefecture"

    class Meta:
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["prefecture", "status", "due_on"], name="committee_action_status_due")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | ~Q(outcome=""),
                name="committee_action_done_has_outcome",
                violation_error_message=_("A done action needs its outcome."),
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        errors = {}
        if self.origin_meeting_id and self.origin_meeting.committee.prefecture_id != self.prefecture_id:
            errors["origin_meeting"] = _("This meeting belongs to another prefecture.")
        if self.origin_working_group_id and self.origin_working_group.committee.prefecture_id != self.prefecture_id:
            errors["origin_working_group"] = _("This working group belongs to another prefecture.")
        if self.service_id and self.service.prefecture_id != self.prefecture_id:
            errors["service"] = _("This service belongs to another prefecture.")
        if errors:
            raise ValidationError(errors)

    def is_overdue(self, today=None):
        today = today or self.prefecture.today()
        return self.status in OPEN_ACTION_STATUSES and self.due_on is not None and self.due_on < today


class ActionTransition(TransitionLog):
    """Every status change of an action: who, when, from what to what, and why (the kit's ``TransitionLog``)."""

    action = models.ForeignKey(ImprovementAction, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("from"), max_length=20, choices=ActionStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=ActionStatus.choices)

    prefecture_lookup = "action__prefecture"

    def __str__(self):
        return f"{self.action} {self.from_status or '∅'} → {self.to_status}"
