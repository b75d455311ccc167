"""``manage.py tally_rebuild [--survey ID]``: recompute the answers' tally from the raw answers, after a bulk load."""

from django.core.management.base import BaseCommand

from surveys.models import AnswerTally
from surveys.tally import tally_rebuild


class Command(BaseCommand):
    help = "Recompute the survey answers' tally from the answers (after answers were inserted by SQL)."

    def add_arguments(self, parser):
        parser.add_argument("--survey", type=int, help="Only this survey (its id); every survey by default.")

    def handle(self, *args, survey=None, **options):
        tally_rebuild(survey)
        rows = AnswerTally.objects.filter(**({"survey": survey} if survey else {})).count()
        self.stdout.write(f"{rows} tally rows.")
