import io

import pytest
from django.core.management import call_command

from qualipref.enums import Role
from qualipref.models import Membership, Prefecture, Service, Site, User


@pytest.mark.django_db
def test_demo_data_is_complete_and_idempotent(client):
    call_command("load_demo", stdout=io.StringIO())
    counts = [
        Prefecture.objects.count(),
        Site.objects.count(),
        Service.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    ]
    call_command("load_demo", stdout=io.StringIO())
    assert [
        Prefecture.objects.count(),
        Site.objects.count(),
        Service.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    ] == counts

    reunion = Prefecture.objects.get(department_code="974")
    assert reunion.time_zone == "Indian/Reunion" and reunion.holiday_subdivision == "974"
    assert set(reunion.sites.values_list("name", flat=True)) >= {
        "Préfecture de Saint-Denis",
        "Sous-préfecture de Saint-Pierre",
        "Sous-préfecture de Saint-Benoît",
        "Sous-préfecture de Saint-Paul",
    }
    assert Prefecture.objects.exclude(pk=reunion.pk).count() >= 3
    assert reunion.next_audit_on is not None
    assert {m.role for m in Membership.objects.all()} == set(Role)

    response = client.post(
        "/admin/login/", {"username": "qualite.974@example.org", "password": "demo-qualipref", "next": "/admin/"}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    response = client.get("/admin/qualipref/site/")
    assert response.status_code == 200
    assert {site.prefecture_id for site in response.context["cl"].result_list} == {reunion.pk}
