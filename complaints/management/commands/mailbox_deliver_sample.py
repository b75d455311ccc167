from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ...mailbox.imap import MailboxError, imap_session, message_append
from ...mailbox.sample import sample_message
from ...models import Mailbox


class Command(BaseCommand):
    @property
    def help(self):  # argparse needs a str, in the active language
        return _(
            "Put a citizen's sample e-mail in a prefecture's mailbox (by IMAP, with the mailbox's settings): the next "
            "reading (manage.py mailbox_fetch, or Celery beat) makes it a case."
        )

    def add_arguments(self, parser):
        parser.add_argument("--prefecture", default="974", help=_("Department code, e.g. 974 (the default)."))

    def handle(self, *args, prefecture, **options):
        mailbox = Mailbox.objects.select_related("prefecture").filter(prefecture__department_code=prefecture).first()
        if mailbox is None:
            raise CommandError(_("No mailbox is declared for %(code)s.") % {"code": prefecture})
        try:
            with imap_session(mailbox) as imap:
                message_append(imap, mailbox.folder, sample_message(mailbox))
        except (MailboxError, ImproperlyConfigured) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(_("A sample message was delivered to %(address)s.") % {"address": mailbox.address})
