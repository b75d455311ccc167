"""Fill the answers' tally (0003) from the answers already stored, in SQL (a few statements whatever their number).

The statements are those of ``surveys.tally.tally_rebuild`` as of this migration, copied here so that a later
change of the tally cannot change what this migration does on the tables 0003 left.
"""

from django.db import migrations

RESPONDENTS = -1  # surveys.models.RESPONDENTS
COLUMNS = "survey_id, question_id, point_id, choice_id, value, month, count"


def fill(apps, schema_editor):
    connection = schema_editor.connection

    def month(column):
        if connection.vendor == "sqlite":
            return f"date({column}, 'start of month')"
        return f"CAST(date_trunc('month', {column}) AS date)"

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM surveys_answertally")
        cursor.execute(
            f"INSERT INTO surveys_answertally ({COLUMNS}) "
            f"SELECT r.survey_id, NULL, r.point_id, NULL, NULL, {month('r.submitted_on')}, COUNT(*) "
            f"FROM surveys_response r GROUP BY r.survey_id, r.point_id, {month('r.submitted_on')}"
        )
        cursor.execute(
            f"INSERT INTO surveys_answertally ({COLUMNS}) "
            f"SELECT q.survey_id, a.question_id, a.point_id, a.choice_id, a.value, {month('a.submitted_on')}, COUNT(*) "
            f"FROM surveys_answer a JOIN surveys_question q ON q.id = a.question_id "
            f"GROUP BY q.survey_id, a.question_id, a.point_id, a.choice_id, a.value, {month('a.submitted_on')}"
        )
        cursor.execute(
            f"INSERT INTO surveys_answertally ({COLUMNS}) "
            f"SELECT q.survey_id, a.question_id, a.point_id, NULL, {RESPONDENTS}, {month('a.submitted_on')}, "
            f"COUNT(DISTINCT a.response_id) "
            f"FROM surveys_answer a JOIN surveys_question q ON q.id = a.question_id "
            f"WHERE q.kind = 'multiple_choice' "
            f"GROUP BY q.survey_id, a.question_id, a.point_id, {month('a.submitted_on')}"
        )


def empty(apps, schema_editor):
    apps.get_model("surveys", "AnswerTally").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0003_answer_tally"),
    ]

    operations = [migrations.RunPython(fill, empty)]
