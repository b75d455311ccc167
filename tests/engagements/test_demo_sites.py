"""The demo's La Réunion: sites whose figures differ, a local engagement and a stricter target, shown on its page."""

import io

import pytest
from django.core.management import call_command

from engagements.models import Engagement, LocalTarget, MonthlyIndicator, SiteMonthlyIndicator
from qualipref.models import Prefecture


@pytest.mark.django_db
def test_the_demo_prefecture_has_sites_that_differ_a_local_engagement_and_a_stricter_target(client):
    call_command("load_demo", stdout=io.StringIO())
    reunion = Prefecture.objects.get(department_code="974")
    own = Engagement.objects.get(code="974-RECLAMATIONS-10J")
    assert own.prefecture == reunion and own.versions.count() == 1
    target = LocalTarget.objects.get(prefecture=reunion)
    assert target.target_value > target.national_version().target_value
    assert MonthlyIndicator.objects.filter(prefecture=reunion, engagement=own).exists()
    assert MonthlyIndicator.objects.filter(prefecture=reunion, local_target=True).exists()
    assert not MonthlyIndicator.objects.exclude(prefecture=reunion).filter(engagement=own).exists()
    # Two sites at least whose figures of one engagement and month differ.
    values = SiteMonthlyIndicator.objects.filter(
        prefecture=reunion, engagement__code="RECLAMATIONS-15J", value__isnull=False
    ).values_list("month", "value")
    by_month = {}
    for month, value in values:
        by_month.setdefault(month, set()).add(value)
    assert any(len(found) >= 2 for found in by_month.values())
    html = client.get("/la-reunion/resultats/").content.decode()
    assert "engagement local" in html and "objectif local" in html and 'id="results-by-site"' in html
    # Idempotent.
    call_command("load_demo", stdout=io.StringIO())
    assert Engagement.objects.filter(prefecture=reunion).count() == 1
    assert LocalTarget.objects.filter(prefecture=reunion).count() == 1
