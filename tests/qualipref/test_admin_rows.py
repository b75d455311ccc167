"""Every admin list's rows, rendered from a plan made once per page (``qualipref.admin_rows``), are Django's HTML."""

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags import admin_list
from django.template.loader import get_template
from django.urls import reverse

from complaints.enums import Status
from qualipref import admin_rows
from qualipref.templatetags import admin_rows as admin_rows_tags
from tests.complaints.factories import CaseFactory

from .factories import PrefectureFactory, coordinator, officer_of
from .test_scoping import SCOPED_OBJECT_FACTORIES

pytestmark = pytest.mark.django_db


def django_rows(cl):
    return [list(row) for row in admin_list.results(cl)]


def our_rows(cl):
    return [list(row) for row in admin_rows.results(cl)]


def changelist(client, model, **params):
    meta = model._meta
    response = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"), params)
    assert response.status_code == 200
    return response.context["cl"]


@pytest.fixture
def reunion():
    return PrefectureFactory(reunion=True)


@pytest.mark.parametrize("model", list(SCOPED_OBJECT_FACTORIES), ids=lambda model: model.__name__)
def test_every_list_has_django_s_rows(client, reunion, model):
    """Foreign keys, choices, dates, booleans, admin methods returning HTML, the link to each object and the
    list's filters kept in it: one object of every scoped model, listed by the coordinator (every column)."""
    SCOPED_OBJECT_FACTORIES[model](reunion)
    SCOPED_OBJECT_FACTORIES[model](PrefectureFactory(department_code="94", name="Val-de-Marne", slug="val-de-marne"))
    client.force_login(coordinator())
    cl = changelist(client, model)
    assert cl.result_count >= 1
    assert our_rows(cl) == django_rows(cl)


def test_the_case_list_filtered_sorted_and_with_empty_cells_has_django_s_rows(client, reunion):
    CaseFactory.create_batch(3, prefecture=reunion, status=Status.NEW)
    CaseFactory(prefecture=reunion, status=Status.NEW, service=None, site=None, assignee=None, subject="  ")
    CaseFactory(prefecture=reunion, status=Status.NEW, subject="<script>alert('x')</script> « É » & co")
    client.force_login(officer_of(reunion))
    cl = changelist(client, CaseFactory._meta.model, status__exact="new", o="-7.2")
    rows = our_rows(cl)
    assert len(rows) == 5 and rows == django_rows(cl)
    # The link keeps the list's filters, the text is escaped, an empty cell shows Django's dash.
    html = "".join(cell for row in rows for cell in row)
    assert "_changelist_filters=" in html and "status__exact%3Dnew" in html
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert admin.site._registry[CaseFactory._meta.model].get_empty_value_display() in html


@pytest.mark.parametrize("model", list(SCOPED_OBJECT_FACTORIES), ids=lambda model: model.__name__)
def test_every_list_s_table_is_the_one_django_s_template_writes_with_django_s_rows(client, reunion, model):
    """The tag hands the template each row as one piece of HTML (``joined``): the table written is the one Django's
    own template writes from Django's own rows, cell by cell."""
    SCOPED_OBJECT_FACTORIES[model](reunion)
    client.force_login(coordinator())
    cl = changelist(client, model)
    ours = admin_rows_tags.result_list(cl)
    django = {**ours, "results": list(admin_list.results(cl))}
    template = get_template("admin/change_list_results.html")
    assert cl.result_count >= 1 and "<tbody>" in template.render(ours)
    # A list with editable cells (a formset, e.g. the topics' order) keeps Django's rows: the same table either way.
    assert cl.formset or all(len(row) == 1 for row in ours["results"])
    assert template.render(ours) == template.render(django)


def test_the_lists_do_not_go_through_django_s_cell_by_cell_rendering(client, reunion, monkeypatch):
    CaseFactory.create_batch(2, prefecture=reunion)

    def refused(*args, **kwargs):
        raise AssertionError("Django's items_for_result was used")

    monkeypatch.setattr(admin_list, "items_for_result", refused)
    client.force_login(officer_of(reunion))
    response = client.get(reverse("admin:complaints_case_changelist"))
    assert response.status_code == 200
    assert response.content.decode().count('class="action-select"') == 2


def test_a_pop_up_list_keeps_django_s_rows(client, reunion):
    """A list opened from a form's magnifier marks each row for the opener: Django renders it."""
    case = CaseFactory(prefecture=reunion)
    client.force_login(coordinator())
    response = client.get(reverse("admin:complaints_case_changelist"), {"_popup": "1", "_to_field": "id"})
    assert response.status_code == 200
    assert f'data-popup-opener="{case.pk}"' in response.content.decode()
