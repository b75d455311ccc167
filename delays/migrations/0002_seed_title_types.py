from django.db import migrations


def seed(apps, schema_editor):
    from delays.referential import seed_title_types

    seed_title_types(apps.get_model("delays", "TitleType"))


class Migration(migrations.Migration):
    dependencies = [("delays", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
