"""WeasyPrint reads our static files and data: URIs, and nothing else: no network, no other file."""

import pytest

from qualipref.pdf import RefusedURL, StaticOnlyFetcher, render_pdf


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/x.png",
        "https://example.org/x.css",
        "ftp://example.org/x",
        "file:///etc/passwd",
        "static:../../../etc/passwd",
        "static:reports/../../config/settings.py",
        "static:/etc/passwd",
        "static:",
    ],
)
def test_fetcher_refuses_anything_but_our_static_files(url):
    with pytest.raises(RefusedURL):
        StaticOnlyFetcher().fetch(url)


def test_fetcher_serves_the_report_stylesheet_and_data_uris():
    fetcher = StaticOnlyFetcher()
    css = fetcher.fetch("static:reports/report.css")
    assert b"@page" in css.read()
    assert fetcher.fetch("data:text/plain;base64,b2s=").read() == b"ok"


def test_a_remote_image_in_the_html_is_never_fetched(monkeypatch):
    import urllib.request

    def no_network(*args, **kwargs):
        raise AssertionError("the network was used")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_network)
    fetcher = StaticOnlyFetcher()
    html = (
        '<html><body><p>x</p><img src="http://example.org/x.png">'
        '<link rel="stylesheet" href="https://example.org/evil.css">'
        '<img src="file:///etc/passwd"></body></html>'
    )
    pdf, pages = render_pdf(html, fetcher=fetcher)
    assert pdf.startswith(b"%PDF") and pages == 1
    assert fetcher.fetched == []
