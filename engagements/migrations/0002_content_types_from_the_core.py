"""The engagements' content types follow them out of the core (``qualipref.<model>`` becomes ``engagements.<model>``).

The permissions keep their ids, so groups and users still hold them, and the admin's log entries still
point at them. See ``qualipref.contenttypes.move_content_types``.
"""

from django.db import migrations

from qualipref.contenttypes import move_content_types

MODELS = [
    "engagement",
    "engagementversion",
    "historicalengagement",
    "historicalmanualmeasure",
    "manualmeasure",
    "monthlyindicator",
    "workingday",
]


def forwards(apps, schema_editor):
    move_content_types(apps, models=MODELS, old_label="qualipref", new_label="engagements")


def backwards(apps, schema_editor):
    move_content_types(apps, models=MODELS, old_label="engagements", new_label="qualipref")


class Migration(migrations.Migration):
    dependencies = [
        ("engagements", "0001_initial"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
