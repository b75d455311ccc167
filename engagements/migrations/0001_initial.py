"""The engagements' models, moved out of the core (``qualipref/0012``) with the tables they already had.

State only: the tables ``qualipref_<model>`` (history included) exist since ``qualipref/0004`` and keep
their rows, constraints and indexes.
"""

import django.db.models.deletion
import django.utils.timezone
import engagements.models
import qualipref.csvfiles
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('qualipref', '0012_engagements_and_reports_move_out'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Engagement',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField(help_text='For example COURRIERS-15J.', max_length=40, unique=True, validators=[qualipref.csvfiles.refuse_formula_start], verbose_name='code')),
                        ('label', models.CharField(choices=[('qualipref', 'Qualipref'), ('marianne', 'Marianne')], default='qualipref', max_length=20, verbose_name='label')),
                        ('source', models.CharField(choices=[('cases_on_time', 'Complaints answered by their due date (complaints)'), ('cases_within_days', 'Cases of a channel answered within N working days (complaints)'), ('cases_mean_days', 'Mean answer time in working days (complaints)'), ('answer_satisfaction', 'Citizens satisfied with the answer, 4 or 5 out of 5 (complaints)'), ('surveys_published', 'Surveys run with their results published (surveys)'), ('survey_satisfaction', 'Satisfaction in the published surveys, 4 or 5 out of 5 (surveys)'), ('committee_meetings', 'Committee meetings held (committee)'), ('actions_done', 'Improvement actions due and done (committee)'), ('delays_published', 'Monthly delays published for each title (delays)'), ('results_published', 'Engagements with a published result (this portal)'), ('manual', 'Entered monthly by the officers, with evidence')], max_length=30, verbose_name='how it is measured')),
                        ('channel', models.CharField(blank=True, help_text='For the measures of cases of one channel: letter, email…', max_length=20, verbose_name='channel')),
                        ('position', models.PositiveSmallIntegerField(default=0, verbose_name='position')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('is_headline', models.BooleanField(default=False, help_text="Shown in the network's comparison table.", verbose_name='headline')),
                    ],
                    options={
                        'verbose_name': 'engagement',
                        'verbose_name_plural': 'engagements',
                        'db_table': 'qualipref_engagement',
                        'ordering': ['position', 'code'],
                    },
                ),
                migrations.CreateModel(
                    name='EngagementVersion',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('valid_from', models.DateField(help_text='First day of a month.', verbose_name='in force from')),
                        ('wording', models.CharField(max_length=300, validators=[qualipref.csvfiles.refuse_formula_start], verbose_name='French wording')),
                        ('measurement', models.TextField(blank=True, verbose_name='how it is measured')),
                        ('wording_en', models.CharField(blank=True, max_length=300, verbose_name='English wording')),
                        ('measurement_en', models.TextField(blank=True, verbose_name='how it is measured, in English')),
                        ('target_value', models.DecimalField(decimal_places=2, max_digits=7, verbose_name='target')),
                        ('comparator', models.CharField(choices=[('gte', 'at least'), ('lte', 'at most')], default='gte', max_length=3, verbose_name='comparator')),
                        ('unit', models.CharField(choices=[('percent', '%'), ('working_days', 'working days'), ('score_10', 'out of 10'), ('minutes', 'minutes'), ('count', 'per rolling 12 months')], default='percent', max_length=20, verbose_name='unit')),
                        ('deadline_working_days', models.PositiveSmallIntegerField(blank=True, help_text="For “answered within N working days”; empty: the case's own due date.", null=True, verbose_name='deadline (working days)')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                        ('engagement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='versions', to='engagements.engagement', verbose_name='engagement')),
                    ],
                    options={
                        'verbose_name': 'engagement version',
                        'verbose_name_plural': 'engagement versions',
                        'db_table': 'qualipref_engagementversion',
                        'ordering': ['engagement', '-valid_from'],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalEngagement',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('code', models.SlugField(help_text='For example COURRIERS-15J.', max_length=40, validators=[qualipref.csvfiles.refuse_formula_start], verbose_name='code')),
                        ('label', models.CharField(choices=[('qualipref', 'Qualipref'), ('marianne', 'Marianne')], default='qualipref', max_length=20, verbose_name='label')),
                        ('source', models.CharField(choices=[('cases_on_time', 'Complaints answered by their due date (complaints)'), ('cases_within_days', 'Cases of a channel answered within N working days (complaints)'), ('cases_mean_days', 'Mean answer time in working days (complaints)'), ('answer_satisfaction', 'Citizens satisfied with the answer, 4 or 5 out of 5 (complaints)'), ('surveys_published', 'Surveys run with their results published (surveys)'), ('survey_satisfaction', 'Satisfaction in the published surveys, 4 or 5 out of 5 (surveys)'), ('committee_meetings', 'Committee meetings held (committee)'), ('actions_done', 'Improvement actions due and done (committee)'), ('delays_published', 'Monthly delays published for each title (delays)'), ('results_published', 'Engagements with a published result (this portal)'), ('manual', 'Entered monthly by the officers, with evidence')], max_length=30, verbose_name='how it is measured')),
                        ('channel', models.CharField(blank=True, help_text='For the measures of cases of one channel: letter, email…', max_length=20, verbose_name='channel')),
                        ('position', models.PositiveSmallIntegerField(default=0, verbose_name='position')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('is_headline', models.BooleanField(default=False, help_text="Shown in the network's comparison table.", verbose_name='headline')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'historical engagement',
                        'verbose_name_plural': 'historical engagements',
                        'db_table': 'qualipref_historicalengagement',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalManualMeasure',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('month', models.DateField(help_text='Any day of the month measured; stored as its first day.', verbose_name='month')),
                        ('numerator', models.DecimalField(blank=True, decimal_places=2, help_text='For a share: how many met the engagement (calls picked up within 5 rings…).', max_digits=10, null=True, verbose_name='numerator')),
                        ('denominator', models.DecimalField(blank=True, decimal_places=2, help_text='For a share: how many were measured (calls made…).', max_digits=10, null=True, verbose_name='denominator')),
                        ('value', models.DecimalField(blank=True, decimal_places=2, help_text='For a score or a time (mystery shopper out of 10, minutes); computed for a share.', max_digits=10, null=True, verbose_name='value')),
                        ('evidence', models.TextField(max_length=200, verbose_name='evidence (PDF or image)')),
                        ('evidence_name', models.CharField(editable=False, max_length=120, verbose_name='file name')),
                        ('evidence_sha256', models.CharField(editable=False, max_length=64, verbose_name='evidence SHA-256 fingerprint')),
                        ('note', models.TextField(blank=True, help_text='How it was measured: sample, dates, provider.', verbose_name='note')),
                        ('entered_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='entered at')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('engagement', models.ForeignKey(blank=True, db_constraint=False, limit_choices_to={'source': 'manual'}, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='engagements.engagement', verbose_name='engagement')),
                        ('entered_by', models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='entered by')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('prefecture', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='qualipref.prefecture', verbose_name='prefecture')),
                    ],
                    options={
                        'verbose_name': 'historical manual measure',
                        'verbose_name_plural': 'historical manual measures',
                        'db_table': 'qualipref_historicalmanualmeasure',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='ManualMeasure',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('month', models.DateField(help_text='Any day of the month measured; stored as its first day.', verbose_name='month')),
                        ('numerator', models.DecimalField(blank=True, decimal_places=2, help_text='For a share: how many met the engagement (calls picked up within 5 rings…).', max_digits=10, null=True, verbose_name='numerator')),
                        ('denominator', models.DecimalField(blank=True, decimal_places=2, help_text='For a share: how many were measured (calls made…).', max_digits=10, null=True, verbose_name='denominator')),
                        ('value', models.DecimalField(blank=True, decimal_places=2, help_text='For a score or a time (mystery shopper out of 10, minutes); computed for a share.', max_digits=10, null=True, verbose_name='value')),
                        ('evidence', models.FileField(max_length=200, upload_to=engagements.models.evidence_path, verbose_name='evidence (PDF or image)')),
                        ('evidence_name', models.CharField(editable=False, max_length=120, verbose_name='file name')),
                        ('evidence_sha256', models.CharField(editable=False, max_length=64, verbose_name='evidence SHA-256 fingerprint')),
                        ('note', models.TextField(blank=True, help_text='How it was measured: sample, dates, provider.', verbose_name='note')),
                        ('entered_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='entered at')),
                        ('engagement', models.ForeignKey(limit_choices_to={'source': 'manual'}, on_delete=django.db.models.deletion.PROTECT, related_name='manual_measures', to='engagements.engagement', verbose_name='engagement')),
                        ('entered_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='entered by')),
                        ('prefecture', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='manual_measures', to='qualipref.prefecture', verbose_name='prefecture')),
                    ],
                    options={
                        'verbose_name': 'manual measure',
                        'verbose_name_plural': 'manual measures',
                        'db_table': 'qualipref_manualmeasure',
                        'ordering': ['-month', 'engagement'],
                    },
                ),
                migrations.CreateModel(
                    name='MonthlyIndicator',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('month', models.DateField(verbose_name='month')),
                        ('numerator', models.DecimalField(decimal_places=2, max_digits=14, null=True, verbose_name='numerator')),
                        ('denominator', models.DecimalField(decimal_places=2, max_digits=14, null=True, verbose_name='denominator')),
                        ('value', models.DecimalField(decimal_places=2, max_digits=10, null=True, verbose_name='value')),
                        ('target_value', models.DecimalField(decimal_places=2, max_digits=7, verbose_name='target')),
                        ('comparator', models.CharField(choices=[('gte', 'at least'), ('lte', 'at most')], max_length=3, verbose_name='comparator')),
                        ('unit', models.CharField(choices=[('percent', '%'), ('working_days', 'working days'), ('score_10', 'out of 10'), ('minutes', 'minutes'), ('count', 'per rolling 12 months')], max_length=20, verbose_name='unit')),
                        ('met', models.BooleanField(null=True, verbose_name='met')),
                        ('computed_at', models.DateTimeField(verbose_name='computed at')),
                        ('engagement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='monthly_figures', to='engagements.engagement', verbose_name='engagement')),
                        ('prefecture', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='qualipref.prefecture', verbose_name='prefecture')),
                        ('version', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='monthly_figures', to='engagements.engagementversion', verbose_name='version')),
                    ],
                    options={
                        'verbose_name': 'monthly figure',
                        'verbose_name_plural': 'monthly figures',
                        'db_table': 'qualipref_monthlyindicator',
                        'ordering': ['-month', 'prefecture', 'engagement__position'],
                    },
                ),
                migrations.CreateModel(
                    name='WorkingDay',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('subdivision', models.CharField(max_length=8)),
                        ('day', models.DateField(verbose_name='day')),
                        ('ordinal', models.PositiveIntegerField(verbose_name='working day number')),
                    ],
                    options={
                        'verbose_name': 'working-days calendar day',
                        'verbose_name_plural': 'working-days calendar',
                        'db_table': 'qualipref_workingday',
                        'constraints': [models.UniqueConstraint(fields=('subdivision', 'day'), name='working_day_unique')],
                    },
                ),
                migrations.AddConstraint(
                    model_name='engagementversion',
                    constraint=models.UniqueConstraint(fields=('engagement', 'valid_from'), name='engagement_version_unique_start', violation_error_message='This engagement already has a version starting that month.'),
                ),
                migrations.AddConstraint(
                    model_name='manualmeasure',
                    constraint=models.UniqueConstraint(fields=('prefecture', 'engagement', 'month'), name='manual_measure_one_per_month', violation_error_message='This engagement is already measured for this month.'),
                ),
                migrations.AddConstraint(
                    model_name='manualmeasure',
                    constraint=models.CheckConstraint(condition=models.Q(('numerator__isnull', True), ('denominator__gt', 0), _connector='OR'), name='manual_measure_share_has_denominator', violation_error_message='A share needs how many were measured.'),
                ),
                migrations.AddIndex(
                    model_name='monthlyindicator',
                    index=models.Index(fields=['prefecture', 'month'], name='monthly_indicator_pref_month'),
                ),
                migrations.AddConstraint(
                    model_name='monthlyindicator',
                    constraint=models.UniqueConstraint(fields=('prefecture', 'engagement', 'month'), name='monthly_indicator_unique'),
                ),
            ],
        ),
    ]
