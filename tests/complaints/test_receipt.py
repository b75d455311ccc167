"""The citizen's receipt: a PDF of what they filed, from the tracking page, for the link's holder only."""

import io
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils.formats import date_format
from pypdf import PdfReader

from complaints.receipt import receipt_html
from complaints.tracking_links import tracking_token_issue

from .factories import CaseFactory
from .test_public import file_and_follow, pdf


def text_of(content):
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def test_the_receipt_holds_what_the_citizen_sent(client, reunion):
    case, url = file_and_follow(client, reunion, description="J'ai attendu trois heures <b>au guichet</b>.")
    case.refresh_from_db()
    page = client.get(url).content.decode()
    receipt_url = reverse("complaints:tracking_receipt", args=[url.split("/")[2]])
    assert f'href="{receipt_url}"' in page
    response = client.get(receipt_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="recu-{case.reference}.pdf"'
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    text = text_of(response.content)
    assert f"Accusé de dépôt de votre demande {case.reference}" in text
    assert "J'ai attendu trois heures <b>au guichet</b>." in text  # as typed, never markup
    assert f"Date de réception {date_format(case.received_on)}" in text
    assert f"Date limite de réponse {date_format(case.due_on)}" in text


def test_the_receipt_lists_the_documents_sent_with_the_request(client, reunion):
    case, url = file_and_follow(client, reunion, attachments=[pdf("justificatif.pdf")])
    html = receipt_html(case)
    assert "justificatif.pdf" in html
    # The page's stylesheet and fonts come from our static files, nothing else.
    assert re.findall(r'href="([^"]+)"', html) == ["static:complaints/receipt.css"]


def test_a_wrong_link_gets_no_receipt(client, reunion):
    case = CaseFactory(prefecture=reunion)
    other = CaseFactory(prefecture=reunion, description="Le message de quelqu'un d'autre")
    token = tracking_token_issue(case=case)
    tracking_token_issue(case=other)
    assert client.get(reverse("complaints:tracking_receipt", args=["x" * 43])).status_code == 404
    assert "quelqu'un d'autre" not in text_of(client.get(reverse("complaints:tracking_receipt", args=[token])).content)


def test_receipts_are_limited_per_address(client, reunion, settings):
    cache.clear()
    case = CaseFactory(prefecture=reunion)
    url = reverse("complaints:tracking_receipt", args=[tracking_token_issue(case=case)])
    for _ in range(20):
        assert client.get(url, REMOTE_ADDR="198.51.100.20").status_code == 200
    limited = client.get(url, REMOTE_ADDR="198.51.100.20")
    assert limited.status_code == 429
    assert "Trop de demandes" in limited.content.decode()
    assert client.get(url, REMOTE_ADDR="198.51.100.21").status_code == 200


@pytest.mark.parametrize("language", ["en"])
def test_the_receipt_follows_the_pages_language(client, reunion, language):
    case = CaseFactory(prefecture=reunion)
    url = reverse("complaints:tracking_receipt", args=[tracking_token_issue(case=case)])
    assert f"Receipt of your request {case.reference}" in text_of(client.get(f"/{language}{url}").content)
