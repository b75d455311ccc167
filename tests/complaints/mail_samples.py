"""Real e-mails, as mail programs and servers write them, for the e-mail intake's tests (delivered by IMAP APPEND).

Each builder returns the message's bytes; ``sent`` (an aware datetime) is its Date header.
"""

import base64
import datetime
import io
import quopri
import zipfile
from email.header import Header
from email.utils import format_datetime, make_msgid

from tests.samples import PDF_BYTES

PARIS = datetime.timezone(datetime.timedelta(hours=1))


def _date(sent):
    return format_datetime(sent or datetime.datetime.now(PARIS) - datetime.timedelta(days=2))


def _b64(content):
    encoded = base64.b64encode(content).decode()
    return "\r\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))


def _crlf(text):
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("ascii")


def multipart_alternative(
    *, sent=None, message_id=None, sender="Marie Hoarau <marie.hoarau@example.org>", subject=None, text=None, pdf=True
):
    """Thunderbird's way: text and HTML alternatives (UTF-8), and a PDF attached."""
    subject = subject or "Attente interminable au guichet des titres de séjour"
    text = text or (
        "Bonjour,\n\nJ'ai attendu trois heures au guichet le 28 novembre.\nPersonne ne m'a renseignée.\n\nMarie Hoarau"
    )
    attachment = (
        "--outer\n"
        'Content-Type: application/pdf; name="convocation.pdf"\n'
        'Content-Disposition: attachment; filename="convocation.pdf"\n'
        "Content-Transfer-Encoding: base64\n\n"
        f"{_b64(PDF_BYTES)}\n"
        if pdf
        else ""
    )
    return _crlf(
        "Return-Path: <marie.hoarau@example.org>\n"
        f"Received: from mx.example.org (mx.example.org [192.0.2.10]) by mail.reunion.gouv.fr; {_date(sent)}\n"
        f"From: {sender}\n"
        "To: qualite@reunion.gouv.fr\n"
        f"Subject: {Header(subject, 'utf-8').encode()}\n"
        f"Date: {_date(sent)}\n"
        f"Message-ID: {message_id or make_msgid(domain='example.org')}\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="outer"\n\n'
        "This is a multi-part message in MIME format.\n"
        "--outer\n"
        'Content-Type: multipart/alternative; boundary="alt"\n\n'
        "--alt\n"
        "Content-Type: text/plain; charset=UTF-8; format=flowed\n"
        "Content-Transfer-Encoding: base64\n\n"
        f"{_b64(text.encode())}\n"
        "--alt\n"
        "Content-Type: text/html; charset=UTF-8\n"
        "Content-Transfer-Encoding: 7bit\n\n"
        "<html><body><p>Version HTML du message</p></body></html>\n"
        "--alt--\n\n"
        f"{attachment}"
        "--outer--\n"
    )


def html_only(*, sent=None):
    """A webmail's HTML-only message, with a style, a script and entities."""
    return _crlf(
        "From: =?UTF-8?Q?Jean_Payet?= <jean.payet@example.org>\n"
        "To: qualite@reunion.gouv.fr\n"
        "Subject: Rendez-vous introuvable\n"
        f"Date: {_date(sent)}\n"
        f"Message-ID: {make_msgid(domain='webmail.example.org')}\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/html; charset=UTF-8\n"
        "Content-Transfer-Encoding: quoted-printable\n\n"
        "<html><head><title>Message</title><style>p {color: red}</style></head><body>\n"
        "<p>Bonjour,</p><p>Impossible de prendre rendez-vous sur le site&nbsp;: la page =\n"
        "reste blanche &amp; rien ne s'affiche.</p><script>alert('x')</script>\n"
        '<p>Voir <a href=3D"https://www.example.org/capture">ma capture</a>.</p><div>Jean Payet</div>\n'
        "</body></html>\n"
    )


def latin1(*, sent=None):
    """An old mail program's message: ISO-8859-1 headers (RFC 2047) and body (quoted-printable)."""
    body = (
        "Bonjour,\n\nJ'ai déposé mon dossier à l'accueil il y a deux mois : aucune réponse.\n"
        "Cordialement,\nGérard Hoarau"
    )
    quoted = body.encode("iso-8859-1")
    return (
        b"From: =?ISO-8859-1?Q?G=E9rard_Hoarau?= <gerard.hoarau@example.fr>\r\n"
        b"To: qualite@reunion.gouv.fr\r\n"
        b"Subject: =?ISO-8859-1?Q?Dossier_d=E9pos=E9_sans_r=E9ponse_=E0_l'accueil?=\r\n"
        + f"Date: {_date(sent)}\r\n".encode()
        + f"Message-ID: {make_msgid(domain='example.fr')}\r\n".encode()
        + b"MIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=ISO-8859-1\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        + quopri.encodestring(quoted).replace(b"\n", b"\r\n")
        + b"\r\n"
    )


