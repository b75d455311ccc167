"""The measures' admin pages: upload with its report in French, figures per site, visits with their grid; scoped,
and a bounded number of queries whatever the rows."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures.enums import ImportKind, ImportStatus
from measures.models import MeasureImport
from tests.qualipref.factories import PrefectureFactory, officer_of

from .conftest import run_import, sample

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(client, reunion):
    client.force_login(officer_of(reunion))
    return client


def test_officer_uploads_a_calls_file_and_reads_its_bad_lines_in_french(
    officer_client, reunion, sites, on_commit_immediately
):
    data = sample("appels.csv") + "2026-02-09 09:00;Préfecture de Nulle-Part;3;repondu\n".encode()
    response = officer_client.post(
        reverse("admin:measures_measureimport_add"),
        {"prefecture": reunion.pk, "kind": ImportKind.CALLS, "upload": SimpleUploadedFile("appels.csv", data)},
    )
    measure_import = MeasureImport.objects.get()
    assert response.status_code == 302
    assert (measure_import.status, measure_import.valid_rows, measure_import.bad_rows) == (ImportStatus.DONE, 10, 1)
    page = officer_client.get(reverse("admin:measures_measureimport_change", args=[measure_import.pk]))
    text = page.content.decode()
    assert "Site inconnu" in text and "Préfecture de Nulle-Part" in text and "<td>12</td>" in text
    report = b"".join(officer_client.get(reverse("admin:measures_import_report", args=[measure_import.pk])))
    assert report.decode().splitlines()[1].startswith("12;unknown_site;")


def test_the_same_file_again_is_refused_on_the_form(officer_client, reunion, sites):
    run_import(reunion, ImportKind.CALLS, sample("appels.csv"))
    response = officer_client.post(
        reverse("admin:measures_measureimport_add"),
        {
            "prefecture": reunion.pk,
            "kind": ImportKind.CALLS,
            "upload": SimpleUploadedFile("appels.csv", sample("appels.csv")),
        },
    )
    assert response.status_code == 200
    assert "déjà été importé" in response.content.decode()
    assert MeasureImport.objects.count() == 1


def test_another_prefectures_import_is_not_found(client, reunion, sites):
    measure_import = run_import(reunion, ImportKind.CALLS, sample("appels.csv"))
    client.force_login(officer_of(PrefectureFactory(department_code="94", name="Val-de-Marne", slug="vdm")))
    assert client.get(reverse("admin:measures_measureimport_change", args=[measure_import.pk])).status_code == 404
    assert client.get(reverse("admin:measures_import_report", args=[measure_import.pk])).status_code == 404


def test_figures_page_and_lists_take_a_bounded_number_of_queries(officer_client, reunion, sites):
    run_import(reunion, ImportKind.CALLS, sample("appels.csv"))
    run_import(reunion, ImportKind.TICKETS, sample("tickets.csv"))
    counts = []
    for _round in range(3):  # the first round warms the caches (content types, session)
        with CaptureQueriesContext(connection) as queries:
            page = officer_client.get(reverse("admin:measures_figures"))
            officer_client.get(reverse("admin:measures_measureimport_changelist"))
            officer_client.get(reverse("admin:measures_mysteryvisit_changelist"))
        counts.append(len(queries))
        run_import(reunion, ImportKind.TICKETS, sample("tickets.csv").replace(b"A00", b"C%d" % _round))
    assert counts[1] == counts[2]
    assert page.status_code == 200
    assert "Toute la préfecture" in page.content.decode()


def test_a_visit_is_entered_with_its_grid_and_scored_from_its_lines(officer_client, reunion, sites):
    from measures.enums import Channel, CriterionResult
    from measures.models import MysteryCriterion, MysteryVisit

    saint_denis, _saint_pierre = sites
    form = officer_client.get(reverse("admin:measures_mysteryvisit_add")).content.decode()
    criteria = list(MysteryCriterion.objects.filter(is_active=True).order_by("position", "code"))
    # The new visit's page offers the whole grid, one line per criterion.
    assert form.count('name="lines-') >= 3 * len(criteria)
    results = [CriterionResult.MET, CriterionResult.MET, CriterionResult.NOT_MET, CriterionResult.NOT_APPLICABLE]
    data = {
        "prefecture": reunion.pk,
        "site": saint_denis.pk,
        "visited_on": "10/02/2026",
        "channel": Channel.COUNTER,
        "provider": "Cabinet Test",
        "note": "",
        "lines-TOTAL_FORMS": len(results),
        "lines-INITIAL_FORMS": 0,
        "lines-MIN_NUM_FORMS": 1,
        "lines-MAX_NUM_FORMS": 1000,
    }
    for index, (criterion, result) in enumerate(zip(criteria, results, strict=False)):
        data |= {
            f"lines-{index}-criterion": criterion.pk,
            f"lines-{index}-result": result,
            f"lines-{index}-comment": "",
        }
    response = officer_client.post(reverse("admin:measures_mysteryvisit_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    visit = MysteryVisit.objects.with_score().get()
    assert (visit.criteria_met, visit.criteria_applicable) == (2, 3)
    assert round(visit.score, 2) == 6.67
    assert visit.entered_by is not None
    listing = officer_client.get(reverse("admin:measures_mysteryvisit_changelist")).content.decode()
    assert "6,7" in listing
