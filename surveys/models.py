"""Satisfaction surveys: questions, distribution points, anonymous responses and their answers.

A response stores no IP address, no user and no e-mail: only the survey, the distribution point
it came through and the day it was sent. Each answer repeats the point and the day of its response,
so that results by place and by month aggregate one table (see ``results.py``).
"""

import datetime
import secrets

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qualipref.csvfiles import refuse_formula_start
from qualipref.models import Prefecture, Site
from qualipref.scoping import PrefectureScopedQuerySet

from .enums import CHOICE_KINDS, PUBLIC_STATUSES, QuestionKind, SurveyState, SurveyStatus

# The answering page reads the questions from the cache: a question or choice change touches
# the survey's ``updated_at``, which is part of the key, so a stale copy is never read.
QUESTIONS_CACHE_SECONDS = 3600

# Path segments of a prefecture's survey pages that a survey's slug can never take.
RESERVED_SURVEY_SLUGS = frozenset({"resultats"})

# Short-link codes: no 0/o, 1/l/i, so that a code copied from a poster by hand still works.
CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
CODE_LENGTH = 6


def validate_survey_slug(value):
    if value in RESERVED_SURVEY_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is used by the portal itself; choose another slug."), params={"slug": value}
        )


def new_point_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class SurveyQuerySet(PrefectureScopedQuerySet):
    def visible(self):
        """Surveys a citizen may reach: not drafts."""
        return self.exclude(status=SurveyStatus.DRAFT)

    def accepting_answers(self, today):
        return self.filter(status=SurveyStatus.OPEN, opens_on__lte=today, closes_on__gte=today)

    def with_results_published(self):
        return self.visible().filter(results_public=True)

    def with_answers_flag(self):
        return self.annotate(has_responses=Exists(Response.objects.filter(survey=OuterRef("pk"))))


