"""E-mail intake against a real IMAP server (Dovecot, ``tests/imapserver.py``): real messages delivered by IMAP APPEND
become cases (or replies in a case's thread) with the web form's checks and acknowledgement; automatic replies,
bounces and loops never do; each message is filed away only after its case commits, and never imported twice."""

import datetime
import imaplib
import re

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from complaints import demo as complaints_demo
from complaints.checks import mailbox_password_check
from complaints.enums import Channel, EmailOutcome, MessageKind, Status
from complaints.mailbox import imap as mailbox_imap
from complaints.mailbox.imap import MailboxError
from complaints.mailbox.intake import email_import, mailbox_fetch
from complaints.models import Attachment, Case, ImportedEmail, Mailbox, Message, RefusedAttachment
from complaints.retention import _anonymise_batch
from complaints.tasks import read_mailboxes
from qualipref import demo as core_demo
from qualipref.models import OutgoingEmail
from tests.complaints import mail_samples as samples
from tests.complaints.factories import CaseFactory
from tests.qualipref.factories import coordinator, officer_of


@pytest.fixture
def mailbox(reunion, dovecot, settings, monkeypatch):
    """La Réunion's mailbox: a fresh account on the test's Dovecot, its password in the environment."""
    username, password = dovecot.account()
    settings.QUALIPREF_MAILBOX_CA_FILE = str(dovecot.cert)
    box = Mailbox.objects.create(
        prefecture=reunion, address="qualite@reunion.gouv.fr", host="127.0.0.1", port=dovecot.port, username=username
    )
    monkeypatch.setenv(box.password_variable, password)
    return box


