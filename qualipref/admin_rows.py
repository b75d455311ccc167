"""The rows of every admin list, rendered from a plan made once per page: Django's HTML, a fraction of its work.

Django's ``items_for_result`` works out each cell from scratch: it looks the column up (model field, admin method or
model attribute), reads the empty value, builds the cell's classes, reverses the row's URL and adds the list's
filters to it, through ``format_html`` at each step. On a list of 100 rows and 10 columns that is a thousand times the
same decisions, and most of the page's time. Here the decisions are taken once per column (``Column``), the change
URL is reversed once with a placeholder for the key, and each cell is only its value's display. The HTML is the same
as Django's, character for character (``tests/qualipref/test_admin_rows.py`` compares both on every admin list).

Lists that Django renders differently — editable lists, pop-up lists opened from a form, lists keyed by another field
than the primary key, models whose key is not a number — keep Django's own rows.
"""

import datetime
import html

from django.contrib.admin.templatetags.admin_list import ResultList, _coerce_field_name
from django.contrib.admin.templatetags.admin_list import results as django_results
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_field,
    display_for_value,
    lookup_field,
)
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

# Stands for the row's key in the change URL reversed once per page; digits and letters only, so that neither
# ``reverse``, ``add_preserved_filters`` nor escaping changes it. Only lists of models keyed by a number use it.
KEY_PLACEHOLDER = "0qpkey0"


def escaped(value):
    """``conditional_escape(value)`` as a plain string, without the lazy-argument checks of Django's wrapper."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


class Column:
    """One column of the list: what Django's ``items_for_result`` decides for each of its cells, decided once."""

    def __init__(self, cl, index, name, *, is_link, empty_value_display):
        self.name, self.is_link, self.model_admin = name, is_link, cl.model_admin
        self.field = self.attr = None
        self.generic = False  # a model attribute or lookup: Django's own ``lookup_field`` for each cell
        try:
            self.field = _get_non_gfk_field(cl.lookup_opts, name)
        except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
            if callable(name):
                self.attr = name
            elif hasattr(cl.model_admin, name) and name != "__str__":
                self.attr = getattr(cl.model_admin, name)
            else:
                self.generic = True
        self.empty = empty_value_display
        # The cell's classes when its value could not be read, and when it could.
        self.missing_classes = [f"field-{_coerce_field_name(name, index)}"]
        self.classes = self.missing_classes
        self.related = self.choices = self.dates = None
        if self.field is not None and not self.field.auto_created:
            if isinstance(self.field, (models.DateField, models.TimeField, models.ForeignKey)):
                self.classes = [*self.missing_classes, "nowrap"]
            self.related = isinstance(self.field.remote_field, models.ManyToOneRel)
            if not self.related and getattr(self.field, "flatchoices", None):
                # display_for_field's dict of the choices, built (and translated) once instead of for each cell.
                try:
                    self.choices = {value: str(label) for value, label in self.field.flatchoices}
                except TypeError:  # list-like choices: display_for_field's own way
                    self.choices = None
            elif type(self.field) in (models.DateField, models.TimeField):
                self.dates = {}  # each date's display, formatted once per page
        elif name == "action_checkbox":
            self.classes = ["action-checkbox"]

    def value(self, result):
        """``(field, attr, value)`` as ``lookup_field`` gives them."""
        if self.generic:
            return lookup_field(self.name, result, self.model_admin)
        if self.field is not None:
            return self.field, None, getattr(result, self.name)
        return None, self.attr, self.attr(result)

    def cell(self, result):
        """``(classes, display)`` of this column's cell for ``result``."""
        empty, classes = self.empty, self.classes
        try:
            field, attr, value = self.value(result)
        except ObjectDoesNotExist:
            return self.missing_classes, empty
        if self.generic and attr is not None:
            empty = getattr(attr, "empty_value_display", empty)
        elif self.attr is not None:
            empty = getattr(self.attr, "empty_value_display", empty)
        if isinstance(value, str) and value.strip() == "":
            value = ""
        if field is None or field.auto_created:
            boolean = getattr(attr, "boolean", False)
            if isinstance(attr, property) and hasattr(attr, "fget"):
                boolean = getattr(attr.fget, "boolean", False)
            display = display_for_value(value, empty, boolean)
            if isinstance(value, (datetime.date, datetime.time)):
                classes = [*classes, "nowrap"]
            return classes, display
        if self.related:
            return classes, empty if value is None else value
        if self.choices is not None:
            return classes, self.choices.get(value, empty)
        if self.dates is not None:
            if value not in self.dates:
                self.dates[value] = display_for_field(value, field, empty, avoid_link=self.is_link)
            return classes, self.dates[value]
        return classes, display_for_field(value, field, empty, avoid_link=self.is_link)


class Rows:
    """The plan of one page of ``cl``: its columns, and its change URL with a placeholder for the key."""

    def __init__(self, cl):
        self.cl = cl
        empty = cl.model_admin.get_empty_value_display()
        links = cl.list_display_links
        self.columns = []
        for index, name in enumerate(cl.list_display):
            is_link = links is not None and ((not links and not self.columns) or name in links)
            self.columns.append(Column(cl, index, name, is_link=is_link, empty_value_display=empty))
        if links is not None and not links:
            # Without list_display_links, Django links the first column only.
            for column in self.columns[1:]:
                column.is_link = False
        self.pk_attname = cl.lookup_opts.pk.attname
        try:
            url = cl.url_for_result(_Keyed(self.pk_attname))
        except NoReverseMatch:
            self.url = None
        else:
            # Escaped once: the key put in its place is digits.
            self.url = conditional_escape(
                add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": cl.opts}, url)
            )

    def row(self, result):
        cells, first = [], True
        for column in self.columns:
            classes, display = column.cell(result)
            row_class = f' class="{" ".join(classes)}"'
            if column.is_link:
                tag = "th" if first else "td"
                first = False
                if self.url is None:
                    content = escaped(display)
                else:
                    url = self.url.replace(KEY_PLACEHOLDER, str(getattr(result, self.pk_attname)), 1)
                    content = f'<a href="{url}">{escaped(display)}</a>'
                cells.append(SafeString(f"<{tag}{row_class}>{content}</{tag}>"))
            else:
                # SafeString rather than mark_safe: an f-string is never lazy, and mark_safe's lazy check
                # (keep_lazy) cost more than the cell itself.
                cells.append(SafeString(f"<td{row_class}>{escaped(display)}</td>"))
        return ResultList(None, cells)


class _Keyed:
    """Stands for a row in ``ChangeList.url_for_result``: its key is the placeholder."""

    def __init__(self, attname):
        setattr(self, attname, KEY_PLACEHOLDER)


def results(cl):
    """The rows of ``cl`` as Django's ``results`` gives them (lists of cells' HTML)."""
    if cl.formset or cl.is_popup or cl.to_field or not isinstance(cl.lookup_opts.pk, models.IntegerField):
        return list(django_results(cl))
    rows = Rows(cl)
    if rows.url is not None and KEY_PLACEHOLDER not in rows.url:
        return list(django_results(cl))
    return [rows.row(result) for result in cl.result_list]
