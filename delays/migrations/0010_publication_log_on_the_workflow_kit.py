"""The month's publication log becomes a ``qualipref.workflow.TransitionLog``: no row, column or value is lost.

- ``reason`` is named ``note`` like in every other log; its column keeps the name ``reason`` (state only).
- ``at`` takes the base's ``default=timezone.now`` instead of ``auto_now_add`` (state only: both fill it on insert).
- ``from_status`` and ``to_status`` are added, and filled from each month's events in order: a month starts as a
  draft, "published" moves it to published, "unpublished" to withdrawn; "figures updated" changes no status.
"""

import django.utils.timezone
from django.db import migrations, models

PUBLICATION_STATUSES = [("draft", "Not published yet"), ("published", "Published"), ("withdrawn", "Unpublished")]
TARGET = {"published": "published", "unpublished": "withdrawn"}


def fill_statuses(apps, schema_editor):
    PublicationEvent = apps.get_model("delays", "PublicationEvent")
    events = PublicationEvent.objects.filter(action__in=TARGET).order_by("publication_id", "at", "pk")
    status, publication_id, changed = "draft", None, []
    for event in events.only("pk", "publication_id", "action").iterator(chunk_size=2000):
        if event.publication_id != publication_id:
            status, publication_id = "draft", event.publication_id
        event.from_status, event.to_status = status, TARGET[event.action]
        status = event.to_status
        changed.append(event)
    PublicationEvent.objects.bulk_update(changed, ["from_status", "to_status"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("delays", "0009_names_never_start_like_a_formula"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField(model_name="publicationevent", old_name="reason", new_name="note"),
                migrations.AlterField(
                    model_name="publicationevent",
                    name="note",
                    field=models.TextField(blank=True, db_column="reason", verbose_name="reason"),
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterField(
            model_name="publicationevent",
            name="at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="at"),
        ),
        migrations.AddField(
            model_name="publicationevent",
            name="from_status",
            field=models.CharField(blank=True, choices=PUBLICATION_STATUSES, default="", max_length=20, verbose_name="from"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="publicationevent",
            name="to_status",
            field=models.CharField(blank=True, choices=PUBLICATION_STATUSES, default="", max_length=20, verbose_name="to"),
            preserve_default=False,
        ),
        migrations.RunPython(fill_statuses, migrations.RunPython.noop, elidable=True),
    ]
