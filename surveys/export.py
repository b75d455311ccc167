"""CSV export of a survey's anonymous raw answers: one line per response, one column per question."""

from itertools import groupby

from django.utils.translation import gettext as _

from qualipref import csvfiles

from .enums import QuestionKind
from .models import Answer


def _cell(question, answers, choice_labels):
    if not answers:
        return ""
    if question.kind == QuestionKind.YES_NO:
        return _("Yes") if answers[0][0] == 1 else _("No")
    if question.kind in (QuestionKind.SATISFACTION, QuestionKind.RECOMMENDATION):
        return str(answers[0][0])
    if question.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
        return " | ".join(choice_labels.get(choice_id, "") for _value, choice_id, _text in answers)
    return answers[0][2]  # citizens' text: csvfiles writes it so that no spreadsheet runs it as a formula


def csv_lines(survey):
    """The export, line by line (French spreadsheets expect a semicolon and a byte-order mark)."""
    writer = csvfiles.writer()
    questions = list(survey.questions.prefetch_related("choices"))
    choice_labels = {choice.pk: choice.label for q in questions for choice in q.choices.all()}
    points = dict(survey.points.values_list("pk", "name"))
    yield csvfiles.BOM + writer.writerow(
        [_("Sent on"), _("Distribution point"), *(f"{n}. {q.text}" for n, q in enumerate(questions, start=1))]
    )
    rows = (
        Answer.objects.filter(response__survey=survey)
        .order_by("response_id", "question_id", "id")
        .values_list("response_id", "submitted_on", "point_id", "question_id", "value", "choice_id", "text")
        .iterator(chunk_size=5000)
    )
    for _response, answers in groupby(rows, key=lambda row: row[0]):
        answers = list(answers)
        by_question = {}
        for _r, _day, _point, question_id, value, choice_id, text in answers:
            by_question.setdefault(question_id, []).append((value, choice_id, text))
        first = answers[0]
        yield writer.writerow(
            [
                first[1].isoformat(),
                points.get(first[2], ""),
                *(_cell(q, by_question.get(q.pk), choice_labels) for q in questions),
            ]
        )
