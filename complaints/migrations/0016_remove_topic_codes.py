from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0015_topics_from_codes'),
    ]

    operations = [
        migrations.RemoveField(model_name='case', name='topic_code'),
        migrations.RemoveField(model_name='historicalcase', name='topic_code'),
        migrations.RemoveField(model_name='routingrule', name='topic_code'),
        migrations.RemoveField(model_name='historicalroutingrule', name='topic_code'),
    ]
