"""The engagements and the audit reports leave the core for their own apps (``engagements``, ``reports``).

State only: their tables (``qualipref_<model>``, history tables included) stay with every row, and
``engagements/0001`` and ``reports/0001`` take them over under the same names. Their content types and
permissions follow in ``engagements/0002`` and ``reports/0002``.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('qualipref', '0011_user_email_login_identity'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name='auditreport',
                    name='prefecture',
                ),
                migrations.RemoveField(
                    model_name='auditreport',
                    name='requested_by',
                ),
                migrations.RemoveField(
                    model_name='monthlyindicator',
                    name='engagement',
                ),
                migrations.RemoveField(
                    model_name='engagementversion',
                    name='engagement',
                ),
                migrations.RemoveField(
                    model_name='historicalmanualmeasure',
                    name='engagement',
                ),
                migrations.RemoveField(
                    model_name='manualmeasure',
                    name='engagement',
                ),
                migrations.RemoveField(
                    model_name='monthlyindicator',
                    name='version',
                ),
                migrations.RemoveField(
                    model_name='historicalengagement',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalmanualmeasure',
                    name='entered_by',
                ),
                migrations.RemoveField(
                    model_name='historicalmanualmeasure',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalmanualmeasure',
                    name='prefecture',
                ),
                migrations.RemoveField(
                    model_name='manualmeasure',
                    name='entered_by',
                ),
                migrations.RemoveField(
                    model_name='manualmeasure',
                    name='prefecture',
                ),
                migrations.RemoveField(
                    model_name='monthlyindicator',
                    name='prefecture',
                ),
                migrations.DeleteModel(
                    name='WorkingDay',
                ),
                migrations.DeleteModel(
                    name='AuditReport',
                ),
                migrations.DeleteModel(
                    name='Engagement',
                ),
                migrations.DeleteModel(
                    name='EngagementVersion',
                ),
                migrations.DeleteModel(
                    name='HistoricalEngagement',
                ),
                migrations.DeleteModel(
                    name='HistoricalManualMeasure',
                ),
                migrations.DeleteModel(
                    name='ManualMeasure',
                ),
                migrations.DeleteModel(
                    name='MonthlyIndicator',
                ),
            ],
        ),
    ]