class Account:
    """The test's own IMAP client on the mailbox's account (the standard library, not the code under test)."""

    def __init__(self, mailbox, dovecot):
        self.mailbox, self.dovecot = mailbox, dovecot

    def _session(self):
        import os
        import ssl

        imap = imaplib.IMAP4_SSL(
            "127.0.0.1", self.dovecot.port, ssl_context=ssl.create_default_context(cafile=str(self.dovecot.cert))
        )
        imap.login(self.mailbox.username, os.environ[self.mailbox.password_variable])
        return imap

    def deliver(self, *messages):
        imap = self._session()
        for raw in messages:
            status, _ = imap.append("INBOX", None, None, raw)
            assert status == "OK"
        imap.logout()

    def message_ids(self, folder):
        """The Message-IDs in ``folder`` (an empty list for a folder that does not exist)."""
        imap = self._session()
        try:
            status, _ = imap.select(f'"{folder}"', readonly=True)
            if status != "OK":
                return []
            _, data = imap.search(None, "ALL")
            ids = []
            for number in data[0].split():
                _, fetched = imap.fetch(number, "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
                ids.append(re.sub(rb"\s+", b" ", fetched[0][1]).decode().split(":", 1)[1].strip())
            return ids
        finally:
            imap.logout()

    def count(self, folder):
        return len(self.message_ids(folder))


@pytest.fixture
def account(mailbox, dovecot):
    return Account(mailbox, dovecot)


def fetch(mailbox):
    return mailbox_fetch(mailbox=Mailbox.objects.select_related("prefecture").get(pk=mailbox.pk))


# --- what becomes a case ---------------------------------------------------------------------------------------


def test_a_message_becomes_an_email_case_with_the_web_acknowledgement(mailbox, account, reunion):
    sent = datetime.datetime(2026, 11, 30, 22, 30, tzinfo=samples.PARIS)  # 1 December, 01:30 in La Réunion
    account.deliver(samples.multipart_alternative(sent=sent))

    assert fetch(mailbox) == {EmailOutcome.CASE: 1}

    case = Case.objects.get()
    assert case.channel == Channel.EMAIL and case.prefecture == reunion and case.status == Status.NEW
    assert case.received_on == datetime.date(2026, 12, 1)
    assert (case.name, case.email) == ("Marie Hoarau", "marie.hoarau@example.org")
    assert case.subject == "Attente interminable au guichet des titres de séjour"
    assert case.description.startswith("Bonjour,\n\nJ'ai attendu trois heures au guichet")
    assert "Version HTML" not in case.description  # the text alternative, not the HTML one
    attachment = Attachment.objects.get(case=case)
    assert (attachment.original_name, attachment.content_type) == ("convocation.pdf", "application/pdf")
    assert not RefusedAttachment.objects.exists()
    # The web form's acknowledgement (case_submit), with the case's reference.
    acknowledgement = OutgoingEmail.objects.get(purpose="acknowledgement")
    assert acknowledgement.to == "marie.hoarau@example.org" and case.reference in acknowledgement.body_text
    # Filed away once imported.
    assert account.count("INBOX") == 0 and account.count("traites") == 1


def test_an_html_only_message_becomes_text_without_its_markup_or_scripts(mailbox, account):
    account.deliver(samples.html_only())
    fetch(mailbox)
    case = Case.objects.get()
    assert case.name == "Jean Payet" and case.subject == "Rendez-vous introuvable"
    assert case.description == (
        "Bonjour,\n\nImpossible de prendre rendez-vous sur le site : la page reste blanche & rien ne s'affiche.\n\n"
        "Voir ma capture (https://www.example.org/capture).\n\nJean Payet"
    )
    assert "<" not in case.description and "alert" not in case.description and "color" not in case.description


def test_iso_8859_1_headers_and_body_are_decoded(mailbox, account):
    account.deliver(samples.latin1())
    fetch(mailbox)
    case = Case.objects.get()
    assert case.name == "Gérard Hoarau"
    assert case.subject == "Dossier déposé sans réponse à l'accueil"
    assert "J'ai déposé mon dossier à l'accueil il y a deux mois : aucune réponse." in case.description


@pytest.mark.parametrize(
    ("message", "name", "reason"),
    [
        (samples.winmail_dat, "winmail.dat", "n’est pas un fichier accepté"),
        (samples.zip_bomb, "dossier.zip", "n’est pas un fichier accepté"),
        (samples.twenty_megabytes, "scan-complet.pdf", "est trop volumineux"),
    ],
    ids=["winmail.dat", "zip bomb", "20 MB"],
)
def test_a_refused_file_is_listed_on_the_case_which_is_still_made(mailbox, account, message, name, reason):
    account.deliver(message())
    assert fetch(mailbox) == {EmailOutcome.CASE: 1}
    case = Case.objects.get()
    assert not Attachment.objects.exists()
    refused = RefusedAttachment.objects.get()
    assert (refused.case, refused.name) == (case, name)
    assert reason in refused.reason
    assert account.count("traites") == 1


def test_a_message_larger_than_the_limit_becomes_a_case_from_its_headers(mailbox, account, settings):
    settings.QUALIPREF_MAILBOX_MAX_MESSAGE_BYTES = 1024 * 1024
    account.deliver(samples.twenty_megabytes())
    fetch(mailbox)
    case = Case.objects.get()
    assert (case.email, case.subject) == ("paul.grondin@example.org", "Mon dossier scanné")
    assert RefusedAttachment.objects.get(case=case).reason.startswith("Le message dépasse 1,0")
    assert account.count("traites") == 1


# --- what never becomes a case ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "outcome"),
    [
        (lambda: samples.automatic("Auto-Submitted: auto-replied\n"), EmailOutcome.AUTO_REPLY),
        (lambda: samples.automatic("X-Autoreply: yes\n"), EmailOutcome.AUTO_REPLY),
        (lambda: samples.automatic("Precedence: bulk\n"), EmailOutcome.AUTO_REPLY),
        (lambda: samples.automatic("Precedence: auto_reply\n"), EmailOutcome.AUTO_REPLY),
        (samples.bounce, EmailOutcome.BOUNCE),
        (samples.bare_bounce, EmailOutcome.BOUNCE),
        (lambda: samples.automatic("", sender="MAILER-DAEMON@example.org"), EmailOutcome.BOUNCE),
        (lambda: samples.automatic("", sender="Qualite <qualite@reunion.gouv.fr>"), EmailOutcome.LOOP),
        (lambda: samples.automatic("", sender="ne-pas-repondre@qualipref.example.org"), EmailOutcome.LOOP),
        (lambda: samples.automatic("X-Loop: qualite@reunion.gouv.fr\n"), EmailOutcome.LOOP),
        (lambda: samples.automatic("Received: from relay by relay; Mon, 30 Nov 2026 10:00:00 +0000\n" * 31), "loop"),
        (lambda: samples.automatic("X-Spam-Flag: YES\n"), EmailOutcome.SPAM),
        (lambda: samples.automatic("X-Spam-Status: Yes, score=12.3 required=5.0\n"), EmailOutcome.SPAM),
    ],
    ids=[
        "Auto-Submitted",
        "X-Autoreply",
        "Precedence bulk",
        "Precedence auto_reply",
        "delivery report",
        "empty Return-Path",
        "MAILER-DAEMON",
        "our own From",
        "the portal's From",
        "X-Loop",
        "31 Received",
        "X-Spam-Flag",
        "X-Spam-Status",
    ],
)
def test_automatic_messages_bounces_and_loops_never_become_cases(mailbox, account, message, outcome):
    account.deliver(message())
    assert fetch(mailbox) == {outcome: 1}
    assert not Case.objects.exists() and not OutgoingEmail.objects.exists()
    assert ImportedEmail.objects.get().outcome == outcome
    assert account.count("INBOX") == 0 and account.count("rejetes") == 1 and account.count("traites") == 0


