import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
    @property
    def help(self):  # argparse needs a str, in the active language
        return _(
            "Import a CSV file of deliveries for a prefecture (see the delays section of the README for the format). "
            "A clean file is imported at once; a file with bad rows is imported only with --accept."
        )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--prefecture", required=True, help=_("Department code, e.g. 974."))
        parser.add_argument("--accept", action="store_true", help=_("Keep the valid rows even if some rows are bad."))
        parser.add_argument("--by", help=_("E-mail of the officer the import is recorded for."))
        parser.add_argument("--show", type=int, default=20, help=_("How many bad rows to print (default 20)."))

    def handle(self, *args, file, prefecture, accept, by, show, **options):
        try:
            prefecture = Prefecture.objects.get(department_code=prefecture)
        except Prefecture.DoesNotExist as error:
            raise CommandError(_("No prefecture with department code %(code)s.") % {"code": prefecture}) from error
        user = None
        if by:
            user = User.objects.filter(email__iexact=by).first()
            if user is None:
                raise CommandError(_("No user with e-mail %(email)s.") % {"email": by})
            if prefecture.pk not in user.prefecture_ids:
                raise CommandError(
                    _("%(email)s does not work for the prefecture %(code)s: the import cannot be recorded for them.")
                    % {"email": by, "code": prefecture.department_code}
                )
        if not file.is_file():
            raise CommandError(_("%(file)s: no such file.") % {"file": file})
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
                    _("Import rejected: nothing was kept. Run again with --accept to keep the valid rows.")
                )
        if delivery_import.status == ImportStatus.ACCEPTED:
            imported = ngettext(
                "Imported %(count)s delivery (import #%(id)s).",
                "Imported %(count)s deliveries (import #%(id)s).",
                delivery_import.valid_rows,
            )
            self.stdout.write(
                self.style.SUCCESS(imported % {"count": delivery_import.valid_rows, "id": delivery_import.pk})
            )
        elif delivery_import.status == ImportStatus.REJECTED:
            raise CommandError(delivery_import.message or _("Import rejected."))

    def _report(self, delivery_import, show):
        d = delivery_import
        self.stdout.write(
            _("%(name)s: %(total)s lines, %(valid)s valid, %(bad)s bad (%(encoding)s, separator “%(delimiter)s”).")
            % {
                "name": d.original_name,
                "total": d.total_rows,
                "valid": d.valid_rows,
                "bad": d.bad_rows,
                "encoding": d.encoding or "?",
                "delimiter": d.delimiter or "?",
            }
        )
        if d.months:
            months = sorted(d.months)
            self.stdout.write(
                _("Months of delivery: %(first)s to %(last)s (%(count)s months).")
                % {"first": months[0], "last": months[-1], "count": len(months)}
            )
        if d.published_months:
            self.stdout.write(
                self.style.WARNING(
                    _("Changes the published figures of: %(months)s.") % {"months": ", ".join(d.published_months)}
                )
            )
        for bad_row in d.bad_row_set.order_by("line")[:show]:
            self.stdout.write(
                "  " + _("line %(line)s: %(reason)s") % {"line": bad_row.line, "reason": bad_row_message(bad_row)}
            )
        if d.bad_rows > show:
            self.stdout.write("  " + _("… and %(count)s more.") % {"count": d.bad_rows - show})

    def _confirm(self, delivery_import):
        if not sys.stdin.isatty():
            return False
        answer = input(_("Keep the %(count)s valid rows? [y/N] ") % {"count": delivery_import.valid_rows})
        return answer.strip().lower() in {"y", "yes", "o", "oui"}
