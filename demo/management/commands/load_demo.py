from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from demo.registry import LOADERS
from qualipref.demo import ACCOUNTS, DEMO_API_KEY, DEMO_PASSWORD
from qualipref.enums import Role
from qualipref.links import absolute_url
from surveys import kiosk
from surveys.demo import kiosk_points


class Command(BaseCommand):
    @property
    def help(self):  # argparse needs a str, in the active language
        return _(
            "Load the demo data (idempotent): prefectures, sites, services, one account per role, and each app's data."
        )

    def handle(self, *args, **options):
        for description, loader in LOADERS:
            loader()
            self.stdout.write(f"  ✓ {description}")
        self.stdout.write(
            self.style.SUCCESS(
                _("Demo data loaded. Demo accounts (password: %(password)s):") % {"password": DEMO_PASSWORD}
            )
        )
        for email, _first, _last, role, department, service in ACCOUNTS:
            where = f" {department}" if department else ""
            extra = f" – {service}" if service else ""
            self.stdout.write(f"  {email:32} {Role(role).label}{where}{extra}")
        self.stdout.write(_("Counter tablets (a survey answered in turn at the counter), one per prefecture:"))
        for point in kiosk_points():
            self.stdout.write(f"  {point.survey.prefecture.department_code:4} {absolute_url(kiosk.path(point))}")
        self.stdout.write(_("Open311 API (/api/open311/v2/): the demo app's key is %(key)s.") % {"key": DEMO_API_KEY})
