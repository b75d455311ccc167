"""The measures' demo: a month of calls and tickets imported without a bad line, two visits on the grid, twice."""

import pytest

from measures.demo import load_measures
from measures.enums import ImportStatus
from measures.models import MeasureImport, MysteryVisit
from measures.selectors import site_months

from .conftest import FEBRUARY

pytestmark = pytest.mark.django_db


def test_the_demo_loads_a_month_of_figures_and_loads_again_without_change(reunion, sites):
    load_measures()
    imports = list(MeasureImport.objects.order_by("kind"))
    assert [(i.status, i.bad_rows) for i in imports] == [(ImportStatus.DONE, 0), (ImportStatus.DONE, 0)]
    per_site, totals = site_months(prefecture=reunion, months=[FEBRUARY])
    total = totals[0]
    assert total.calls > 500 and total.served > 300
    assert 50 < total.answer_rate < 100 and 0 < total.lost_rate < 25
    assert 5 < total.mean_wait_minutes < 30
    assert total.visits == 2 and total.mystery_score is not None
    load_measures()
    assert MeasureImport.objects.count() == 2 and MysteryVisit.objects.count() == 2
    assert site_months(prefecture=reunion, months=[FEBRUARY])[1][0] == total
