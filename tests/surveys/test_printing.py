"""QR codes and posters: what is printed must scan to the point's short link."""

import base64
import io
import re
import urllib.parse
import xml.etree.ElementTree as ET

import pytest
import zxingcpp
from django.urls import reverse
from PIL import Image, ImageDraw
from pypdf import PdfReader

from surveys import printing
from tests.qualipref.factories import officer_of

SVG = "{http://www.w3.org/2000/svg}"


def decode(image):
    """The text of the QR code in ``image``, read by an independent decoder (zxing-cpp)."""
    return [result.text for result in zxingcpp.read_barcodes(image)]


def rasterize_segno_svg(svg_bytes, pixels_per_module=8):
    """Draw segno's SVG path (horizontal strokes: ``M x y``, ``h n``, ``m dx dy``) as a bitmap."""
    root = ET.fromstring(svg_bytes)
    path = root.find(f"{SVG}path")
    size = int(float(root.get("width")) / 10)  # scale(10): width is in tenths of a module
    image = Image.new("L", (size * pixels_per_module, size * pixels_per_module), 255)
    draw = ImageDraw.Draw(image)
    x = y = 0.0
    for command, numbers in re.findall(r"([MmHh])([-\d.\s]+)", path.get("d")):
        values = [float(v) for v in numbers.split()]
        if command == "M":
            x, y = values
        elif command == "m":
            x, y = x + values[0], y + values[1]
        else:
            length = values[0]
            top = (y - 0.5) * pixels_per_module
            draw.rectangle(
                [x * pixels_per_module, top, (x + length) * pixels_per_module - 1, top + pixels_per_module - 1],
                fill=0,
            )
            x += length
    return image


@pytest.fixture
def officer_client(client, reunion):
    client.force_login(officer_of(reunion))
    return client


def test_the_short_url_is_absolute_and_short(point, settings):
    settings.QUALIPREF_BASE_URL = "https://qualipref.example.gouv.fr"
    assert printing.short_url(point) == f"https://qualipref.example.gouv.fr/e/{point.code}/"


def test_the_png_qr_code_scans_to_the_short_link(officer_client, point):
    response = officer_client.get(reverse("admin:surveys_distributionpoint_qr_png", args=[point.pk]))
    assert response["Content-Type"] == "image/png"
    assert "attachment" in response["Content-Disposition"]
    assert decode(Image.open(io.BytesIO(response.content))) == [printing.short_url(point)]


def test_the_svg_qr_code_is_valid_and_scans_to_the_short_link(officer_client, point):
    response = officer_client.get(reverse("admin:surveys_distributionpoint_qr_svg", args=[point.pk]))
    assert response["Content-Type"] == "image/svg+xml"
    root = ET.fromstring(response.content)
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title").text == point.survey.title
    assert decode(rasterize_segno_svg(response.content)) == [printing.short_url(point)]


def test_the_qr_code_on_the_poster_scans_to_the_short_link(point):
    html = printing.poster_html(point)
    data_uri = re.search(r'src="(data:image/svg\+xml[^"]+)"', html).group(1)
    header, payload = data_uri.split(",", 1)
    svg = base64.b64decode(payload) if header.endswith(";base64") else urllib.parse.unquote(payload).encode()
    assert decode(rasterize_segno_svg(svg)) == [printing.short_url(point)]


def test_the_poster_is_one_a4_page_with_the_address_typed_out(officer_client, point):
    response = officer_client.get(reverse("admin:surveys_distributionpoint_poster", args=[point.pk]))
    assert response["Content-Type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(response.content))
    assert len(pdf.pages) == 1
    page = pdf.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)  # A4 in points
    text = " ".join(page.extract_text().split())
    assert f"/e/{point.code}/" in text
    assert point.survey.title in text
    assert point.name in text
