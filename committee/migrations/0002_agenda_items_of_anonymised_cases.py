"""Agenda items made from suggestions anonymised before retention reached the committee lose the copied subject,
as ``committee.signals.agenda_items_anonymise`` does for the cases anonymised from now on."""

from django.db import migrations
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Concat

ANONYMISED = "[anonymisé]"  # as complaints.retention.ANONYMISED


def anonymise(apps, schema_editor):
    Case = apps.get_model("complaints", "Case")
    anonymised = Case.objects.filter(anonymised_at__isnull=False).values("pk")
    reference = Subquery(Case.objects.filter(pk=OuterRef("case_id")).values("reference")[:1])
    title = Concat(Value("Suggestion "), reference, Value(f"\u00a0: {ANONYMISED}"))
    for name in ("AgendaItem", "HistoricalAgendaItem"):
        apps.get_model("committee", name).objects.filter(case_id__in=anonymised).update(title=title)


class Migration(migrations.Migration):
    dependencies = [
        ("committee", "0001_initial"),
        ("complaints", "0004_case_prefecture_received_index"),
    ]

    operations = [migrations.RunPython(anonymise, migrations.RunPython.noop)]
