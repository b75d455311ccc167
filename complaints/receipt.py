"""The citizen's receipt: a PDF of what they filed — their message, the documents' names, the date of receipt and
the date an answer is due — downloaded from the tracking page (``/suivi/<token>/recu.pdf``).

WeasyPrint reads only our static files (``qualipref/pdf.py``): the citizen's text is escaped by the template and
never fetched."""

from django.template.loader import render_to_string
from django.utils import timezone

from qualipref.timezones import prefecture_time, zone_name


def receipt_html(case):
    """The receipt's HTML, in the active language; times in the prefecture's zone, named."""
    from qualipref.pdf import static_url

    with prefecture_time(case.prefecture):
        return render_to_string(
            "complaints/receipt.html",
            {
                "case": case,
                "prefecture": case.prefecture,
                # What the citizen sent with the request itself, not the documents added later by either side.
                "documents": case.attachments.filter(uploaded_by_citizen=True, message__isnull=True).order_by("pk"),
                "printed_at": timezone.now(),
                "zone": zone_name(case.prefecture.tzinfo),
                "css_url": static_url("complaints/receipt.css"),
            },
        )


def receipt_pdf(case):
    """The receipt as PDF bytes. WeasyPrint is loaded here, for those who ask for a receipt only."""
    from qualipref.pdf import render_pdf

    pdf, _pages = render_pdf(receipt_html(case))
    return pdf
