from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ...enums import EmailOutcome
from ...mailbox.imap import MailboxError
from ...mailbox.intake import mailbox_fetch
from ...models import Mailbox


class Command(BaseCommand):
    @property
    def help(self):  # argparse needs a str, in the active language
        return _(
            "Read the prefectures' mailboxes now, as Celery beat does every five minutes: each new message becomes "
            "a case, or a message in its case's thread."
        )

    def add_arguments(self, parser):
        parser.add_argument("--prefecture", help=_("Department code, e.g. 974 (default: every active mailbox)."))

    def handle(self, *args, prefecture=None, **options):
        mailboxes = Mailbox.objects.select_related("prefecture")
        if prefecture:
            mailboxes = mailboxes.filter(prefecture__department_code=prefecture)
            if not mailboxes.exists():
                raise CommandError(_("No mailbox is declared for %(code)s.") % {"code": prefecture})
        else:
            mailboxes = mailboxes.filter(is_active=True)
        failed = False
        for mailbox in mailboxes:
            try:
                counts = mailbox_fetch(mailbox=mailbox)
            except (MailboxError, ImproperlyConfigured) as error:
                failed = True
                self.stderr.write(f"{mailbox.prefecture.department_code} : {error}")
                continue
            if counts is None:
                self.stdout.write(_("%(code)s: already being read.") % {"code": mailbox.prefecture.department_code})
                continue
            labels = {**dict(EmailOutcome.choices), "left": _("left for the next reading")}
            summary = ", ".join(f"{count} × {labels[outcome]}" for outcome, count in sorted(counts.items()))
            summary = summary or _("no new message")
            self.stdout.write(f"{mailbox.prefecture.department_code} : {summary}")
        if failed:
            raise CommandError(_("Some mailboxes could not be read."))
