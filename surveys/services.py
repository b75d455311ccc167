"""Writes on surveys: keyword-only functions, one transaction each."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qualipref.csvfiles import refuse_formula_start
from qualipref.scoping import check_works_for

from .enums import CHOICE_KINDS, VALUE_RANGES, QuestionKind, SurveyStatus
from .kiosk import new_key as kiosk_new_key
from .models import RESERVED_SURVEY_SLUGS, Answer, Choice, DistributionPoint, Question, Response, Survey
from .tally import tally_answers, tally_rebuild

# --- who may write, and where ---------------------------------------------------------------------


def _check_survey_scope(by, survey_id):
    """``by`` works for the prefecture of the survey as stored (whatever the instance in memory says)."""
    if by is not None:
        check_works_for(by, Survey.objects.filter(pk=survey_id).values_list("prefecture_id", flat=True).first())


def _signed(instance, by):
    if by is not None:
        instance._history_user = by  # the officer in the row's history, whoever calls (admin, shell, import)
    return instance


# --- the builder: changes that would break answers are refused ----------------------------------


def survey_check(*, survey):
    """Refuse (``ValidationError`` by field) the prefecture, status and publication set on ``survey`` when they
    break a rule: its points stay at sites of its prefecture, a survey with answers never goes back to draft, a
    draft has no results to publish."""
    errors = {}
    if (
        survey.pk is not None
        and survey.points.exclude(site=None).exclude(site__prefecture_id=survey.prefecture_id).exists()
    ):
        errors["prefecture"] = _(
            "Distribution points of this survey are at sites of another prefecture: remove their site first."
        )
    if survey.status == SurveyStatus.DRAFT and survey.pk is not None and survey.responses.exists():
        errors["status"] = _("This survey already has answers: it cannot go back to draft. Close it instead.")
    if survey.results_public and survey.status == SurveyStatus.DRAFT:
        errors["results_public"] = _("A draft survey has no results to publish.")
    if errors:
        raise ValidationError(errors)


def survey_question_count_check(*, status, count):
    """An open or closed survey keeps at least one question (``count``: the questions it would have)."""
    if not count and status != SurveyStatus.DRAFT:
        raise ValidationError(_("An open or closed survey needs at least one question."))


def _answers_kept_errors(question, kind, labels):
    """Why giving ``question`` this kind and these choices would break its answers, by field (``kind``,
    ``choices``); empty when it would not.

    A question that has answers keeps its kind (a 4 out of 5 is no answer to a yes-or-no question),
    and its answered choices keep their label (renaming one would change what people chose). Compared with
    the question as stored, whatever the instance in memory already holds.
    """
    if question.pk is None:
        return {}
    stored_kind = Question.objects.filter(pk=question.pk).values_list("kind", flat=True).first()
    errors = {}
    if kind != stored_kind and (answered := question.answers.count()):
        errors["kind"] = [
            ngettext(
                "This question already has %(count)d answer: its kind cannot change. Add a new question instead.",
                "This question already has %(count)d answers: its kind cannot change. Add a new question instead.",
                answered,
            )
            % {"count": answered}
        ]
    if stored_kind in CHOICE_KINDS:
        removed_answered = (
            Choice.objects.filter(question=question)
            .exclude(label__in=set(labels))
            .annotate(answered=Count("answers"))
            .filter(answered__gt=0)
            .order_by("position")
        )
        if removed := [
            _(
                "The choice “%(label)s” already has answers: it cannot be removed or renamed. "
                "Add new choices instead, or duplicate the survey for the next period."
            )
            % {"label": choice.label}
            for choice in removed_answered
        ]:
            errors["choices"] = removed
    return errors


def question_check(*, question, kind, choice_labels):
    """Refuse (``ValidationError`` on ``kind`` or ``choices``) giving ``question`` this kind and these choices:
    each choice once, none starting like a formula (they go to the CSV export), two at least for a choice
    question and none for the others, and nothing that breaks the answers already given."""
    labels = list(choice_labels)
    choices = []
    for label in labels:  # written to the survey's CSV export: none may start like a formula
        try:
            refuse_formula_start(label)
        except ValidationError as error:
            choices.extend(error.messages)
            break
    repeated = sorted({label for label in labels if labels.count(label) > 1})
    if repeated:
        choices.append(_("Each choice must appear once: “%(label)s” is repeated.") % {"label": repeated[0]})
    if not choices and kind in CHOICE_KINDS and len(labels) < 2:
        choices.append(_("Give at least two choices, one per line."))
    elif kind not in CHOICE_KINDS and labels:
        choices.append(_("Only single and multiple choice questions have choices: empty this list."))
    errors = _answers_kept_errors(question, kind, labels)
    if choices:
        errors["choices"] = choices + errors.get("choices", [])
    if errors:
        raise ValidationError(errors)


def question_delete_errors(*, question):
    if question.pk is None or not question.answers.exists():
        return []
    return [
        _("The question “%(text)s” already has answers: it cannot be deleted. Make it optional instead.")
        % {"text": question.text}
    ]


def point_check(*, point):
    """Refuse (``ValidationError`` by field) a distribution point with answers moved to another survey, or at a
    site of another prefecture than its survey's (the survey as set on the point, which an admin page adding
    both has not saved yet)."""
    if point.pk is not None:
        stored_survey = DistributionPoint.objects.filter(pk=point.pk).values_list("survey_id", flat=True).first()
        if stored_survey != point.survey_id and point.responses.exists():
            raise ValidationError(
                {"survey": _("This distribution point already has answers: it stays with its survey.")}
            )
    try:
        survey = point.survey
    except DistributionPoint.survey.RelatedObjectDoesNotExist:
        return
    if point.site_id is not None and point.site.prefecture_id != survey.prefecture_id:
        raise ValidationError({"site": _("This site belongs to another prefecture.")})


def point_delete_errors(*, point):
    if point.pk is None or not point.responses.exists():
        return []
    return [
        _("The distribution point “%(name)s” already has answers: it cannot be deleted, they would lose their place.")
        % {"name": point.name}
    ]


def survey_delete_errors(*, survey):
    if survey.pk is None or not survey.responses.exists():
        return []
    return [_("This survey already has answers: it cannot be deleted. Close it instead.")]


# --- the builder's writes ---------------------------------------------------------------------------


def _save(instance, fields):
    """A full save for a new row or when ``fields`` is None; else only ``fields``, so that a change the public
    pages do not show clears none of them (``surveys.signals``). Nothing changed: no save at all."""
    if instance.pk is None or fields is None:
        instance.save()
    elif fields:
        instance.save(update_fields=fields)


def _set_choices(question, labels):
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


QUESTION_FIELDS = ["position", "text", "help_text", "kind", "required", "is_public"]


@transaction.atomic
def question_save(*, question, by, choice_labels=(), fields=None):
    """Create or change ``question`` (its fields already set) with these choices, in this order, keeping the
    choices already answered. ``fields``: the names of the fields changed (all of them when None).

    Refused: a survey of a prefecture ``by`` does not work for (``PermissionDenied``), a question moved to
    another survey, and what ``question_check`` refuses (``ValidationError``)."""
    _check_survey_scope(by, question.survey_id)
    if question.pk is not None:
        stored_survey = Question.objects.filter(pk=question.pk).values_list("survey_id", flat=True).first()
        if stored_survey != question.survey_id:
            raise ValidationError(_("A question stays in its survey: add a new one to the other survey instead."))
    labels = [label for label in choice_labels if label]
    question_check(question=question, kind=question.kind, choice_labels=labels)
    if question.kind == QuestionKind.FREE_TEXT and fields is not None and "kind" in fields:
        fields = [*fields, "is_public"]  # never public (Question.save)
    _save(_signed(question, by), None if fields is None else [f for f in QUESTION_FIELDS if f in fields])
    _set_choices(question, labels)
    return question


@transaction.atomic
def question_delete(*, question, by):
    """Delete a question nobody answered; an open or closed survey keeps one question at least."""
    _check_survey_scope(by, question.survey_id)
    if errors := question_delete_errors(question=question):
        raise ValidationError(errors)
    survey = question.survey
    survey_question_count_check(status=survey.status, count=survey.questions.exclude(pk=question.pk).count())
    _signed(question, by).delete()


POINT_FIELDS = ["survey", "name", "site"]


@transaction.atomic
def point_save(*, point, by, fields=None):
    """Create or change a distribution point (its fields already set; ``fields``: those changed, all when None).

    Refused: a survey of a prefecture ``by`` does not work for, as stored or as set (``PermissionDenied``),
    and what ``point_check`` refuses (``ValidationError``)."""
    _check_survey_scope(by, point.survey_id)
    if point.pk is not None:
        _check_survey_scope(
            by, DistributionPoint.objects.filter(pk=point.pk).values_list("survey_id", flat=True).first()
        )
    point_check(point=point)
    _save(_signed(point, by), None if fields is None else [f for f in POINT_FIELDS if f in fields])
    return point


@transaction.atomic
def point_kiosk_enable(*, point, by):
    """Give the point a new kiosk link for counter tablets (``surveys.kiosk``), revoking the one it had."""
    _check_survey_scope(by, point.survey_id)
    point.kiosk_key = kiosk_new_key()
    _save(_signed(point, by), ["kiosk_key"])
    return point


@transaction.atomic
def point_kiosk_disable(*, point, by):
    """End the point's kiosk mode: its kiosk link no longer opens the survey."""
    _check_survey_scope(by, point.survey_id)
    point.kiosk_key = ""
    _save(_signed(point, by), ["kiosk_key"])
    return point


