"""The answers' tally (``AnswerTally``): kept in the transaction that records or deletes answers, rebuilt in SQL.

``tally_answers`` adds (or, with ``sign=-1``, takes away) the buckets of some responses and their answers with one
``INSERT … ON CONFLICT … DO UPDATE SET count = count + excluded.count`` (PostgreSQL, and SQLite since 3.24): two
transactions counting into the same bucket wait for each other's row lock and add up, none is lost. Buckets are
written in one sorted order so that two transactions never lock the same rows in opposite orders.

``tally_rebuild`` recomputes the tally from the raw answers in SQL: after a bulk load that inserted answers by SQL
(the demo, the benchmarks), or to check it.
"""

from collections import Counter

from django.db import connection, transaction

from .enums import QuestionKind
from .models import RESPONDENTS, AnswerTally

TABLE = AnswerTally._meta.db_table
COLUMNS = ("survey_id", "question_id", "point_id", "choice_id", "value", "month", "count")
# The expressions of the unique index ``answertally_one_row_per_bucket``, in its order.
CONFLICT_TARGET = (
    "survey_id, COALESCE(question_id, 0), COALESCE(point_id, 0), month, "
    "COALESCE(value, -32768), COALESCE(choice_id, 0)"
)
BATCH = 500


def _sort_key(bucket):
    return tuple((value is None, value or 0) for value in bucket)


def _upsert(buckets):
    """Add ``buckets`` ({(survey, question, point, choice, value, month): n}) to the tally, in a fixed order."""
    items = sorted(((key, n) for key, n in buckets.items() if n), key=lambda item: _sort_key(item[0]))
    with connection.cursor() as cursor:
        for start in range(0, len(items), BATCH):
            chunk = items[start : start + BATCH]
            rows = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
            params = [param for key, n in chunk for param in (*key, n)]
            cursor.execute(
                f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES {rows} "
                f"ON CONFLICT ({CONFLICT_TARGET}) DO UPDATE SET count = {TABLE}.count + excluded.count",
                params,
            )


def _month(day):
    return day.replace(day=1)


def tally_answers(responses, answers, *, questions, sign=1):
    """Count ``responses`` and their ``answers`` (saved or about to be) into the tally, or out of it (``sign=-1``).

    ``questions``: {question id: (survey id, kind)} for the questions of ``answers``. One statement per 500 buckets
    (one for a citizen's response); call it inside the transaction that writes or deletes the answers.
    """
    buckets = Counter()
    for response in responses:
        buckets[(response.survey_id, None, response.point_id, None, None, _month(response.submitted_on))] += sign
    ticked = set()
    for answer in answers:
        survey_id, kind = questions[answer.question_id]
        month = _month(answer.submitted_on)
        value = None if answer.value is None else int(answer.value)  # as the field stores it (a yes: True → 1)
        buckets[(survey_id, answer.question_id, answer.point_id, answer.choice_id, value, month)] += sign
        if kind == QuestionKind.MULTIPLE_CHOICE:
            ticked.add((survey_id, answer.question_id, answer.point_id, month, answer.response_id))
    for survey_id, question_id, point_id, month, _response in ticked:
        buckets[(survey_id, question_id, point_id, None, RESPONDENTS, month)] += sign
    _upsert(buckets)
    if sign < 0:
        AnswerTally.objects.filter(survey__in={key[0] for key in buckets}, count__lte=0).delete()


def _month_sql(column):
    if connection.vendor == "sqlite":
        return f"date({column}, 'start of month')"
    return f"CAST(date_trunc('month', {column}) AS date)"


@transaction.atomic
def tally_rebuild(survey=None):
    """Recompute the tally of ``survey`` (or of every survey) from its responses and answers, in SQL.

    Four statements whatever the number of answers. On PostgreSQL the tally is locked against writers first
    (``SHARE ROW EXCLUSIVE``): a response being recorded either committed before, and is read from the answers, or
    waits and adds itself after; none is lost or counted twice, while the pages keep reading.
    """
    survey_id = survey.pk if hasattr(survey, "pk") else survey
    only = "" if survey_id is None else "WHERE {column} = %s"
    params = [] if survey_id is None else [survey_id]
    columns = ", ".join(COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {TABLE} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {TABLE} {only.format(column='survey_id')}", params)
        month = _month_sql("r.submitted_on")
        cursor.execute(
            f"INSERT INTO {TABLE} ({columns}) "
            f"SELECT r.survey_id, NULL, r.point_id, NULL, NULL, {month}, COUNT(*) "
            f"FROM surveys_response r {only.format(column='r.survey_id')} "
            f"GROUP BY r.survey_id, r.point_id, {month}",
            params,
        )
        month = _month_sql("a.submitted_on")
        cursor.execute(
            f"INSERT INTO {TABLE} ({columns}) "
            f"SELECT q.survey_id, a.question_id, a.point_id, a.choice_id, a.value, {month}, COUNT(*) "
            f"FROM surveys_answer a JOIN surveys_question q ON q.id = a.question_id "
            f"{only.format(column='q.survey_id')} "
            f"GROUP BY q.survey_id, a.question_id, a.point_id, a.choice_id, a.value, {month}",
            params,
        )
        cursor.execute(
            f"INSERT INTO {TABLE} ({columns}) "
            f"SELECT q.survey_id, a.question_id, a.point_id, NULL, {RESPONDENTS}, {month}, "
            f"COUNT(DISTINCT a.response_id) "
            f"FROM surveys_answer a JOIN surveys_question q ON q.id = a.question_id "
            f"WHERE q.kind = %s {'' if survey_id is None else 'AND q.survey_id = %s'} "
            f"GROUP BY q.survey_id, a.question_id, a.point_id, {month}",
            [QuestionKind.MULTIPLE_CHOICE, *params],
        )