def with_attachment(name, content_type, content, *, subject="Pièces de mon dossier", sent=None):
    """A message from Outlook carrying one file."""
    return _crlf(
        "From: Paul Grondin <paul.grondin@example.org>\n"
        "To: qualite@reunion.gouv.fr\n"
        f"Subject: =?UTF-8?B?{base64.b64encode(subject.encode()).decode()}?=\n"
        f"Date: {_date(sent)}\n"
        f"Message-ID: {make_msgid(domain='outlook.example.org')}\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="_002_"\n\n'
        "--_002_\n"
        'Content-Type: text/plain; charset="us-ascii"\n\n'
        "Bonjour, voici les pieces demandees.\n\n"
        "--_002_\n"
        f'Content-Type: {content_type}; name="{name}"\n'
        f'Content-Disposition: attachment; filename="{name}"\n'
        "Content-Transfer-Encoding: base64\n\n"
        f"{_b64(content)}\n"
        "--_002_--\n"
    )


def winmail_dat():
    """Outlook's rich text as a TNEF file (winmail.dat): its signature, a version attribute, a message class."""
    tnef = b"\x78\x9f\x3e\x22" + b"\x01\x00" + b"\x01\x06\x90\x08\x00\x04\x00\x00\x00\x00\x00\x01\x00\x01\x00"
    tnef += b"\x01\x07\x80\x06\x00\x10\x00\x00\x00IPM.Microsoft Mail.Note\x00" + b"\x00" * 64
    return with_attachment("winmail.dat", "application/ms-tnef", tnef, subject="Réclamation (Outlook)")


def twenty_megabytes():
    content = PDF_BYTES + b"%" + b"0" * (20 * 1024 * 1024)
    return with_attachment("scan-complet.pdf", "application/pdf", content, subject="Mon dossier scanné")


def zip_bomb():
    """A zip of 100 MB of zeros, a few hundred kilobytes compressed."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("dossier.pdf", b"\x00" * (100 * 1024 * 1024))
    return with_attachment("dossier.zip", "application/zip", out.getvalue(), subject="Dossier compressé")


def automatic(extra_headers, *, sender="Marie Hoarau <marie.hoarau@example.org>", content_type="text/plain"):
    """A message with ``extra_headers`` (lines), as an autoresponder or a mail server sends."""
    return _crlf(
        f"{extra_headers}"
        f"From: {sender}\n"
        "To: qualite@reunion.gouv.fr\n"
        "Subject: Absence du bureau\n"
        f"Date: {_date(None)}\n"
        f"Message-ID: {make_msgid(domain='example.org')}\n"
        "MIME-Version: 1.0\n"
        f"Content-Type: {content_type}\n\n"
        "Je suis absente jusqu'au 15 decembre.\n"
    )


def bounce():
    """Postfix's delivery status notification (RFC 3464), from MAILER-DAEMON with an empty Return-Path."""
    return _crlf(
        "Return-Path: <>\n"
        "From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\n"
        "To: qualite@reunion.gouv.fr\n"
        "Subject: Undelivered Mail Returned to Sender\n"
        f"Date: {_date(None)}\n"
        f"Message-ID: {make_msgid(domain='mx.example.org')}\n"
        "Auto-Submitted: auto-replied\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
        "--B\n"
        "Content-Type: text/plain\n\n"
        "This is the mail system at host mx.example.org. I'm sorry to have to inform you that your message\n"
        "could not be delivered to one or more recipients.\n\n"
        "--B\n"
        "Content-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; inconnu@example.org\nAction: failed\n"
        "Status: 5.1.1\n\n"
        "--B--\n"
    )


def bare_bounce():
    """A bounce without the usual markers but its empty Return-Path (RFC 5321: a notification's null sender)."""
    return automatic("Return-Path: <>\n", sender="Systeme de messagerie <postmaster@example.org>")
