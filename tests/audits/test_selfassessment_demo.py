"""The self-assessment's demo: La Réunion's campaign submitted before its audit, compared with the one before, one
line flagged."""

import pytest

from audits.demo import load_audits, load_self_assessments
from audits.models import Audit, SelfAssessment
from audits.selfassessment import judged_lines, summary
from qualipref.dates import add_months
from qualipref.demo import load_accounts, load_prefectures
from qualipref.models import Prefecture
from tests.engagements.factories import MonthlyIndicatorFactory, engagement

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_submitted_self_assessment_before_the_audit_and_one_flagged_line():
    load_prefectures()
    load_accounts()
    cycle = load_audits()
    reunion = Prefecture.objects.get(department_code="974")
    # The engagements' demo computed two years of figures; here one month the letters missed their target.
    MonthlyIndicatorFactory(
        prefecture=reunion, engagement=engagement("COURRIERS-15J"), month=add_months(reunion.today(), -6), met=False
    )

    current = load_self_assessments()

    previous = SelfAssessment.objects.previous_of(current).get()
    audit = Audit.objects.filter(cycle=cycle).order_by("-starts_on").first()
    assert current.is_submitted and previous.is_submitted
    assert current.on < audit.starts_on and current.submitted_at.date() < audit.starts_on
    flagged = judged_lines(current.lines.all()).filter(flagged=True)
    assert list(flagged.values_list("engagement__code", flat=True)) == ["COURRIERS-15J"]
    totals = summary(current)
    assert totals["rated"] == totals["lines"] and totals["up"] >= 1 and totals["down"] >= 1
    assert load_self_assessments() == current and SelfAssessment.objects.count() == 2