def test_a_message_the_spam_filter_let_pass_is_a_person(mailbox, account):
    account.deliver(samples.automatic("X-Spam-Flag: NO\nX-Spam-Status: No, score=0.1 required=5.0\n"))
    assert fetch(mailbox) == {EmailOutcome.CASE: 1}


def test_thirty_received_headers_are_still_a_person(mailbox, account):
    account.deliver(samples.automatic("Received: from relay by relay; Mon, 30 Nov 2026 10:00:00 +0000\n" * 30))
    assert fetch(mailbox) == {EmailOutcome.CASE: 1}


# --- replies ---------------------------------------------------------------------------------------------------


def test_a_reply_carrying_the_reference_joins_its_case_thread(mailbox, account, reunion):
    case = CaseFactory(
        prefecture=reunion, reference="974-2026-000042", email="marie.hoarau@example.org", status=Status.ANSWERED
    )
    text = (
        "Merci, mais je n'ai toujours pas mon titre.\n\n"
        "Le 2 déc. 2026 à 10:02, Qualipref a écrit :\n> Référence : 974-2026-000042\n> Votre réclamation..."
    )
    account.deliver(samples.multipart_alternative(subject="Re: Votre réclamation", text=text))

    assert fetch(mailbox) == {EmailOutcome.REPLY: 1}
    assert Case.objects.count() == 1
    message = Message.objects.get(case=case)
    assert message.kind == MessageKind.CITIZEN and message.body == "Merci, mais je n'ai toujours pas mon titre."
    assert Attachment.objects.get().message == message
    case.refresh_from_db()
    assert case.status == Status.REOPENED  # as when the citizen replies on the tracking page
    assert ImportedEmail.objects.get().case == case
    assert account.count("traites") == 1


def test_the_reference_in_the_subject_is_enough(mailbox, account, reunion):
    case = CaseFactory(prefecture=reunion, reference="974-2026-000043", email="marie.hoarau@example.org")
    account.deliver(samples.multipart_alternative(subject="Re: [974-2026-000043] Accusé de réception", pdf=False))
    fetch(mailbox)
    assert Message.objects.get().case == case and Case.objects.count() == 1


def test_a_reference_from_another_address_is_a_new_case(mailbox, account, reunion):
    CaseFactory(prefecture=reunion, reference="974-2026-000044", email="someone.else@example.org")
    account.deliver(samples.multipart_alternative(subject="Au sujet du dossier 974-2026-000044", pdf=False))
    assert fetch(mailbox) == {EmailOutcome.CASE: 1}
    assert not Message.objects.exists()
    assert Case.objects.filter(channel=Channel.EMAIL, email="marie.hoarau@example.org").count() == 1


# --- nothing lost, nothing twice -----------------------------------------------------------------------------


