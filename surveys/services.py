"""Writes on surveys: keyword-only functions, one transaction each."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .enums import CHOICE_KINDS, VALUE_RANGES, QuestionKind, SurveyStatus
from .models import RESERVED_SURVEY_SLUGS, Answer, Choice, DistributionPoint, Question, Response, Survey

# --- the builder: changes that would break answers are refused ----------------------------------


def question_change_errors(*, question, kind, choice_labels=()):
    """Why giving ``question`` this kind and these choices would break its answers; empty when it would not.

    A question that has answers keeps its kind (a 4 out of 5 is no answer to a yes-or-no question),
    and its answered choices keep their label (renaming one would change what people chose).
    """
    if question.pk is None:
        return []
    errors = []
    if kind != question.kind:
        answered = question.answers.count()
        if answered:
            errors.append(
                ngettext(
                    "This question already has %(count)d answer: its kind cannot change. Add a new question instead.",
                    "This question already has %(count)d answers: its kind cannot change. Add a new question instead.",
                    answered,
                )
                % {"count": answered}
            )
    if question.kind in CHOICE_KINDS:
        kept = set(choice_labels)
        removed_answered = (
            Choice.objects.filter(question=question)
            .exclude(label__in=kept)
            .annotate(answered=Count("answers"))
            .filter(answered__gt=0)
            .order_by("position")
        )
        errors.extend(
            _(
                "The choice “%(label)s” already has answers: it cannot be removed or renamed. "
                "Add new choices instead, or duplicate the survey for the next period."
            )
            % {"label": choice.label}
            for choice in removed_answered
        )
    return errors


def question_delete_errors(*, question):
    if question.pk is None or not question.answers.exists():
        return []
    return [
        _("The question “%(text)s” already has answers: it cannot be deleted. Make it optional instead.")
        % {"text": question.text}
    ]


def point_delete_errors(*, point):
    if point.pk is None or not point.responses.exists():
        return []
    return [
        _("The distribution point “%(name)s” already has answers: it cannot be deleted, they would lose their place.")
        % {"name": point.name}
    ]


@transaction.atomic
def question_set_choices(*, question, labels):
    """Make ``labels`` the question's choices, in this order, keeping the choices already answered."""
    labels = [label for label in labels if label]
    if question.kind not in CHOICE_KINDS:
        labels = []
    if errors := question_change_errors(question=question, kind=question.kind, choice_labels=labels):
        raise ValidationError(errors)
    existing = {choice.label: choice for choice in question.choices.all()}
    removed = [c for label, c in existing.items() if label not in labels]
    for choice in removed:
        choice.delete()  # one by one: each touches the survey (see Survey.questions_for_answering)
    for position, label in enumerate(labels, start=1):
        choice = existing.get(label)
        if choice is None:
            Choice.objects.create(question=question, label=label, position=position)
        elif choice.position != position:
            choice.position = position
            choice.save(update_fields=["position"])


# --- the survey's life ------------------------------------------------------------------------------


def survey_open(*, survey):
    if not survey.questions.exists():
        raise ValidationError(_("Add at least one question before opening the survey."))
    if survey.status != SurveyStatus.OPEN:
        survey.status = SurveyStatus.OPEN
        survey.save(update_fields=["status", "updated_at"])
    return survey


def survey_close(*, survey):
    if survey.status != SurveyStatus.CLOSED:
        survey.status = SurveyStatus.CLOSED
        survey.save(update_fields=["status", "updated_at"])
    return survey


def survey_publish_results(*, survey, public=True):
    """Show (or hide) the survey's public questions on the prefecture's results page."""
    if public and survey.status == SurveyStatus.DRAFT:
        raise ValidationError(_("A draft survey has no results to publish."))
    if survey.results_public != public:
        survey.results_public = public
        survey.save(update_fields=["results_public", "updated_at"])
    return survey


YEAR = re.compile(r"(?<!\d)(19|20)\d\d(?!\d)")


def _unique_slug(prefecture, base):
    base = slugify(base)[:70] or "enquete"
    taken = set(Survey.objects.filter(prefecture=prefecture, slug__startswith=base).values_list("slug", flat=True))
    taken |= RESERVED_SURVEY_SLUGS
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


@transaction.atomic
def survey_duplicate(*, survey, opens_on=None, closes_on=None):
    """A draft copy of ``survey`` for the next period: same questions, choices and distribution points.

    By default the copy opens the day after the original closes and lasts as long. A year in the
    title or the address becomes the new period's year. The points get new short links (and so new
    posters): answers of each period stay apart.
    """
    opens_on = opens_on or survey.closes_on + datetime.timedelta(days=1)
    closes_on = closes_on or opens_on + (survey.closes_on - survey.opens_on)
    old_year, new_year = str(survey.opens_on.year), str(opens_on.year)
    title = survey.title.replace(old_year, new_year) if old_year != new_year else survey.title
    base_slug = YEAR.sub(new_year, survey.slug) if YEAR.search(survey.slug) else f"{survey.slug}-{new_year}"
    copy = Survey.objects.create(
        prefecture=survey.prefecture,
        title=title,
        slug=_unique_slug(survey.prefecture, base_slug),
        introduction=survey.introduction,
        opens_on=opens_on,
        closes_on=closes_on,
        status=SurveyStatus.DRAFT,
        results_public=False,
    )
    for question in survey.questions.prefetch_related("choices"):
        new_question = Question.objects.create(
            survey=copy,
            position=question.position,
            kind=question.kind,
            text=question.text,
            help_text=question.help_text,
            required=question.required,
            is_public=question.is_public,
        )
        Choice.objects.bulk_create(
            Choice(question=new_question, position=choice.position, label=choice.label)
            for choice in question.choices.all()
        )
    for point in survey.points.all():
        DistributionPoint.objects.create(survey=copy, name=point.name, site_id=point.site_id)
    return copy


# --- answering --------------------------------------------------------------------------------------


def _answer_rows(question, answer, common):
    if answer is None or answer == "" or answer == []:
        return []
    if question.kind in VALUE_RANGES:
        return [Answer(value=int(answer), **common)]
    if question.kind == QuestionKind.SINGLE_CHOICE:
        return [Answer(choice_id=int(answer), **common)]
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        return [Answer(choice_id=int(choice_id), **common) for choice_id in answer]
    return [Answer(text=answer, **common)]


def response_submit(*, survey, questions, answers, point=None):
    """Record one anonymous response: ``answers`` maps a question's id to its cleaned answer.

    Nothing about the person is stored: no address, no account, no time of day. Two INSERTs in one
    transaction without a savepoint, so the whole answering path stays within five queries.
    """
    today = survey.prefecture.today()
    with transaction.atomic(savepoint=False):
        response = Response.objects.create(survey=survey, point=point, submitted_on=today)
        common = {"response": response, "point": point, "submitted_on": today}
        rows = [
            row
            for question in questions
            for row in _answer_rows(question, answers.get(question.pk), {"question": question, **common})
        ]
        Answer.objects.bulk_create(rows)
    return response
