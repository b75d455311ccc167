"""Fill the answers' tally (0003) from the answers already stored, in SQL (a few statements whatever their number)."""

from django.db import migrations


def fill(apps, schema_editor):
    from surveys.tally import tally_rebuild  # raw SQL on the tables as 0003 left them

    tally_rebuild()


def empty(apps, schema_editor):
    apps.get_model("surveys", "AnswerTally").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0003_answer_tally"),
    ]

    operations = [migrations.RunPython(fill, empty)]