def test_a_message_id_seen_again_is_not_imported_twice(mailbox, account):
    message_id = "<dossier-1234@example.org>"
    account.deliver(
        samples.multipart_alternative(message_id=message_id),
        samples.multipart_alternative(message_id=message_id, subject="Le même message, renvoyé"),
    )
    assert fetch(mailbox) == {EmailOutcome.CASE: 2}  # two messages filed away, as their one import
    assert Case.objects.count() == 1 and ImportedEmail.objects.get().message_id == message_id
    assert OutgoingEmail.objects.filter(purpose="acknowledgement").count() == 1
    assert account.message_ids("traites") == [message_id, message_id] and account.count("INBOX") == 0


def test_a_worker_dying_between_the_commit_and_the_move_loses_nothing_and_imports_nothing_twice(
    mailbox, account, monkeypatch
):
    account.deliver(samples.multipart_alternative(message_id="<interrompu@example.org>"))
    moved = []

    def worker_dies(imap, uid, folder):
        moved.append(uid)
        raise imaplib.IMAP4.abort("worker killed")  # as if the process ended here: the case committed, not the move

    monkeypatch.setattr("complaints.mailbox.intake.message_move", worker_dies)
    with pytest.raises(MailboxError):
        fetch(mailbox)
    assert moved and Case.objects.count() == 1
    assert account.message_ids("INBOX") == ["<interrompu@example.org>"]  # still there: nothing lost

    monkeypatch.setattr("complaints.mailbox.intake.message_move", mailbox_imap.message_move)
    assert fetch(mailbox) == {EmailOutcome.CASE: 1}  # read again, found imported, only filed away
    assert Case.objects.count() == 1 and OutgoingEmail.objects.count() == 1
    assert account.count("INBOX") == 0 and account.message_ids("traites") == ["<interrompu@example.org>"]


