"""The officer's side: upload, report, decision, publication; every list scoped and in bounded queries."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from delays.enums import ImportStatus, PublicationStatus
from delays.models import DeliveryImport, DeliveryRecord, MonthPublication
from qualipref.enums import Role
from tests.qualipref.factories import MembershipFactory, ServiceFactory, coordinator, officer_of

from .factories import DeliveryImportFactory, csv_bytes, delays_pairs, deliveries, run_import

pytestmark = pytest.mark.django_db

GOOD = ("974", "TS-PREMIERE", "", "2026-01-05", "2026-02-09")
BAD = ("974", "XX", "", "2026-01-05", "2026-02-09")


@pytest.fixture
def officer_client(client, reunion):
    client.force_login(officer_of(reunion))
    return client


def upload(client, prefecture, data, name="livraisons.csv"):
    return client.post(
        reverse("admin:delays_deliveryimport_add"),
        {"prefecture": prefecture.pk, "upload": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


def test_officer_uploads_a_file_checked_by_a_job_and_sees_the_report(officer_client, reunion, on_commit_immediately):
    response = upload(officer_client, reunion, csv_bytes([GOOD, BAD]))
    delivery_import = DeliveryImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:delays_deliveryimport_change", args=[delivery_import.pk])
    assert delivery_import.status == ImportStatus.AWAITING_REVIEW
    assert delivery_import.file.name  # kept, private, for the auditor
    html = officer_client.get(response["Location"]).content.decode()
    assert "unknown title code “XX”" in html or "XX" in html
    assert "Accept" in html or "Accepter" in html

    officer_client.post(reverse("admin:delays_import_decision", args=[delivery_import.pk]), {"decision": "accept"})
    delivery_import.refresh_from_db()
    assert delivery_import.status == ImportStatus.ACCEPTED
    assert MonthPublication.objects.filter(prefecture=reunion).exists()


def test_report_downloads_every_bad_row(officer_client, reunion):
    delivery_import = run_import(reunion, csv_bytes([GOOD, BAD, BAD]))
    response = officer_client.get(reverse("admin:delays_import_report", args=[delivery_import.pk]))
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == "ligne;motif;valeur;message"
    assert [line.split(";")[:2] for line in lines[1:]] == [["3", "unknown_title"], ["4", "unknown_title"]]


def test_uploading_the_same_file_again_is_refused_on_the_form(officer_client, reunion, on_commit_immediately):
    data = csv_bytes([GOOD])
    upload(officer_client, reunion, data)
    response = upload(officer_client, reunion, data, name="encore.csv")
    assert response.status_code == 200
    assert "already been imported" in str(response.context["adminform"].form.errors) or "déjà" in str(
        response.context["adminform"].form.errors
    )
    assert DeliveryImport.objects.count() == 1


def test_an_unusable_file_is_refused_on_the_form(officer_client, reunion):
    response = upload(officer_client, reunion, b"PK\x03\x04...")
    assert response.status_code == 200
    assert "upload" in response.context["adminform"].form.errors
    assert not DeliveryImport.objects.exists()


def test_officer_cannot_upload_for_another_prefecture(officer_client, other):
    response = upload(officer_client, other, csv_bytes([("94", "TS-PREMIERE", "", "2026-01-05", "2026-02-09")]))
    assert response.status_code == 200
    assert "prefecture" in response.context["adminform"].form.errors
    assert not DeliveryImport.objects.exists()


def test_officer_cannot_decide_on_another_prefecture_import(officer_client, other):
    foreign = run_import(other, csv_bytes([("94", "TS-PREMIERE", "", "2026-01-05", "2026-02-09"), BAD]))
    response = officer_client.post(reverse("admin:delays_import_decision", args=[foreign.pk]), {"decision": "accept"})
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == ImportStatus.AWAITING_REVIEW
    assert officer_client.get(reverse("admin:delays_import_report", args=[foreign.pk])).status_code == 404


def test_auditor_may_read_the_report_but_not_decide(client, reunion):
    delivery_import = run_import(reunion, csv_bytes([GOOD, BAD]))
    client.force_login(MembershipFactory(prefecture=reunion, role=Role.AUDITOR).user)
    assert client.get(reverse("admin:delays_deliveryimport_change", args=[delivery_import.pk])).status_code == 200
    response = client.post(reverse("admin:delays_import_decision", args=[delivery_import.pk]), {"decision": "accept"})
    assert response.status_code == 403
    assert DeliveryRecord.objects.count() == 1
    delivery_import.refresh_from_db()
    assert delivery_import.status == ImportStatus.AWAITING_REVIEW


def test_import_list_is_scoped_and_takes_bounded_queries(
    officer_client, reunion, other, django_assert_max_num_queries
):
    for _ in range(30):
        DeliveryImportFactory(prefecture=reunion, months={"2026-01": 3})
    DeliveryImportFactory(prefecture=other)
    with django_assert_max_num_queries(12):
        response = officer_client.get(reverse("admin:delays_deliveryimport_changelist"))
    assert {obj.prefecture_id for obj in response.context["cl"].result_list} == {reunion.pk}


def test_month_list_is_scoped_and_takes_bounded_queries(officer_client, reunion, other, django_assert_max_num_queries):
    rows = []
    for month in range(1, 13):
        rows += deliveries(reunion, "TS-PREMIERE", delays_pairs(datetime.date(2025, month, 1), [5, 6]))
    run_import(reunion, csv_bytes(rows))
    run_import(other, csv_bytes(deliveries(other, "TS-PREMIERE", delays_pairs(datetime.date(2025, 1, 1), [5]))))
    with django_assert_max_num_queries(12):
        response = officer_client.get(reverse("admin:delays_monthpublication_changelist"))
    months = response.context["cl"].result_list
    assert len(months) == 12 and {m.prefecture_id for m in months} == {reunion.pk}
    assert {m.deliveries for m in months} == {2}


def test_figures_changed_since_the_review_are_not_published_unseen(officer_client, reunion):
    january = datetime.date(2026, 1, 1)
    run_import(reunion, csv_bytes(deliveries(reunion, "TS-PREMIERE", delays_pairs(january, [7]))))
    month = MonthPublication.objects.get()
    html = officer_client.get(reverse("admin:delays_monthpublication_change", args=[month.pk])).content.decode()
    reviewed = re.search(r'name="figures_as_of" value="([^"]+)"', html)[1]
    # Meanwhile a clean file of January is counted (the month is not published: no review needed for it).
    run_import(reunion, csv_bytes(deliveries(reunion, "TS-PREMIERE", delays_pairs(january, [70, 80]))), name="b.csv")
    url = reverse("admin:delays_month_publish", args=[month.pk])
    response = officer_client.post(url, {"figures_as_of": reviewed}, follow=True)
    assert "ont changé depuis l’affichage de la page" in response.content.decode()
    month.refresh_from_db()
    assert month.status == PublicationStatus.DRAFT
    html = officer_client.get(reverse("admin:delays_monthpublication_change", args=[month.pk])).content.decode()
    officer_client.post(url, {"figures_as_of": re.search(r'name="figures_as_of" value="([^"]+)"', html)[1]})
    month.refresh_from_db()
    assert month.status == PublicationStatus.PUBLISHED


def test_officer_reviews_publishes_and_unpublishes_a_month_with_a_reason(officer_client, reunion):
    run_import(reunion, csv_bytes(deliveries(reunion, "TS-PREMIERE", delays_pairs(datetime.date(2026, 1, 1), [7]))))
    month = MonthPublication.objects.get()
    html = officer_client.get(reverse("admin:delays_monthpublication_change", args=[month.pk])).content.decode()
    assert "Titre de séjour – première demande" in html
    officer_client.post(reverse("admin:delays_month_publish", args=[month.pk]))
    month.refresh_from_db()
    assert month.status == PublicationStatus.PUBLISHED
    response = officer_client.post(reverse("admin:delays_month_unpublish", args=[month.pk]), {"reason": ""})
    assert response.status_code == 200 and response.context["form"].errors
    officer_client.post(reverse("admin:delays_month_unpublish", args=[month.pk]), {"reason": "Doublons détectés"})
    month.refresh_from_db()
    assert month.status == PublicationStatus.WITHDRAWN
    assert month.events.first().note == "Doublons détectés"


def test_a_month_shows_the_imports_its_figures_come_from(officer_client, reunion, other):
    """Each figure leads back to its files; the same deliveries exported twice in two shapes stand out."""
    from delays.services import delivery_import_withdraw

    january = delays_pairs(datetime.date(2026, 1, 1), [7, 9, 12])
    first = run_import(reunion, csv_bytes(deliveries(reunion, "TS-PREMIERE", january)), name="janvier.csv")
    again = run_import(reunion, csv_bytes(deliveries(reunion, "TS-PREMIERE", january), delimiter=","), name="bis.csv")
    withdrawn = run_import(reunion, csv_bytes(deliveries(reunion, "TS-PREMIERE", january[:1])), name="retire.csv")
    delivery_import_withdraw(delivery_import=withdrawn, by=None)
    run_import(other, csv_bytes(deliveries(other, "TS-PREMIERE", january)), name="val-de-marne.csv")
    month = MonthPublication.objects.get(prefecture=reunion, month=datetime.date(2026, 1, 1))
    html = officer_client.get(reverse("admin:delays_monthpublication_change", args=[month.pk])).content.decode()
    sources = html[html.index('id="month-sources"') : html.index("</table>", html.index('id="month-sources"'))]
    assert "janvier.csv" in sources and "bis.csv" in sources
    assert "retire.csv" not in sources and "val-de-marne.csv" not in sources
    for delivery_import in (first, again):
        assert reverse("admin:delays_deliveryimport_change", args=[delivery_import.pk]) in sources
    assert "Plusieurs fichiers apportent des délivrances de ce mois" in html
    delivery_import_withdraw(delivery_import=again, by=None)
    html = officer_client.get(reverse("admin:delays_monthpublication_change", args=[month.pk])).content.decode()
    assert "bis.csv" not in html and "Plusieurs fichiers" not in html and "errornote" not in html


def test_publish_action_publishes_the_selected_months(officer_client, reunion):
    rows = deliveries(reunion, "TS-PREMIERE", delays_pairs(datetime.date(2026, 1, 1), [7]))
    rows += deliveries(reunion, "TS-PREMIERE", [("2026-03-01", "2026-03-02")])  # March: not over
    run_import(reunion, csv_bytes(rows))
    officer_client.post(
        reverse("admin:delays_monthpublication_changelist"),
        {
            "action": "publish_selected",
            "_selected_action": list(MonthPublication.objects.values_list("pk", flat=True)),
        },
    )
    assert dict(MonthPublication.objects.values_list("month", "status")) == {
        datetime.date(2026, 1, 1): PublicationStatus.PUBLISHED,
        datetime.date(2026, 3, 1): PublicationStatus.DRAFT,
    }


def test_a_months_page_offers_what_its_workflow_allows_next(officer_client, reunion):
    run_import(reunion, csv_bytes(deliveries(reunion, "TS-PREMIERE", delays_pairs(datetime.date(2026, 1, 1), [7]))))
    month = MonthPublication.objects.get()
    page = reverse("admin:delays_monthpublication_change", args=[month.pk])
    publish, unpublish = (reverse(f"admin:delays_month_{name}", args=[month.pk]) for name in ("publish", "unpublish"))
    offers = {}
    for status in PublicationStatus:
        MonthPublication.objects.filter(pk=month.pk).update(status=status)
        html = officer_client.get(page).content.decode()
        offers[status] = (publish in html, unpublish in html)
    assert offers == {
        PublicationStatus.DRAFT: (True, False),
        PublicationStatus.PUBLISHED: (False, True),
        PublicationStatus.WITHDRAWN: (True, False),
    }


def test_the_publish_action_says_why_a_month_was_not_published(officer_client, reunion):
    """A refused transition (already published) and a rule that is not one (not over) read the same: the message."""
    from django.contrib.messages import get_messages

    rows = deliveries(reunion, "TS-PREMIERE", delays_pairs(datetime.date(2026, 1, 1), [7]))
    rows += deliveries(reunion, "TS-PREMIERE", [("2026-03-01", "2026-03-02")])  # March: not over
    run_import(reunion, csv_bytes(rows))
    MonthPublication.objects.filter(month=datetime.date(2026, 1, 1)).update(status=PublicationStatus.PUBLISHED)
    response = officer_client.post(
        reverse("admin:delays_monthpublication_changelist"),
        {
            "action": "publish_selected",
            "_selected_action": list(MonthPublication.objects.values_list("pk", flat=True)),
        },
    )
    warnings = sorted(str(m) for m in get_messages(response.wsgi_request))
    assert warnings == [
        "La Réunion: 01/2026 est déjà publié.",
        "La Réunion: 03/2026 n’est pas encore terminé\xa0: ses chiffres peuvent être publiés à partir du premier "
        "jour du mois suivant.",
    ]


def test_only_the_national_coordinator_edits_title_types(client, reunion, first_permit):
    client.force_login(officer_of(reunion))
    assert client.get(reverse("admin:delays_titletype_changelist")).status_code == 200
    assert client.get(reverse("admin:delays_titletype_add")).status_code == 403
    client.post(
        reverse("admin:delays_titletype_change", args=[first_permit.pk]),
        {"code": "TS-PREMIERE", "label": "Piraté", "category": "residence", "position": 1, "is_active": "on"},
    )
    first_permit.refresh_from_db()
    assert first_permit.label != "Piraté"
    client.force_login(coordinator())
    assert client.get(reverse("admin:delays_titletype_add")).status_code == 200


def withdraw_action(client, *imports):
    return client.post(
        reverse("admin:delays_deliveryimport_changelist"),
        {"action": "withdraw_selected", "_selected_action": [i.pk for i in imports]},
    )


def test_auditor_can_neither_see_nor_run_the_withdraw_action(client, reunion):
    delivery_import = run_import(reunion, csv_bytes([GOOD]))
    assert delivery_import.status == ImportStatus.ACCEPTED
    client.force_login(MembershipFactory(prefecture=reunion, role=Role.AUDITOR).user)
    response = client.get(reverse("admin:delays_deliveryimport_changelist"))
    assert response.status_code == 200
    assert "withdraw_selected" not in response.content.decode()
    withdraw_action(client, delivery_import)
    delivery_import.refresh_from_db()
    assert delivery_import.status == ImportStatus.ACCEPTED
    assert DeliveryRecord.objects.count() == 1


def test_officer_withdraws_imports_with_the_action(officer_client, reunion):
    delivery_import = run_import(reunion, csv_bytes([GOOD]))
    changelist = officer_client.get(reverse("admin:delays_deliveryimport_changelist"))
    assert "withdraw_selected" in changelist.content.decode()
    response = withdraw_action(officer_client, delivery_import)
    assert response.status_code == 302
    delivery_import.refresh_from_db()
    assert delivery_import.status == ImportStatus.WITHDRAWN
    assert not DeliveryRecord.objects.exists()


def test_a_refused_withdrawal_in_the_action_is_an_error_message(officer_client, reunion, monkeypatch):
    """Withdrawn meanwhile by someone else: the service refuses, the officer reads why (no 500)."""
    from django.contrib import messages
    from django.contrib.messages import get_messages

    import delays.admin
    from delays.services import delivery_import_withdraw

    delivery_import = run_import(reunion, csv_bytes([GOOD]), name="janvier.csv")

    def withdrawn_meanwhile(*, delivery_import, by):
        DeliveryImport.objects.filter(pk=delivery_import.pk).update(status=ImportStatus.WITHDRAWN)
        return delivery_import_withdraw(delivery_import=delivery_import, by=by)

    monkeypatch.setattr(delays.admin, "delivery_import_withdraw", withdrawn_meanwhile)
    response = withdraw_action(officer_client, delivery_import)
    assert response.status_code == 302
    errors = [str(m) for m in get_messages(response.wsgi_request) if m.level == messages.ERROR]
    assert len(errors) == 1 and errors[0].startswith("janvier.csv: ")


def test_bad_row_report_needs_the_view_permission(client, reunion):
    delivery_import = run_import(reunion, csv_bytes([GOOD, BAD]))
    url = reverse("admin:delays_import_report", args=[delivery_import.pk])
    agent = MembershipFactory(prefecture=reunion, role=Role.SERVICE_AGENT, service=ServiceFactory(prefecture=reunion))
    client.force_login(agent.user)
    assert client.get(url).status_code == 403
    decision = client.post(reverse("admin:delays_import_decision", args=[delivery_import.pk]), {"decision": "reject"})
    assert decision.status_code == 403
    client.force_login(officer_of(reunion))
    assert client.get(url).status_code == 200


def test_month_views_need_the_change_permission(client, reunion):
    run_import(reunion, csv_bytes(deliveries(reunion, "TS-PREMIERE", delays_pairs(datetime.date(2026, 1, 1), [7]))))
    month = MonthPublication.objects.get()
    client.force_login(MembershipFactory(prefecture=reunion, role=Role.AUDITOR).user)
    assert client.post(reverse("admin:delays_month_publish", args=[month.pk])).status_code == 403
    assert client.get(reverse("admin:delays_month_unpublish", args=[month.pk])).status_code == 403
    month.refresh_from_db()
    assert month.status == PublicationStatus.DRAFT


@pytest.mark.parametrize(
    "url",
    [
        "/admin/delays/deliveryimport/abc/report.csv",
        "/admin/delays/deliveryimport/abc/decision/",
        "/admin/delays/deliveryimport/abc/change/",
        "/admin/delays/monthpublication/abc/publier/",
        "/admin/delays/monthpublication/abc/change/",
    ],
)
def test_an_id_that_is_not_a_number_is_not_found(officer_client, url):
    assert officer_client.get(url).status_code == 404
