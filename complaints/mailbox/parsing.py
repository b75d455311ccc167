"""An e-mail read from a mailbox, as the intake needs it: who sent it, when, about what, its text (HTML turned into
plain text), its files, and whether a person wrote it (not an automatic reply, a bounce or a mail loop).

Parsed by the standard library (``email``, with the modern policy: RFC 2047 headers and every charset decoded). HTML
becomes text through ``html.parser`` — the text is stored and always shown escaped, never the HTML itself.
"""

import datetime
import email
import email.policy
import hashlib
import html.parser
import re
from dataclasses import dataclass, field
from email.utils import getaddresses, parseaddr

from django.conf import settings
from django.core.validators import validate_email
from django.utils import timezone

from ..enums import EmailOutcome

# Precedence values set by automatic senders (RFC 3834 section 2, and what mailing lists and vacation programs use).
AUTOMATIC_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
# Headers that vacation and autoresponder programs add to what they send.
AUTORESPONDER_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Reply")
BOUNCE_SENDERS = {"mailer-daemon"}
# More hops than this is a message going round in circles (Postfix gives up at 50).
MAX_RECEIVED = 30
# Parts of a delivery report that describe it rather than carry a file.
NOT_FILES = {"message/delivery-status", "message/disposition-notification"}


@dataclass
class IncomingFile:
    name: str
    content_type: str
    content: bytes


@dataclass
class IncomingEmail:
    message_id: str
    sender_name: str
    sender_address: str
    subject: str
    sent_at: datetime.datetime | None
    text: str
    files: list = field(default_factory=list)
    ignored_because: str = ""  # an EmailOutcome (automatic reply, bounce, loop) when no person wrote it


def email_parse(raw, *, own_addresses=()):
    """``raw`` (bytes of an RFC 5322 message) as an ``IncomingEmail``; ``own_addresses``: the portal's own addresses
    (a message from one of them is a loop)."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    name, address = _sender(message)
    return IncomingEmail(
        message_id=_message_id(message, raw),
        sender_name=name,
        sender_address=address,
        subject=" ".join(_header(message, "Subject").split()),
        sent_at=_date(message),
        text=_text(message),
        files=list(_files(message)),
        ignored_because=_ignored_because(message, address, own_addresses),
    )


def _header(message, name):
    """A header's decoded text, or "" (a header too broken to parse counts as missing)."""
    try:
        value = message.get(name)
        return str(value) if value is not None else ""
    except (ValueError, TypeError, IndexError, LookupError):
        return ""


def _message_id(message, raw):
    """The Message-ID as sent, or a fingerprint of the message for one without (the same message read twice gives
    the same fingerprint); a very long one is fingerprinted too, to fit its column."""
    value = _header(message, "Message-ID").strip()
    if value and len(value) <= 200:
        return value
    return f"sha256:{hashlib.sha256(value.encode() if value else raw).hexdigest()}"


def _sender(message):
    """The From's display name and address (lower case), the address "" when it is not a valid one."""
    raw_from = _header(message, "From")
    name, address = parseaddr(raw_from)
    address = address.strip().lower()
    try:
        validate_email(address)
    except Exception:
        address = ""
    return " ".join(name.split())[:150], address


def _date(message):
    try:
        sent_at = message["Date"].datetime if message["Date"] is not None else None
    except (AttributeError, ValueError, TypeError, IndexError):
        return None
    if sent_at is None:
        return None
    if timezone.is_naive(sent_at):  # "-0000": the time is UTC, the sender's zone unknown (RFC 5322 section 3.3)
        sent_at = sent_at.replace(tzinfo=datetime.UTC)
    return sent_at


