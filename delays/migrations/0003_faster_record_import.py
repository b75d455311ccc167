"""Cheaper inserts into ``DeliveryRecord``, which an import fills a million rows at a time.

* The ``(prefecture, delivered_on)`` B-tree goes: nothing reads records by date any more (the
  histogram follows the imports, ``delays.stats.count_import``), and inserting random dates into
  it cost as much as the rows themselves. An index on the import takes its place (BRIN on
  PostgreSQL: an import's records lie together at the table's end).
* On PostgreSQL the identity hands out its numbers a thousand at a time to each session instead
  of one by one (a ``COPY`` asked the sequence for every row). Numbers a session did not use are
  skipped: ids stay unique, with gaps.
"""

from django.db import migrations

import delays.models

TABLE = "delays_deliveryrecord"


def cache_ids(apps, schema_editor, cache=1000):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id SET CACHE {cache}")


def uncache_ids(apps, schema_editor):
    cache_ids(apps, schema_editor, cache=1)


class Migration(migrations.Migration):
    dependencies = [
        ("delays", "0002_seed_title_types"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="deliveryrecord",
            name="delays_record_pref_delivered",
        ),
        migrations.AddIndex(
            model_name="deliveryrecord",
            index=delays.models.AppendOnlyIndex(fields=["source_import"], name="delays_record_import"),
        ),
        migrations.RunPython(cache_ids, uncache_ids, elidable=False),
    ]
