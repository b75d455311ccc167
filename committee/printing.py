"""A meeting's documents as PDF, from what the meeting holds: its agenda, and after it its attendance and minutes."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from .enums import Attendance, DocumentKind


def meeting_document_html(meeting, *, title, kind, figures=()):
    """The document's HTML: the meeting, optional key ``figures`` (``(label, value)`` pairs), the agenda, and for
    the minutes who was there and what was said."""
    invitations = meeting.invitations.select_related("member").order_by("member__last_name", "member__first_name")
    attendance = {Attendance.PRESENT: [], Attendance.EXCUSED: [], Attendance.ABSENT: []}
    for invitation in invitations:
        attendance.get(invitation.attendance, []).append(invitation.member)
    return render_to_string(
        "committee/meeting_document.html",
        {
            "title": title,
            "meeting": meeting,
            "committee": meeting.committee,
            "prefecture": meeting.committee.prefecture,
            "figures": figures,
            "agenda": meeting.agenda_items.order_by("position"),
            "is_minutes": kind == DocumentKind.MINUTES,
            "present": attendance[Attendance.PRESENT],
            "excused": attendance[Attendance.EXCUSED],
            "absent": attendance[Attendance.ABSENT],
        },
    )


def meeting_document_pdf(meeting, *, title, kind, figures=()):
    """An A4 PDF in French (the committee's language) of the meeting's agenda or minutes."""
    # WeasyPrint loads Pango when imported: only the documents need it.
    from weasyprint import HTML

    with translation.override(settings.LANGUAGE_CODE):
        html = meeting_document_html(meeting, title=title, kind=kind, figures=figures)
    return HTML(string=html).write_pdf()
