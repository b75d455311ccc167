"""The case list exported as CSV: the cases the officer's list shows, its filters and search, nothing personal."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints.enums import Status
from qualipref.csvfiles import BOM
from tests.qualipref.factories import PrefectureFactory, officer_of

from .factories import CaseFactory

URL = reverse("admin:complaints_case_list_export")


def rows_of(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="reclamations-')
    text = b"".join(response.streaming_content).decode()
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[len(BOM) :]), delimiter=";"))


@pytest.fixture
def officer(reunion):
    return officer_of(reunion, first_name='=HYPERLINK("http://evil")', last_name="Payet")


def test_the_export_is_the_list_of_the_officers_prefectures(client, reunion, officer):
    answered = datetime.datetime(2026, 3, 10, 22, 30, tzinfo=datetime.UTC)  # the 11th in La Réunion
    CaseFactory(
        prefecture=reunion,
        reference="974-2026-000001",
        status=Status.ANSWERED,
        answered_at=answered,
        assignee=officer,
        rating=4,
        received_on=datetime.date(2026, 3, 2),
        due_on=datetime.date(2026, 3, 23),
    )
    CaseFactory(prefecture=reunion, reference="974-2026-000002", name="Marie Hoarau", email="marie@example.org")
    CaseFactory(prefecture=PrefectureFactory(department_code="94", slug="val-de-marne"), reference="094-2026-000001")
    client.force_login(officer)
    header, *rows = rows_of(client.get(URL + "?o=1"))
    assert header == [
        "Référence",
        "Type",
        "Canal",
        "Thème",
        "Statut",
        "Date de réception",
        "Réponse due le",
        "Répondu le",
        "Clôturé le",
        "Service",
        "Site",
        "Attribué à",
        "Satisfaction à l’égard de la réponse",
    ]
    assert [row[0] for row in rows] == ["974-2026-000001", "974-2026-000002"]
    first = dict(zip(header, rows[0], strict=True))
    assert first["Statut"] == "Réponse envoyée" and first["Type"] == "Réclamation"
    assert (first["Date de réception"], first["Réponse due le"], first["Répondu le"]) == (
        "2026-03-02",
        "2026-03-23",
        "2026-03-11",
    )
    # A name that starts like a formula reaches the spreadsheet as text.
    assert first["Attribué à"] == '\'=HYPERLINK("http://evil") Payet'
    assert first["Satisfaction à l’égard de la réponse"] == "4"
    # Nothing that identifies the citizen.
    text = "".join(";".join(row) for row in rows)
    assert "Marie Hoarau" not in text and "marie@example.org" not in text and "trois heures" not in text


def test_the_export_follows_the_lists_filters_and_search(client, reunion, officer):
    CaseFactory(prefecture=reunion, reference="974-2026-000001", status=Status.NEW)
    CaseFactory(prefecture=reunion, reference="974-2026-000002", status=Status.CLOSED)
    CaseFactory(prefecture=reunion, reference="974-2026-000003", status=Status.NEW)
    client.force_login(officer)
    assert [row[0] for row in rows_of(client.get(URL + "?status__exact=new&o=1"))[1:]] == [
        "974-2026-000001",
        "974-2026-000003",
    ]
    assert [row[0] for row in rows_of(client.get(URL + "?q=000002"))[1:]] == ["974-2026-000002"]
    # The list's page links to the export with its own query string.
    page = client.get(reverse("admin:complaints_case_changelist") + "?status__exact=new").content.decode()
    assert f'href="{URL}?status__exact=new"' in page
    # A filter the list does not know sends back to the list, as the list itself does.
    wrong = client.get(URL + "?no_such_field=1")
    assert wrong.status_code == 302 and wrong["Location"].endswith("?e=1")


def test_the_export_needs_an_officer(client, reunion):
    CaseFactory(prefecture=reunion)
    response = client.get(URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_export_costs_the_same_queries_for_ten_or_a_hundred_cases(client, reunion, officer):
    client.force_login(officer)
    counts = []
    for total in (10, 100):
        CaseFactory.create_batch(total - (counts and 10 or 0), prefecture=reunion, assignee=officer)
        with CaptureQueriesContext(connection) as queries:
            rows = rows_of(client.get(URL))
        assert len(rows) == total + 1
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
