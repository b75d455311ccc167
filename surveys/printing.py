"""What an officer prints for a distribution point: its QR code (SVG, PNG) and an A4 poster (PDF).

The QR code holds the point's short link, an absolute address on the portal's public address
(``qualipref.links.absolute_url``; the French one: the page offers English itself). The admin shows the same
address, the one the officer prints and hands on.
"""

import io
from pathlib import Path

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from qualipref.links import absolute_url

# Level Q restores a quarter of the code: a poster behind scratched plastic still scans.
ERROR_LEVEL = "q"


def short_url(point):
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("surveys:short_link", kwargs={"code": point.code})
    return absolute_url(path)


def qr_code(url):
    return segno.make(url, error=ERROR_LEVEL, micro=False, boost_error=False)


def qr_svg(url, *, title=""):
    buffer = io.BytesIO()
    qr_code(url).save(buffer, kind="svg", scale=10, border=4, title=title or url, xmldecl=True, svgclass=None)
    return buffer.getvalue()


def qr_png(url, *, scale=16):
    buffer = io.BytesIO()
    qr_code(url).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def _font_url(name):
    found = finders.find(f"dsfr/dist/fonts/{name}")
    return Path(found).as_uri() if found else ""


def poster_html(point):
    survey = point.survey
    url = short_url(point)
    return render_to_string(
        "surveys/poster.html",
        {
            "point": point,
            "survey": survey,
            "prefecture": survey.prefecture,
            "url": url,
            "display_url": url.split("://", 1)[-1],
            "qr_data_uri": qr_code(url).svg_data_uri(scale=10, border=4),
            "font_regular": _font_url("Marianne-Regular.woff2"),
            "font_bold": _font_url("Marianne-Bold.woff2"),
        },
    )


def poster_pdf(point):
    """An A4 poster in French with an English line, the QR code and the short link typed out."""
    # WeasyPrint loads Pango when imported: only the poster needs it.
    from weasyprint import HTML

    with translation.override(settings.LANGUAGE_CODE):
        html = poster_html(point)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