@transaction.atomic
def point_delete(*, point, by):
    """Delete a distribution point nobody answered through (its answers would lose their place)."""
    _check_survey_scope(by, point.survey_id)
    if errors := point_delete_errors(point=point):
        raise ValidationError(errors)
    _signed(point, by).delete()


SURVEY_FIELDS = ["prefecture", "title", "slug", "introduction", "opens_on", "closes_on", "status", "results_public"]


@transaction.atomic
def survey_save(*, survey, by, fields=None, questions=(), removed_questions=(), points=(), removed_points=()):
    """Create or change a survey (its fields already set; ``fields``: those changed, all when None), with the
    questions and distribution points changed on its page in the same transaction.

    ``questions``: ``(question, choice labels, changed fields or None)`` for each question created or changed;
    ``points``: ``(point, changed fields or None)``; ``removed_…``: those to delete. Each goes through its own
    service. Refused: a prefecture ``by`` does not work for, as stored or as set (``PermissionDenied``), what
    ``survey_check`` refuses, and an open or closed survey left without a question (``ValidationError``).
    """
    if survey.pk is not None:
        _check_survey_scope(by, survey.pk)
    check_works_for(by, survey.prefecture_id)
    survey_check(survey=survey)
    if fields is not None and fields:
        fields = [*(f for f in SURVEY_FIELDS if f in fields), "updated_at"]
    _save(_signed(survey, by), fields)
    for point in removed_points:
        point_delete(point=point, by=by)
    for point, point_fields in points:
        point.survey = survey
        point_save(point=point, by=by, fields=point_fields)
    for question, labels, question_fields in questions:
        question.survey = survey
        question_save(question=question, by=by, choice_labels=labels, fields=question_fields)
    for question in removed_questions:
        question_delete(question=question, by=by)
    survey_question_count_check(status=survey.status, count=survey.questions.count())
    return survey