def test_a_message_whose_import_fails_stays_in_the_mailbox(mailbox, account, monkeypatch):
    account.deliver(samples.multipart_alternative(), samples.latin1())

    def broken(**kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr("complaints.mailbox.intake.case_submit", broken)
    assert fetch(mailbox) == {"left": 2}
    assert not ImportedEmail.objects.exists() and account.count("INBOX") == 2


def test_a_sender_of_many_messages_gets_a_few_acknowledgements_and_every_message_becomes_a_case(
    mailbox, account, reunion, settings
):
    settings.QUALIPREF_MAILBOX_ACKNOWLEDGEMENTS = 2
    settings.QUALIPREF_MAILBOX_ACKNOWLEDGEMENT_HOURS = 24
    account.deliver(
        *(
            samples.multipart_alternative(message_id=f"<rafale-{n}@example.org>", subject=f"Message {n}", pdf=False)
            for n in range(5)
        ),
        samples.multipart_alternative(
            message_id="<autre@example.org>", sender="Jean Payet <jean.payet@example.org>", pdf=False
        ),
    )

    assert fetch(mailbox) == {EmailOutcome.CASE: 6}
    # Nothing lost: a case for each message, filed away.
    assert Case.objects.filter(email="marie.hoarau@example.org").count() == 5
    assert account.count("INBOX") == 0 and account.count("traites") == 6
    acknowledgements = OutgoingEmail.objects.filter(purpose="acknowledgement")
    assert acknowledgements.filter(to="marie.hoarau@example.org").count() == 2
    # Another sender is not held back by the first one's messages.
    assert acknowledgements.filter(to="jean.payet@example.org").count() == 1

    # A reply to one of the cases still joins its thread (replies are never acknowledged anyway).
    case = Case.objects.filter(email="marie.hoarau@example.org").earliest("created_at")
    account.deliver(
        samples.multipart_alternative(
            message_id="<rafale-reponse@example.org>", subject=f"Re: {case.reference}", text="Merci.", pdf=False
        )
    )
    assert fetch(mailbox) == {EmailOutcome.REPLY: 1}
    assert case.messages.filter(kind=MessageKind.CITIZEN, body="Merci.").exists()


def test_the_acknowledgements_come_back_once_the_window_has_passed(mailbox, reunion, settings):
    settings.QUALIPREF_MAILBOX_ACKNOWLEDGEMENTS = 1
    settings.QUALIPREF_MAILBOX_ACKNOWLEDGEMENT_HOURS = 24
    email_import(mailbox=mailbox, raw=samples.multipart_alternative(message_id="<a@example.org>", pdf=False))
    email_import(mailbox=mailbox, raw=samples.multipart_alternative(message_id="<b@example.org>", pdf=False))
    acknowledgements = OutgoingEmail.objects.filter(purpose="acknowledgement", to="marie.hoarau@example.org")
    assert Case.objects.count() == 2 and acknowledgements.count() == 1

    Case.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    email_import(mailbox=mailbox, raw=samples.multipart_alternative(message_id="<c@example.org>", pdf=False))
    assert Case.objects.count() == 3 and acknowledgements.count() == 2


def test_the_web_form_s_acknowledgement_is_not_limited_by_the_mailbox_s(mailbox, reunion, settings):
    """The limit is the mailbox intake's: cases filed online from the same address are acknowledged as before."""
    from complaints.services import case_submit

    settings.QUALIPREF_MAILBOX_ACKNOWLEDGEMENTS = 0
    email_import(mailbox=mailbox, raw=samples.multipart_alternative(message_id="<d@example.org>", pdf=False))
    data = {"kind": "complaint", "subject": "En ligne", "description": "Texte", "email": "marie.hoarau@example.org"}
    case_submit(prefecture=reunion, data=data)
    assert list(OutgoingEmail.objects.filter(purpose="acknowledgement").values_list("to", flat=True)) == [
        "marie.hoarau@example.org"
    ]
    assert Case.objects.count() == 2


def test_an_import_run_twice_gives_the_same_record(mailbox, reunion):
    raw = samples.multipart_alternative(message_id="<deux-fois@example.org>")
    first = email_import(mailbox=mailbox, raw=raw)
    second = email_import(mailbox=mailbox, raw=raw)
    assert first.pk == second.pk and Case.objects.count() == 1


def test_a_message_without_message_id_is_known_by_its_fingerprint(mailbox):
    raw = re.sub(rb"Message-ID: [^\r]+\r\n", b"", samples.latin1())
    first = email_import(mailbox=mailbox, raw=raw)
    assert first.message_id.startswith("sha256:") and email_import(mailbox=mailbox, raw=raw).pk == first.pk


# --- the mailbox's settings -----------------------------------------------------------------------------------


def test_a_wrong_password_is_noted_on_the_mailbox_and_loses_nothing(mailbox, account, monkeypatch):
    account.deliver(samples.latin1())
    monkeypatch.setenv(mailbox.password_variable, "wrong")
    with pytest.raises(MailboxError, match="login refused"):
        fetch(mailbox)
    mailbox.refresh_from_db()
    assert mailbox.last_error.startswith("login refused") and mailbox.last_fetched_at is not None
    monkeypatch.undo()


def test_a_certificate_from_an_unknown_authority_is_refused(mailbox, settings):
    settings.QUALIPREF_MAILBOX_CA_FILE = ""
    with pytest.raises(MailboxError, match="CERTIFICATE_VERIFY_FAILED"):
        fetch(mailbox)


def test_a_missing_password_variable_says_which(mailbox, monkeypatch):
    monkeypatch.delenv("QUALIPREF_MAILBOX_PASSWORD_974")
    with pytest.raises(ImproperlyConfigured, match="QUALIPREF_MAILBOX_PASSWORD_974"):
        fetch(mailbox)


def test_the_beat_task_reads_every_active_mailbox(mailbox, account):
    account.deliver(samples.latin1())
    assert read_mailboxes() == 1  # eager in tests: the mailbox's own task ran
    assert Case.objects.get().channel == Channel.EMAIL
    Mailbox.objects.update(is_active=False)
    assert read_mailboxes() == 0


def test_the_sample_command_delivers_a_message_that_becomes_a_case(mailbox, account, reunion):
    call_command("mailbox_deliver_sample", prefecture=reunion.department_code)
    assert account.count("INBOX") == 1
    call_command("mailbox_fetch", prefecture=reunion.department_code)
    case = Case.objects.get()
    assert case.channel == Channel.EMAIL and case.email and case.received_on == reunion.today()
    assert Attachment.objects.get(case=case).content_type == "image/png"
    assert RefusedAttachment.objects.get(case=case).name == "winmail.dat"
    assert account.count("traites") == 1


# --- the officers' side, the start-up check and the demo ------------------------------------------------------


def test_an_officer_sees_the_email_case_with_its_refused_files(client, reunion):
    case = CaseFactory(prefecture=reunion, channel=Channel.EMAIL)
    RefusedAttachment.objects.create(case=case, name="winmail.dat", size=2048, reason="« winmail.dat » refusé.")
    client.force_login(officer_of(reunion))
    page = client.get(reverse("admin:complaints_case_change", args=[case.pk])).content.decode()
    assert "Pièces reçues par courriel et refusées" in page and "winmail.dat" in page and "2,0\xa0Kio" in page
    assert "Courriel" in page


def test_the_mailbox_is_declared_by_the_national_coordinator_and_seen_by_officers(client, reunion):
    mailbox = Mailbox.objects.create(
        prefecture=reunion, address="qualite@reunion.gouv.fr", host="imap.example.org", username="qualite"
    )
    url = reverse("admin:complaints_mailbox_change", args=[mailbox.pk])
    client.force_login(officer_of(reunion))
    page = client.get(url)
    assert page.status_code == 200 and "QUALIPREF_MAILBOX_PASSWORD_974" in page.content.decode()
    assert client.post(url, {"host": "evil.example.org"}).status_code == 403
    client.force_login(coordinator())
    assert client.get(reverse("admin:complaints_mailbox_add")).status_code == 200


def test_a_read_mailbox_without_its_password_variable_is_a_start_up_warning(reunion, monkeypatch):
    mailbox = Mailbox.objects.create(
        prefecture=reunion, address="qualite@reunion.gouv.fr", host="imap.example.org", username="qualite"
    )
    monkeypatch.delenv("QUALIPREF_MAILBOX_PASSWORD_974", raising=False)
    [warning] = mailbox_password_check(None, databases=["default"])
    assert warning.id == "complaints.W001" and "QUALIPREF_MAILBOX_PASSWORD_974" in warning.msg
    monkeypatch.setenv("QUALIPREF_MAILBOX_PASSWORD_974", "secret")
    assert mailbox_password_check(None, databases=["default"]) == []
    monkeypatch.delenv("QUALIPREF_MAILBOX_PASSWORD_974")
    Mailbox.objects.filter(pk=mailbox.pk).update(is_active=False)
    assert mailbox_password_check(None, databases=["default"]) == []


def test_the_demo_declares_la_reunions_mailbox_without_needing_a_server(db):
    core_demo.load_prefectures()
    assert complaints_demo.load_mailbox() is True
    assert complaints_demo.load_mailbox() is False  # loaded twice: the same mailbox
    mailbox = Mailbox.objects.get()
    assert (mailbox.prefecture.department_code, mailbox.port, mailbox.is_active) == ("974", 10993, True)


def test_the_portals_own_acknowledgement_coming_back_is_not_a_case(mailbox, account, on_commit_immediately):
    account.deliver(samples.latin1())
    fetch(mailbox)
    [acknowledgement] = mail.outbox
    assert acknowledgement.extra_headers["Auto-Submitted"] == "auto-generated"
    account.deliver(acknowledgement.message().as_bytes())  # e.g. a citizen's forwarding rule sends it back
    assert fetch(mailbox) == {EmailOutcome.AUTO_REPLY: 1}
    assert Case.objects.count() == 1 and len(mail.outbox) == 1


def test_a_case_anonymised_forgets_the_names_of_its_refused_files(reunion):
    case = CaseFactory(prefecture=reunion, channel=Channel.EMAIL, status=Status.CLOSED)
    RefusedAttachment.objects.create(case=case, name="passeport-hoarau.zip", size=10, reason="refusé")
    _anonymise_batch([case.pk], timezone.now())
    assert not RefusedAttachment.objects.exists()


def test_the_mailbox_keeps_who_changed_its_server(reunion):
    mailbox = Mailbox.objects.create(
        prefecture=reunion, address="qualite@reunion.gouv.fr", host="imap.example.org", username="qualite"
    )
    mailbox.host = "imap2.example.org"
    mailbox.save()
    assert list(mailbox.history.values_list("host", flat=True)) == ["imap2.example.org", "imap.example.org"]
