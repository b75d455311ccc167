import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qualipref.models import Prefecture, User

from ...enums import ImportSource, ImportStatus
from ...reports import bad_row_message
from ...services import (
    ImportRefused,
    delivery_import_accept,
    delivery_import_check,
    delivery_import_create,
    delivery_import_reject,
)


class Command(BaseCommand):
    help = (
        "Import a CSV file of deliveries for a prefecture (see the delays section of the README for the format). "
        "A clean file is imported at once; a file with bad rows is imported only with --accept."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--prefecture", required=True, help="Department code, e.g. 974.")
        parser.add_argument("--accept", action="store_true", help="Keep the valid rows even if some rows are bad.")
        parser.add_argument("--by", help="E-mail of the officer the import is recorded for.")
        parser.add_argument("--show", type=int, default=20, help="How many bad rows to print (default 20).")

    def handle(self, *args, file, prefecture, accept, by, show, **options):
        try:
            prefecture = Prefecture.objects.get(department_code=prefecture)
        except Prefecture.DoesNotExist as error:
            raise CommandError(f"No prefecture with department code {prefecture}.") from error
        user = None
        if by:
            user = User.objects.filter(email__iexact=by).first()
            if user is None:
                raise CommandError(f"No user with e-mail {by}.")
        if not file.is_file():
            raise CommandError(f"{file}: no such file.")
        with file.open("rb") as fileobj:
            try:
                delivery_import = delivery_import_create(
                    prefecture=prefecture,
                    fileobj=fileobj,
                    name=file.name,
                    by=user,
                    source=ImportSource.COMMAND,
                    store_file=False,
                )
            except ImportRefused as refused:
                raise CommandError(refused.message) from refused
            delivery_import = delivery_import_check(import_id=delivery_import.pk, fileobj=fileobj, auto_accept=True)
        self._report(delivery_import, show)
        if delivery_import.status == ImportStatus.FAILED:
            raise CommandError(delivery_import.message)
        if delivery_import.status == ImportStatus.AWAITING_REVIEW:
            if accept or self._confirm(delivery_import):
                delivery_import = delivery_import_accept(delivery_import=delivery_import, by=user)
            else:
                delivery_import_reject(delivery_import=delivery_import, by=user)
                raise CommandError(
                    "Import rejected: nothing was kept. Run again with --accept to keep the valid rows."
                )
        if delivery_import.status == ImportStatus.ACCEPTED:
            self.stdout.write(
                self.style.SUCCESS(f"Imported {delivery_import.valid_rows} deliveries (import #{delivery_import.pk}).")
            )
        elif delivery_import.status == ImportStatus.REJECTED:
            raise CommandError(delivery_import.message or "Import rejected.")

    def _report(self, delivery_import, show):
        d = delivery_import
        self.stdout.write(
            f"{d.original_name}: {d.total_rows} lines, {d.valid_rows} valid, {d.bad_rows} bad "
            f"({d.encoding or '?'}, separator “{d.delimiter or '?'}”)."
        )
        if d.months:
            months = sorted(d.months)
            self.stdout.write(f"Months of delivery: {months[0]} to {months[-1]} ({len(months)} months).")
        if d.published_months:
            self.stdout.write(
                self.style.WARNING(f"Changes the published figures of: {', '.join(d.published_months)}.")
            )
        for bad_row in d.bad_row_set.order_by("line")[:show]:
            self.stdout.write(f"  line {bad_row.line}: {bad_row_message(bad_row)}")
        if d.bad_rows > show:
            self.stdout.write(f"  … and {d.bad_rows - show} more.")

    def _confirm(self, delivery_import):
        if not sys.stdin.isatty():
            return False
        answer = input(f"Keep the {delivery_import.valid_rows} valid rows? [y/N] ")
        return answer.strip().lower() in {"y", "yes", "o", "oui"}
