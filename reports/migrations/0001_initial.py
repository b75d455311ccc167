"""The audit report, moved out of the core (``qualipref/0012``) with the table it already had.

State only: the table ``qualipref_auditreport`` exists since ``qualipref/0006`` and keeps its rows,
constraints and indexes.
"""

import django.db.models.deletion
import django.utils.timezone
import reports.models
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
                    name='AuditReport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('period_kind', models.CharField(choices=[('month', 'Month'), ('quarter', 'Quarter'), ('year', 'Year')], max_length=10, verbose_name='period')),
                        ('period_start', models.DateField(verbose_name='period starts on')),
                        ('version', models.PositiveIntegerField(verbose_name='version')),
                        ('status', models.CharField(choices=[('pending', 'Pending'), ('running', 'Being built'), ('done', 'Ready'), ('failed', 'Failed')], default='pending', max_length=10, verbose_name='status')),
                        ('error', models.TextField(blank=True, verbose_name='error')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                        ('file', models.FileField(blank=True, max_length=200, upload_to=reports.models.report_path, verbose_name='PDF')),
                        ('sha256', models.CharField(blank=True, max_length=64, verbose_name='SHA-256 of the PDF')),
                        ('size', models.PositiveBigIntegerField(blank=True, null=True, verbose_name='size in bytes')),
                        ('page_count', models.PositiveIntegerField(blank=True, null=True, verbose_name='pages')),
                        ('csv_file', models.FileField(blank=True, max_length=200, upload_to=reports.models.report_path, verbose_name='detailed data (CSV)')),
                        ('schedule', models.CharField(blank=True, max_length=40, verbose_name='schedule')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='requested at')),
                        ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='started at')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                        ('gather_seconds', models.FloatField(blank=True, null=True, verbose_name='data gathering (s)')),
                        ('render_seconds', models.FloatField(blank=True, null=True, verbose_name='rendering (s)')),
                        ('shared_with_committee', models.BooleanField(default=False, help_text="The committee's members can read it in their space.", verbose_name='shared with the committee')),
                        ('shared_at', models.DateTimeField(blank=True, null=True, verbose_name='shared at')),
                        ('prefecture', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='audit_reports', to='qualipref.prefecture', verbose_name='prefecture')),
                        ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
                    ],
                    options={
                        'verbose_name': 'audit report',
                        'verbose_name_plural': 'audit reports',
                        'db_table': 'qualipref_auditreport',
                        'ordering': ['-created_at'],
                        'indexes': [models.Index(fields=['prefecture', 'period_kind', 'period_start'], name='audit_report_period')],
                        'constraints': [models.UniqueConstraint(fields=('prefecture', 'period_kind', 'period_start', 'version'), name='audit_report_unique_version'), models.CheckConstraint(condition=models.Q(models.Q(('status', 'done'), _negated=True), models.Q(('sha256__regex', '^[0-9a-f]{64}$'), ('size__isnull', False)), _connector='OR'), name='audit_report_done_has_checksum')],
                    },
                ),
            ],
        ),
    ]
