"""A new tracking link replaces the case's previous one (complaints/tracking_links.py): the database holds one per case.

In its own migration, after 0006 has removed the extra ones: PostgreSQL alters a table in a transaction of its own.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0006_keep_the_newest_tracking_link"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="trackingtoken",
            constraint=models.UniqueConstraint(fields=("case",), name="one_tracking_link_per_case"),
        ),
    ]