def _ignored_because(message, sender_address, own_addresses):
    """Why no person wrote ``message`` (an ``EmailOutcome``), or "" when one did."""
    return_path = message.get("Return-Path")
    if (
        message.get_content_type() == "multipart/report"
        or sender_address.partition("@")[0] in BOUNCE_SENDERS
        or _header(message, "From").strip().lower().startswith("mailer-daemon")
        or (return_path is not None and _header(message, "Return-Path").strip() in {"", "<>"})
    ):
        return EmailOutcome.BOUNCE
    auto_submitted = _header(message, "Auto-Submitted").strip().lower()
    precedence = {_header(message, name).strip().lower() for name in ("Precedence", "X-Precedence")}
    if (
        (auto_submitted and auto_submitted != "no")
        or precedence & AUTOMATIC_PRECEDENCE
        or any(message.get(name) is not None for name in AUTORESPONDER_HEADERS)
    ):
        return EmailOutcome.AUTO_REPLY
    # The mail server's spam filter (SpamAssassin, rspamd) marks what it lets through to the mailbox.
    if _header(message, "X-Spam-Flag").strip().lower() == "yes" or re.match(
        r"\s*yes\b", _header(message, "X-Spam-Status"), re.IGNORECASE
    ):
        return EmailOutcome.SPAM
    own = {address.lower() for address in own_addresses if address}
    loops = {address.lower() for _name, address in getaddresses(message.get_all("X-Loop") or [])}
    if (
        (sender_address and sender_address in own)
        or loops & own
        or len(message.get_all("Received") or []) > MAX_RECEIVED
    ):
        return EmailOutcome.LOOP
    return ""


def portal_addresses():
    """The addresses the portal sends from: a message coming from one of them went round in a loop."""
    return {parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower(), parseaddr(settings.SERVER_EMAIL)[1].lower()} - {""}


# --- the text ----------------------------------------------------------------------------------------------


def _text(message):
    """The message's text: its plain text part, else its HTML part turned into text."""
    try:
        body = message.get_body(preferencelist=("plain", "html"))
        if body is None:
            return ""
        content = body.get_content()
    except (LookupError, ValueError, KeyError, AttributeError):  # unknown charset, broken encoding
        return ""
    if not isinstance(content, str):
        return ""
    if body.get_content_subtype() == "html":
        content = html_to_text(content)
    return _tidy(content)


def _tidy(text):
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


class _TextExtractor(html.parser.HTMLParser):
    """The words of an HTML document as a reader sees them: scripts, styles and the head left out, a line break
    for each block, links' addresses kept after their text."""

    SKIPPED = {"script", "style", "head", "title", "template", "noscript"}
    BLOCKS = {
        "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table",
        "section", "article", "header", "footer", "ul", "ol", "hr",
    }  # fmt: skip

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.skipping = 0
        self.link = None

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag == "a":
            self.link = dict(attrs).get("href") or None

    def handle_startendtag(self, tag, attrs):
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag == "a" and self.link:
            if self.link.startswith(("http://", "https://")):
                self.parts.append(f" ({self.link})")
            self.link = None

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(content):
    extractor = _TextExtractor()
    extractor.feed(content)
    extractor.close()
    return _tidy("\n".join(line.strip() for line in "".join(extractor.parts).split("\n")))


# --- the files -----------------------------------------------------------------------------------------------


def _files(message):
    """Every part that is not the text read: attachments, and files sent inline (a photo pasted in the message)."""
    try:
        body = message.get_body(preferencelist=("plain", "html"))
    except (LookupError, ValueError, KeyError):
        body = None
    for number, part in enumerate(message.walk(), start=1):
        if part is body or part.get_content_maintype() == "multipart" or part.get_content_type() in NOT_FILES:
            continue
        if part.get_content_maintype() == "text" and not _file_name(part) and not part.is_attachment():
            continue  # the other alternative of the text (its HTML), not a file
        try:
            content = part.get_payload(decode=True) or b""
        except (ValueError, TypeError):
            content = b""
        name = _file_name(part) or f"piece-jointe-{number}"
        yield IncomingFile(name=name[:255], content_type=part.get_content_type(), content=content)


def _file_name(part):
    try:
        return part.get_filename() or ""
    except (ValueError, TypeError, IndexError, LookupError):
        return ""
