"""``DeliveryRecord`` keeps its ids but loses the B-tree behind them, on PostgreSQL.

Measured on a million rows (``bench/delays_import.py``): the binary ``COPY`` of an import's
records took 0.6 s into the bare table and 1.2–1.4 s with the primary key, whose B-tree writes one
write-ahead-log record per row — half the import's time. Nothing reads a record by its id: the
statistics and withdrawals find an import's records through ``source_import``, and no page shows
a single record. So:

* the primary-key constraint goes; the ids still come from the table's identity (one sequence,
  numbers never handed out twice), which only the import and the ORM use;
* a BRIN index on ``id`` takes its place: ids grow with the table, so it still finds a record by
  its id in a few pages, and costs next to nothing to maintain;
* ``REPLICA IDENTITY FULL``: without a key, logical replication (or a tool built on it) would
  otherwise refuse the deletion of a withdrawn import's records.

On SQLite the id is the table's rowid: nothing to save, nothing changes.
"""

from django.db import migrations

TABLE = "delays_deliveryrecord"


def drop_btree_key(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT {TABLE}_pkey")
    schema_editor.execute(f"CREATE INDEX delays_record_id ON {TABLE} USING brin (id) WITH (autosummarize = on)")
    schema_editor.execute(f"ALTER TABLE {TABLE} REPLICA IDENTITY FULL")


def restore_btree_key(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE {TABLE} REPLICA IDENTITY DEFAULT")
    schema_editor.execute("DROP INDEX delays_record_id")
    schema_editor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id)")


class Migration(migrations.Migration):
    dependencies = [
        ("delays", "0003_faster_record_import"),
    ]

    operations = [
        migrations.RunPython(drop_btree_key, restore_btree_key, elidable=False),
    ]
