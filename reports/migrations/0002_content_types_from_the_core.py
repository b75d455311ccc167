"""The audit report's content type follows it out of the core (``qualipref.*`` becomes ``reports.*``).

The permissions keep their ids, so groups and users still hold them, and the admin's log entries still
point at them. See ``qualipref.contenttypes.move_content_types``.
"""

from django.db import migrations

from qualipref.contenttypes import move_content_types

MODELS = [
    "auditreport",
]


def forwards(apps, schema_editor):
    move_content_types(apps, models=MODELS, old_label="qualipref", new_label="reports")


def backwards(apps, schema_editor):
    move_content_types(apps, models=MODELS, old_label="reports", new_label="qualipref")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
