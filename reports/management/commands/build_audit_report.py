"""Build one audit report now, in this process, and print the PDF's path.

manage.py build_audit_report --prefecture 974 --period 2026-Q3   (or 2026-T3, 2026-07, 2026)
"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils.translation import gettext as _

from engagements.periods import Period
from qualipref.models import Prefecture
from reports.enums import ReportStatus
from reports.services import report_build, report_create


class Command(BaseCommand):
    @property
    def help(self):  # argparse needs a str, in the active language
        return _("Build a prefecture's audit report for a month, a quarter or a year, and print the PDF's path.")

    def add_arguments(self, parser):
        parser.add_argument("--prefecture", required=True, help=_("Department code (974) or slug (la-reunion)."))
        parser.add_argument("--period", required=True, help=_("2026-07 (month), 2026-Q3 or 2026-T3 (quarter), 2026."))

    def handle(self, *args, prefecture, period, **options):
        found = Prefecture.objects.filter(Q(department_code__iexact=prefecture) | Q(slug=prefecture)).first()
        if found is None:
            raise CommandError(_("No prefecture “%(prefecture)s”.") % {"prefecture": prefecture})
        try:
            parsed = Period.parse(period)
        except ValueError as error:
            raise CommandError(
                _("Not a period: “%(period)s” (2026-07, 2026-Q3, 2026-T3 or 2026).") % {"period": period}
            ) from error
        report, _created = report_create(prefecture=found, period=parsed)
        report = report_build(report_id=report.pk) or report
        report.refresh_from_db()
        if report.status != ReportStatus.DONE:
            raise CommandError(_("The report could not be built: %(error)s") % {"error": report.error})
        self.stdout.write(report.file.path)