class Survey(models.Model):
    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="surveys", verbose_name=_("prefecture")
    )
    title = models.CharField(_("title"), max_length=200, validators=[refuse_formula_start])
    slug = models.SlugField(
        _("address"),
        max_length=80,
        validators=[validate_survey_slug],
        help_text=_("Last part of the public address, for example accueil-2026."),
    )
    introduction = models.TextField(
        _("introduction"), blank=True, help_text=_("Shown above the questions: why you ask, how long it takes.")
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"), help_text=_("Last day on which answers are accepted."))
    status = models.CharField(_("status"), max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT)
    results_public = models.BooleanField(
        _("results published"),
        default=False,
        help_text=_("Show the results of the questions marked public on the prefecture's results page."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    objects = SurveyQuerySet.as_manager()

    prefecture_lookup = "prefecture"

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["prefecture", "-opens_on", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "slug"],
                name="survey_unique_slug_per_prefecture",
                violation_error_message=_("Another survey of this prefecture already uses this address."),
            ),
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")),
                name="survey_closes_after_opening",
                violation_error_message=_("The closing date must be on or after the opening date."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("surveys:answer", kwargs={"slug": self.prefecture.slug, "survey_slug": self.slug})

    def state(self, today):
        if self.status == SurveyStatus.DRAFT:
            return SurveyState.DRAFT
        if self.status == SurveyStatus.CLOSED or today > self.closes_on:
            return SurveyState.CLOSED
        if today < self.opens_on:
            return SurveyState.UPCOMING
        return SurveyState.OPEN

    def questions_for_answering(self):
        """The questions, their choices prefetched, from the cache when the survey has not changed since.

        The cache fails soft (``qualipref.cache``): without it, the questions are read from the database."""
        key = f"surveys:questions:{self.pk}:{self.updated_at.timestamp()}"
        questions = cache.get(key)
        if questions is None:
            questions = list(self.questions.prefetch_related("choices"))
            cache.set(key, questions, QUESTIONS_CACHE_SECONDS)
        return questions

    def closes_at(self):
        """The end of the closing day, where the prefecture is."""
        return datetime.datetime.combine(
            self.closes_on + datetime.timedelta(days=1), datetime.time.min, tzinfo=self.prefecture.tzinfo
        )


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions", verbose_name=_("survey"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=300, validators=[refuse_formula_start])
    help_text = models.CharField(_("hint"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=True)
    is_public = models.BooleanField(
        _("public result"), default=True, help_text=_("Free-text answers are never published.")
    )

    history = HistoricalRecords()

    objects = PrefectureScopedQuerySet.as_manager()

    prefecture_lookup = "survey__prefecture"

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["survey", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=QuestionKind.FREE_TEXT) | Q(is_public=False),
                name="question_free_text_never_public",
                violation_error_message=_("Free-text answers are never published."),
            )
        ]

    def __str__(self):
        return self.text

    def save(self, *args, **kwargs):
        if self.kind == QuestionKind.FREE_TEXT:
            self.is_public = False
        super().save(*args, **kwargs)
        _touch_survey(self.survey_id)

    def delete(self, *args, **kwargs):
        survey_id = self.survey_id
        result = super().delete(*args, **kwargs)
        _touch_survey(survey_id)
        return result

    def clean(self):
        super().clean()
        if self.kind == QuestionKind.FREE_TEXT:
            self.is_public = False  # officers only, whatever the box said

    @property
    def has_choices(self):
        return self.kind in CHOICE_KINDS


class Choice(models.Model):
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="choices", verbose_name=_("question")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    label = models.CharField(_("label"), max_length=200, validators=[refuse_formula_start])

    objects = PrefectureScopedQuerySet.as_manager()

    prefecture_lookup = "question__survey__prefecture"

    class Meta:
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        ordering = ["question", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["question", "label"], name="choice_unique_label_per_question")]

    def __str__(self):
        return self.label

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        _touch_survey(Question.objects.filter(pk=self.question_id).values("survey_id"))

    def delete(self, *args, **kwargs):
        question_id = self.question_id
        result = super().delete(*args, **kwargs)
        _touch_survey(Question.objects.filter(pk=question_id).values("survey_id"))
        return result


def _touch_survey(survey):
    """``survey``: an id or a subquery giving one (see ``Survey.questions_for_answering``)."""
    Survey.objects.filter(pk__in=survey if hasattr(survey, "query") else [survey]).update(updated_at=timezone.now())


class DistributionPoint(models.Model):
    """A place where the survey is offered (a site, a counter): its short link and QR code tell answers apart."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="points", verbose_name=_("survey"))
    name = models.CharField(
        _("name"),
        max_length=120,
        validators=[refuse_formula_start],
        help_text=_("For example: Counter 3 – residence permits."),
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="survey_points", verbose_name=_("site")
    )
    code = models.CharField(_("short-link code"), max_length=12, unique=True, default=new_point_code, editable=False)
    # The secret of the point's kiosk link (counter tablets, ``surveys/kiosk.py``): empty while the point has none;
    # a new one revokes every link given before.
    kiosk_key = models.CharField(_("kiosk key"), max_length=32, blank=True, default="", db_default="", editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["kiosk_key"])

    objects = PrefectureScopedQuerySet.as_manager()

    prefecture_lookup = "survey__prefecture"

    class Meta:
        verbose_name = _("distribution point")
        verbose_name_plural = _("distribution points")
        ordering = ["survey", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "name"],
                name="point_unique_name_per_survey",
                violation_error_message=_("This survey already has a distribution point with this name."),
            )
        ]

    def __str__(self):
        return self.name

    def get_short_path(self):
        return reverse("surveys:short_link", kwargs={"code": self.code})


class Response(models.Model):
    """One anonymous submission. Never an IP address, a user or an e-mail: see the privacy page."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses", verbose_name=_("survey"))
    point = models.ForeignKey(
        DistributionPoint,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="responses",
        verbose_name=_("distribution point"),
    )
    # The day only, in the prefecture's time zone: an hour and a counter could single someone out.
    submitted_on = models.DateField(_("sent on"))

    objects = PrefectureScopedQuerySet.as_manager()

    prefecture_lookup = "survey__prefecture"

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self):
        return f"{self.survey} – {self.submitted_on:%Y-%m-%d}"