@transaction.atomic
def survey_delete(*, survey, by):
    """Delete a survey nobody answered: answers are the label's evidence, a survey that has some is closed."""
    _check_survey_scope(by, survey.pk)
    if errors := survey_delete_errors(survey=survey):
        raise ValidationError(errors)
    _signed(survey, by).delete()


# --- the survey's life ------------------------------------------------------------------------------


def survey_open(*, survey, by):
    _check_survey_scope(by, survey.pk)
    if not survey.questions.exists():
        raise ValidationError(_("Add at least one question before opening the survey."))
    if survey.status != SurveyStatus.OPEN:
        survey.status = SurveyStatus.OPEN
        _signed(survey, by).save(update_fields=["status", "updated_at"])
    return survey


def survey_close(*, survey, by):
    _check_survey_scope(by, survey.pk)
    if survey.status != SurveyStatus.CLOSED:
        survey.status = SurveyStatus.CLOSED
        _signed(survey, by).save(update_fields=["status", "updated_at"])
    return survey


def survey_publish_results(*, survey, by, public=True):
    """Show (or hide) the survey's public questions on the prefecture's results page."""
    _check_survey_scope(by, survey.pk)
    if public and survey.status == SurveyStatus.DRAFT:
        raise ValidationError(_("A draft survey has no results to publish."))
    if survey.results_public != public:
        survey.results_public = public
        _signed(survey, by).save(update_fields=["results_public", "updated_at"])
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
def survey_duplicate(*, survey, by, opens_on=None, closes_on=None):
    """A draft copy of ``survey`` for the next period: same questions, choices and distribution points.

    By default the copy opens the day after the original closes and lasts as long. A year in the
    title or the address becomes the new period's year. The points get new short links (and so new
    posters): answers of each period stay apart.
    """
    _check_survey_scope(by, survey.pk)
    opens_on = opens_on or survey.closes_on + datetime.timedelta(days=1)
    closes_on = closes_on or opens_on + (survey.closes_on - survey.opens_on)
    old_year, new_year = str(survey.opens_on.year), str(opens_on.year)
    title = survey.title.replace(old_year, new_year) if old_year != new_year else survey.title
    base_slug = YEAR.sub(new_year, survey.slug) if YEAR.search(survey.slug) else f"{survey.slug}-{new_year}"
    copy = Survey(
        prefecture=survey.prefecture,
        title=title,
        slug=_unique_slug(survey.prefecture, base_slug),
        introduction=survey.introduction,
        opens_on=opens_on,
        closes_on=closes_on,
        status=SurveyStatus.DRAFT,
        results_public=False,
    )
    _signed(copy, by).save()
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

    Nothing about the person is stored: no address, no account, no time of day. Two INSERTs and the tally's
    upsert (``surveys.tally``) in one transaction without a savepoint, so the whole answering path stays within
    six queries.
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
        tally_answers(
            [response], rows, questions={question.pk: (question.survey_id, question.kind) for question in questions}
        )
    return response


@transaction.atomic
def response_delete(*, response, by):
    """Delete one response and its answers (a test made on the spot, a duplicate), taking them out of the tally."""
    _check_survey_scope(by, response.survey_id)
    answers = list(
        Answer.objects.filter(response=response).only(
            "question_id", "point_id", "choice_id", "value", "submitted_on", "response_id"
        )
    )
    questions = {
        pk: (survey_id, kind)
        for pk, survey_id, kind in Question.objects.filter(pk__in={a.question_id for a in answers}).values_list(
            "pk", "survey_id", "kind"
        )
    }
    tally_answers([response], answers, questions=questions, sign=-1)
    response.delete()


@transaction.atomic
def answers_delete(*, answers, by):
    """Delete some answers (a queryset), then recount the tally of their surveys from what remains.

    A rare officer's correction: the recount reads the surveys' answers once (``tally_rebuild``), which is simpler
    and safer than working out which multiple-choice respondents remain."""
    surveys = set(answers.values_list("question__survey_id", flat=True).distinct())
    for survey_id in surveys:
        _check_survey_scope(by, survey_id)
    answers.delete()
    for survey_id in sorted(surveys):
        tally_rebuild(survey_id)
