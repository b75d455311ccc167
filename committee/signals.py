"""The committee's part in the retention of citizens' data."""

from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Concat
from django.dispatch import receiver

from complaints.models import Case
from complaints.retention import ANONYMISED
from complaints.signals import cases_anonymised

from .models import AgendaItem


@receiver(cases_anonymised)
def agenda_items_anonymise(sender, case_ids, **kwargs):
    """An agenda item made from a suggestion copied its subject into its title: keep the reference only."""
    reference = Subquery(Case.objects.filter(pk=OuterRef("case_id")).values("reference")[:1])
    title = Concat(Value("Suggestion "), reference, Value(f"\u00a0: {ANONYMISED}"))
    AgendaItem.objects.filter(case_id__in=case_ids).update(title=title)
    AgendaItem.history.filter(case_id__in=case_ids).update(title=title)
