"""Every PDF the portal renders from its own HTML (audit reports, the citizen's receipt) goes through
``render_pdf``, and WeasyPrint may then read our static files from disk and data: URIs, nothing else.

Templates name static files ``static:reports/report.css``; the file is looked up by Django's static
finders (``STATICFILES_DIRS``, the apps' static folders) or under ``STATIC_ROOT``. Any other address —
``http(s):``, ``file:``, ``ftp:``, a relative path — is refused, so a URL typed by a citizen or an officer
can never make the server open a connection or read a file of its disk.
"""

import logging
import mimetypes
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

STATIC_SCHEME = "static:"


class RefusedURL(ValueError):
    pass


def static_url(path):
    """The address a report template gives WeasyPrint for one of our static files."""
    return f"{STATIC_SCHEME}{path}"


def find_static(path):
    """The file on disk for a static ``path``, or ``None``: never outside the static folders."""
    path = path.lstrip("/")
    if not path or "\\" in path or any(part in {"", ".", ".."} for part in path.split("/")):
        return None
    try:
        found = finders.find(path)
    except SuspiciousFileOperation:
        return None
    if found:
        return Path(found)
    if settings.STATIC_ROOT:
        root = Path(settings.STATIC_ROOT).resolve()
        candidate = (root / path).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return candidate
    return None


class StaticOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that never touches the network nor any file outside the static folders."""

    def __init__(self, **kwargs):
        super().__init__(allowed_protocols=("data", "static"), allow_redirects=False, **kwargs)
        self.fetched = []

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            self.fetched.append("data:")
            return super().fetch(url, headers)
        if url.startswith(STATIC_SCHEME):
            path = find_static(url.removeprefix(STATIC_SCHEME).split("?")[0].split("#")[0])
            if path is not None:
                self.fetched.append(url)
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})
        logger.warning("pdf: refused to fetch %s", url[:200])
        raise RefusedURL(f"refused: {url[:200]}")


def render_pdf(html, *, fetcher=None):
    """The PDF of ``html`` and its number of pages, as ``(bytes, pages)``: WeasyPrint's laid-out document
    knows its pages, no need to read the PDF back. WeasyPrint (Pango) is loaded with this module: import it
    where a PDF is made, not at the top of a module every web process loads."""
    from weasyprint import HTML

    fetcher = fetcher or StaticOnlyFetcher()
    document = HTML(string=html, base_url=None, url_fetcher=fetcher).render()
    return document.write_pdf(), len(document.pages)
