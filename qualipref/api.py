"""What the open-data APIs share (delivery delays' ``/api/delais/v1/``, engagements' ``/api/resultats/v1/``): read
only, no authentication, JSON, pages of 500 rows (5,000 at most), and the checks of their common parameters — a
value that cannot be one (a NUL byte, a typing slip) is refused with a message before it reaches the database."""

import datetime
import re

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer

from .models import Prefecture

# Department codes: 01…95, 2A, 2B, 971…976.
DEPARTMENT_CODE = re.compile(r"[0-9][0-9AB][0-9]?")


class OpenDataPagination(LimitOffsetPagination):
    default_limit = 500
    max_limit = 5000


class OpenDataMixin:
    authentication_classes = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]


def month_param(value, name):
    """The first day of the month ``value`` (``AAAA-MM``), or a 400 naming the parameter."""
    try:
        return datetime.date.fromisoformat(f"{value}-01")
    except ValueError as error:
        raise ValidationError({name: _("Expected a month as YYYY-MM.")}) from error


def prefecture_param(value, name="departement"):
    """The prefecture of the department code ``value`` (974), or a 400 naming the parameter."""
    found = DEPARTMENT_CODE.fullmatch(value) and Prefecture.objects.filter(department_code=value).first()
    if not found:
        raise ValidationError({name: _("Unknown department code.")})
    return found
