"""Absolute addresses of the portal's pages, built one of two ways.

* ``page_url(request, path)``: a link shown in a page, for the visitor who reads it there — from the request,
  so it works on whatever host and port the portal was reached (``PORT=8790 make run``, a test server…).
* ``absolute_url(path)``: a link read outside any request — e-mails, QR codes, posters and PDFs, calendar
  invitations, and addresses an officer copies to hand on to citizens (a survey's short link, a tracking link
  read out on the phone) — from the one setting ``QUALIPREF_BASE_URL``, the portal's public address, which
  ``make run`` sets from ``PORT`` and production must set (``manage.py check --deploy`` warns otherwise).
"""

from django.conf import settings


def absolute_url(path):
    """``path`` (from ``reverse``) on the portal's public address, for use outside a request."""
    return settings.QUALIPREF_BASE_URL + path


def page_url(request, path):
    """``path`` (from ``reverse``) on the scheme, host and port of ``request``, for a link shown in its page."""
    return request.build_absolute_uri(path)
