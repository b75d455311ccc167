"""Calendar invitations (iCalendar, RFC 5545), written by hand: one event, a few properties.

Written here rather than with a library: an invitation holds a single VEVENT, and what matters
(escaping of text values, 75-octet line folding without cutting a UTF-8 character, CRLF line ends,
a UID stable per meeting so that an update or a cancellation replaces the event already in the
calendar) fits in a page. Times are written in UTC (``…Z``), which every client converts to its
user's zone: La Réunion's 9:30 is 05:30Z, shown as 9:30 in Saint-Denis and 6:30 in Paris in winter.
"""

import datetime
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse

from qualipref.links import absolute_url

from .enums import MeetingStatus

CRLF = "\r\n"


def escape_text(value):
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and new lines escaped."""
    value = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def param_value(value):
    """A parameter value (§3.2): quoted when it holds ``:;,``; double quotes and controls cannot appear."""
    value = "".join(ch for ch in str(value) if ch != '"' and ch >= " ")
    return f'"{value}"' if any(ch in value for ch in ":;,") else value


def fold(line):
    """Fold a content line at 75 octets (§3.1), never inside a UTF-8 character."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, start, limit = [], 0, 75
    while start < len(encoded):
        end = min(start + limit, len(encoded))
        while end < len(encoded) and (encoded[end] & 0xC0) == 0x80:  # a continuation byte: step back
            end -= 1
        parts.append(encoded[start:end].decode())
        start, limit = end, 74  # continuation lines start with a space
    return (CRLF + " ").join(parts)


def utc_stamp(moment):
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def meeting_uid(meeting):
    host = urlsplit(settings.QUALIPREF_BASE_URL).hostname or "qualipref"
    return f"committee-meeting-{meeting.pk}@{host}"


def organizer_address(meeting):
    prefecture = meeting.committee.prefecture
    return prefecture.contact_email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def meeting_url(meeting):
    return absolute_url(reverse("committee:meeting", kwargs={"pk": meeting.pk}))


def meeting_ics(*, meeting, attendee=None, description="", now=None):
    """The ``.ics`` text inviting ``attendee`` (a ``Member``) to ``meeting``, or cancelling it."""
    cancelled = meeting.status == MeetingStatus.CANCELLED
    prefecture = meeting.committee.prefecture
    location = meeting.place or meeting.video_url
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Qualipref//Comite des usagers//FR",
        "CALSCALE:GREGORIAN",
        f"METHOD:{'CANCEL' if cancelled else 'REQUEST'}",
        "BEGIN:VEVENT",
        f"UID:{meeting_uid(meeting)}",
        f"SEQUENCE:{meeting.sequence}",
        f"DTSTAMP:{utc_stamp(now or datetime.datetime.now(datetime.UTC))}",
        f"DTSTART:{utc_stamp(meeting.starts_at)}",
        f"DTEND:{utc_stamp(meeting.ends_at)}",
        f"SUMMARY:{escape_text(meeting.title)}",
    ]
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    lines.append(f"URL:{meeting.video_url or meeting_url(meeting)}")
    if description:
        lines.append(f"DESCRIPTION:{escape_text(description)}")
    lines.append(f"ORGANIZER;CN={param_value(prefecture.name)}:mailto:{organizer_address(meeting)}")
    if attendee is not None and attendee.email:
        lines.append(
            f"ATTENDEE;CN={param_value(attendee.full_name)};ROLE=REQ-PARTICIPANT;"
            f"PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:{attendee.email}"
        )
    lines += [f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}", "END:VEVENT", "END:VCALENDAR"]
    return CRLF.join(fold(line) for line in lines) + CRLF
