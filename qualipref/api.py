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


def monthly_filters(params):
    """The filters every monthly endpoint takes: ``departement``, ``depuis`` and ``jusqu_a`` (checked)."""
    filters = {}
    if code := params.get("departement"):
        filters["prefecture"] = prefecture_param(code)
    if value := params.get("depuis"):
        filters["month_from"] = month_param(value, "depuis")
    if value := params.get("jusqu_a"):
        filters["month_to"] = month_param(value, "jusqu_a")
    return filters


class MonthlyRecordsMixin(OpenDataMixin):
    """A paginated list of published monthly rows: ``get_queryset`` gives the rows, ``record_of`` (a
    ``staticmethod``) each one's JSON record."""

    pagination_class = OpenDataPagination
    record_of = None

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([self.record_of(row) for row in page])