class AnswerQuerySet(PrefectureScopedQuerySet):
    def published(self):
        """Answers whose results the prefecture chose to publish (never free text)."""
        return self.filter(
            question__survey__results_public=True,
            question__is_public=True,
            question__survey__status__in=PUBLIC_STATUSES,
        ).exclude(question__kind=QuestionKind.FREE_TEXT)


class Answer(models.Model):
    """One answer to one question: ``value`` for scales and yes/no, ``choice`` for choices, ``text`` for free text.

    A multiple-choice answer is one row per ticked choice.
    """

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", verbose_name=_("response")
    )
    question = models.ForeignKey(
        Question, on_delete=models.RESTRICT, related_name="answers", verbose_name=_("question")
    )
    choice = models.ForeignKey(
        Choice, on_delete=models.RESTRICT, null=True, blank=True, related_name="answers", verbose_name=_("choice")
    )
    value = models.SmallIntegerField(_("value"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)
    # Copies of the response's point and day: results by place and month read this table alone.
    point = models.ForeignKey(
        DistributionPoint,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("distribution point"),
    )
    submitted_on = models.DateField(_("sent on"))

    objects = AnswerQuerySet.as_manager()

    prefecture_lookup = "question__survey__prefecture"

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self):
        return f"{self.question_id}: {self.value if self.value is not None else self.choice_id or self.text[:30]}"


# ``AnswerTally.value`` of the row counting the people who answered a multiple-choice question (one per response,
# however many choices they ticked); no stored answer has this value.
RESPONDENTS = -1


class AnswerTally(models.Model):
    """How many answers (or responses) fall in one bucket: survey × question × point × month × value or choice.

    Kept in the transaction that records or deletes answers (``surveys.tally``), so that results read a table whose
    size depends on the number of questions, places, months and values, not on the number of answers. Rows:

    - ``question`` empty: responses to the survey (``value`` and ``choice`` empty);
    - ``value`` set: answers with this value (scales, NPS, yes/no), or ``RESPONDENTS`` for a multiple choice;
    - ``choice`` set: answers with this choice;
    - both empty: free-text answers (counted, their text is not kept here).

    ``month``: first day of the month of the answers' day, which is already the prefecture's day.
    """

    # The unique index starts with the survey: no index of its own.
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name=_("survey")
    )
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("question")
    )
    point = models.ForeignKey(
        DistributionPoint,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("distribution point"),
    )
    choice = models.ForeignKey(
        Choice,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("choice"),
    )
    month = models.DateField(_("month"))
    value = models.SmallIntegerField(_("value"), null=True, blank=True)
    count = models.BigIntegerField(_("count"), default=0)

    objects = PrefectureScopedQuerySet.as_manager()

    prefecture_lookup = "survey__prefecture"

    class Meta:
        verbose_name = _("answer tally")
        verbose_name_plural = _("answer tallies")
        constraints = [
            # One row per bucket; empty columns compare equal through COALESCE (``surveys.tally.CONFLICT_TARGET``).
            models.UniqueConstraint(
                models.F("survey"),
                Coalesce(models.F("question"), models.Value(0), output_field=models.IntegerField()),
                Coalesce(models.F("point"), models.Value(0), output_field=models.IntegerField()),
                models.F("month"),
                Coalesce(models.F("value"), models.Value(-32768), output_field=models.IntegerField()),
                Coalesce(models.F("choice"), models.Value(0), output_field=models.IntegerField()),
                name="answertally_one_row_per_bucket",
            )
        ]

    def __str__(self):
        return f"{self.survey_id}/{self.question_id}/{self.month:%Y-%m}: {self.count}"
