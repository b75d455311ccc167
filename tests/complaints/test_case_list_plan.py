"""The officer's case list sorted by reference reads its prefecture's cases from an index, whatever the network's size.

References are unique across the network, so their unique index holds every prefecture's; sorted by reference, the
list's page would walk it past the other prefectures' cases (``bench/national.py``: 182 ms against 36 ms for the
same prefecture alone, at 100 prefectures). ``case_pref_reference`` serves the page from the prefecture's cases.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.complaints.factories import CaseFactory
from tests.qualipref.factories import PrefectureFactory, officer_of

pytestmark = pytest.mark.django_db


def _plan(sql):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A few rows: the planner would read them all, or sort whatever index gave them. Without a sort, the
            # order comes from an index: the network's references, or the prefecture's.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute(f"EXPLAIN {sql}")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return "\n".join(" ".join(str(column) for column in row) for row in cursor.fetchall())


@pytest.mark.parametrize("order", ["1", "-1"])
def test_case_list_by_reference_reads_the_prefecture_index(client, settings, order):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    reunion = PrefectureFactory(reunion=True)
    other = PrefectureFactory(department_code="94", name="Val-de-Marne", slug="val-de-marne")
    for prefecture, code in [(reunion, "974"), (other, "94")]:
        for n in range(30):
            CaseFactory(prefecture=prefecture, reference=f"{code}-2026-{n:06d}")
    client.force_login(officer_of(reunion))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/admin/complaints/case/?o={order}")
    assert response.status_code == 200
    assert response.context["cl"].result_count == 30
    page = [q["sql"] for q in queries if 'ORDER BY "complaints_case"."reference"' in q["sql"]]
    assert page, "the case list's page query was not found"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE complaints_case")
    assert "case_pref_reference" in _plan(page[-1])
