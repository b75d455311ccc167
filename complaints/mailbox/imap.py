"""A prefecture's mailbox over IMAP with TLS (the standard library's ``imaplib``): log in with the password from the
environment, list the messages of the folder read, fetch one without marking it read, file it away in a folder."""

import contextlib
import datetime
import imaplib
import os
import re
import ssl

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

FETCHED = re.compile(rb"RFC822\.SIZE (\d+)|INTERNALDATE \"([^\"]+)\"")


class MailboxError(Exception):
    """The mailbox could not be read (server unreachable, login refused, folder missing…): nothing was lost."""


def mailbox_password(mailbox):
    password = os.environ.get(mailbox.password_variable, "")
    if not password:
        raise ImproperlyConfigured(f"{mailbox.password_variable} is not set: the mailbox cannot be read.")
    return password


def tls_context():
    """Certificates checked against the system's authorities, or those of ``QUALIPREF_MAILBOX_CA_FILE``."""
    return ssl.create_default_context(cafile=settings.QUALIPREF_MAILBOX_CA_FILE or None)


@contextlib.contextmanager
def imap_session(mailbox):
    """A logged-in IMAP connection to ``mailbox``, its folder read selected (read-write), logged out at the end."""
    password = mailbox_password(mailbox)
    try:
        imap = imaplib.IMAP4_SSL(
            mailbox.host, mailbox.port, ssl_context=tls_context(), timeout=settings.QUALIPREF_MAILBOX_TIMEOUT
        )
    except (OSError, imaplib.IMAP4.error) as error:
        raise MailboxError(f"cannot reach {mailbox.host}:{mailbox.port} ({type(error).__name__}: {error})") from None
    try:
        try:
            imap.login(mailbox.username, password)
        except imaplib.IMAP4.error as error:
            raise MailboxError(f"login refused ({error})") from None
        _check(imap.select(_quoted(mailbox.folder)), f"cannot open the folder {mailbox.folder}")
        yield imap
    except (OSError, imaplib.IMAP4.abort) as error:
        raise MailboxError(f"connection lost ({type(error).__name__}: {error})") from None
    except imaplib.IMAP4.error as error:  # a command the server found malformed ("BAD")
        raise MailboxError(f"refused by the server ({error})"[:300]) from None
    finally:
        with contextlib.suppress(Exception):
            imap.logout()


def _quoted(folder):
    # Folder names are checked on the model (complaints.models.imap_folder_name): no quote nor backslash inside.
    return f'"{folder}"'


def _check(answer, what):
    status, data = answer
    if status != "OK":
        raise MailboxError(f"{what}: {data!r}"[:300])
    return data


def folders_create(imap, *folders):
    """Create the folders messages are filed in, if missing (an existing folder answers NO, which is fine)."""
    for folder in folders:
        imap.create(_quoted(folder))


def message_uids(imap):
    """The UIDs of the messages in the selected folder, oldest first."""
    data = _check(imap.uid("SEARCH", None, "ALL"), "cannot list the messages")
    return [uid.decode() for uid in (data[0] or b"").split()]


def message_fetch(imap, uid, *, max_bytes, headers_if_larger=False):
    """``(size, arrived_at, raw)`` of message ``uid``, left unread. A message larger than ``max_bytes`` comes as its
    headers only if ``headers_if_larger``, else ``raw`` is None; a message gone meanwhile gives ``(0, None, None)``."""
    data = _check(imap.uid("FETCH", uid, "(RFC822.SIZE INTERNALDATE)"), "cannot read a message")
    size, arrived_at = 0, None
    for item in data:
        envelope = item[0] if isinstance(item, tuple) else item
        for found_size, found_date in FETCHED.findall(envelope or b""):
            if found_size:
                size = int(found_size)
            if found_date:
                arrived_at = datetime.datetime.strptime(found_date.decode(), "%d-%b-%Y %H:%M:%S %z")
    if not size or (size > max_bytes and not headers_if_larger):
        return size, arrived_at, None
    part = "BODY.PEEK[]" if size <= max_bytes else "BODY.PEEK[HEADER]"
    data = _check(imap.uid("FETCH", uid, f"({part})"), "cannot read a message")
    raw = next((item[1] for item in data if isinstance(item, tuple)), None)
    return size, arrived_at, raw


def message_move(imap, uid, folder):
    """File message ``uid`` in ``folder``: MOVE (RFC 6851) if the server has it, else copy, delete and expunge."""
    status, capabilities = imap.capability()
    if status == "OK" and b"MOVE" in b" ".join(capabilities).split():
        _check(imap.uid("MOVE", uid, _quoted(folder)), f"cannot move a message to {folder}")
        return
    _check(imap.uid("COPY", uid, _quoted(folder)), f"cannot copy a message to {folder}")
    _check(imap.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)"), "cannot delete a message")
    _check(imap.expunge(), "cannot expunge")


def message_append(imap, folder, raw):
    """Put ``raw`` in ``folder`` as a new unread message (the sample command; the tests deliver this way too)."""
    _check(imap.append(_quoted(folder), None, None, raw), f"cannot deliver to {folder}")
