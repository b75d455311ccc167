"""The evidence library in the admin: an officer adds a document and its next version, every version is downloaded
by the prefecture's users only, the list filters by validity, type, engagement and site in bounded queries."""

import datetime
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evidence.enums import DocumentKind
from evidence.models import Document
from qualipref.enums import Role
from tests.audits.factories import auditor_of
from tests.engagements.factories import engagement
from tests.qualipref.factories import (
    MembershipFactory,
    PrefectureFactory,
    ServiceFactory,
    SiteFactory,
    coordinator,
    officer_of,
)
from tests.samples import PDF_BYTES, PNG_BYTES

from .factories import document, png, with_versions

pytestmark = pytest.mark.django_db

ADD = reverse("admin:evidence_document_add")
LIST = reverse("admin:evidence_document_changelist")
NO_INLINE = {"versions-TOTAL_FORMS": "0", "versions-INITIAL_FORMS": "0"}


@pytest.fixture
def reunion():
    return PrefectureFactory(reunion=True)


@pytest.fixture
def other():
    return PrefectureFactory(department_code="94", name="Val-de-Marne", slug="val-de-marne")


@pytest.fixture
def officer(reunion):
    return officer_of(reunion)


def change_url(found):
    return reverse("admin:evidence_document_change", args=[found.pk])


def download(client, found, number):
    return client.get(reverse("admin:evidence_document_download", args=[found.pk, number]))


def content(response):
    return b"".join(response.streaming_content)


def test_an_officer_adds_a_document_with_its_file(client, reunion, officer):
    site = SiteFactory(prefecture=reunion, name="Sous-préfecture de Saint-Pierre")
    client.force_login(officer)
    page = client.get(ADD)
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.content.decode()
    response = client.post(
        ADD,
        {
            "prefecture": reunion.pk,
            "title": "Procédure d’accueil téléphonique",
            "kind": DocumentKind.PROCEDURE,
            "valid_until": "31/12/2027",
            "engagements": [engagement("TELEPHONE-5-SONNERIES").pk],
            "sites": [site.pk],
            "new_file": SimpleUploadedFile("accueil.pdf", PDF_BYTES, content_type="application/pdf"),
            "version_note": "Validée en CODIR",
        }
        | NO_INLINE,
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    found = Document.objects.get()
    assert (found.title, found.valid_until, found.created_by) == (
        "Procédure d’accueil téléphonique",
        datetime.date(2027, 12, 31),
        officer,
    )
    assert (found.current_version.number, found.current_version.note) == (1, "Validée en CODIR")
    assert list(found.engagements.values_list("code", flat=True)) == ["TELEPHONE-5-SONNERIES"]
    assert list(found.sites.all()) == [site]


def test_a_document_needs_its_file(client, reunion, officer):
    client.force_login(officer)
    response = client.post(
        ADD, {"prefecture": reunion.pk, "title": "Affiche", "kind": DocumentKind.POSTER} | NO_INLINE
    )
    assert response.status_code == 200 and not Document.objects.exists()
    assert response.context["adminform"].form.errors["new_file"] == ["Choisissez le fichier du document."]


def test_a_bad_file_is_refused_on_the_form_and_what_was_typed_is_kept(client, reunion, officer):
    client.force_login(officer)
    response = client.post(
        ADD,
        {
            "prefecture": reunion.pk,
            "title": "Affiche des délais",
            "kind": DocumentKind.POSTER,
            "description": "Affichée dans le hall",
            "new_file": SimpleUploadedFile("affiche.pdf", b"MZ\x90\x00 a program", content_type="application/pdf"),
        }
        | NO_INLINE,
    )
    assert response.status_code == 200 and not Document.objects.exists()
    errors = response.context["adminform"].form.errors["new_file"]
    assert errors == [
        "«\u00a0affiche.pdf\u00a0» n’est pas un fichier accepté. Formats acceptés\u00a0: PDF, JPEG, PNG."
    ]
    page = response.content.decode()
    assert 'value="Affiche des délais"' in page and "Affichée dans le hall" in page


def test_an_officer_uploads_a_new_version_and_downloads_the_old_one(client, reunion, officer):
    found = document(reunion, valid_until=datetime.date(2026, 12, 31))
    first = found.current_version
    client.force_login(officer)
    page = client.get(change_url(found)).content.decode()
    assert first.get_download_url() in page
    response = client.post(
        change_url(found),
        {
            "title": found.title,
            "kind": found.kind,
            "valid_until": "31/12/2027",
            "new_file": SimpleUploadedFile("affiche-2027.png", PNG_BYTES, content_type="image/png"),
            "version_note": "Nouvelle charte graphique",
        }
        | NO_INLINE,
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    found.refresh_from_db()
    assert found.current_version.number == 2 and found.valid_until == datetime.date(2027, 12, 31)
    old = download(client, found, 1)
    assert old.status_code == 200 and old["Content-Disposition"].startswith("attachment")
    assert hashlib.sha256(content(old)).hexdigest() == first.sha256
    assert (
        "no-store" in old["Cache-Control"]
        and "private" in old["Cache-Control"]
        and old["X-Content-Type-Options"] == "nosniff"
    )
    assert content(download(client, found, 2)).startswith(b"\x89PNG")
    page = client.get(change_url(found)).content.decode()
    assert "Télécharger la version 1" in page and "Télécharger la version 2" in page


def test_changing_the_description_keeps_the_file(client, reunion, officer):
    found = document(reunion)
    client.force_login(officer)
    response = client.post(
        change_url(found),
        {"title": "Nouveau titre", "kind": DocumentKind.OTHER, "description": "Précisée"} | NO_INLINE,
    )
    assert response.status_code == 302
    found.refresh_from_db()
    assert (found.title, found.versions.count()) == ("Nouveau titre", 1)


def test_an_officer_of_another_prefecture_gets_404(client, reunion, other):
    found = document(reunion)
    client.force_login(officer_of(other))
    assert download(client, found, 1).status_code == 404
    assert client.get(change_url(found)).status_code in {302, 404}
    assert client.get(f"/admin/evidence/document/{found.pk}/versions/abc/download/").status_code == 404
    assert client.get("/admin/evidence/document/abc/versions/1/download/").status_code == 404


def test_a_missing_version_is_not_found(client, reunion, officer):
    found = document(reunion)
    client.force_login(officer)
    assert download(client, found, 2).status_code == 404


def test_the_prefecture_s_auditor_reads_and_downloads_but_does_not_write(client, reunion):
    found = document(reunion)
    client.force_login(auditor_of(reunion))
    assert download(client, found, 1).status_code == 200
    assert client.get(change_url(found)).status_code == 200
    assert client.get(ADD).status_code == 403
    client.post(change_url(found), {"title": "Changé", "kind": DocumentKind.OTHER} | NO_INLINE)
    found.refresh_from_db()
    assert found.title != "Changé"


def test_an_auditor_of_another_prefecture_and_a_service_agent_cannot_download(client, reunion, other):
    found = document(reunion)
    client.force_login(auditor_of(other))
    assert download(client, found, 1).status_code == 404
    agent = MembershipFactory(prefecture=reunion, role=Role.SERVICE_AGENT, service=ServiceFactory(prefecture=reunion))
    client.force_login(agent.user)
    assert download(client, found, 1).status_code == 403


def test_only_the_national_coordinator_deletes_a_document(client, reunion, officer):
    found = document(reunion)
    delete = reverse("admin:evidence_document_delete", args=[found.pk])
    client.force_login(officer)
    assert client.get(delete).status_code == 403
    client.force_login(coordinator())
    assert client.get(delete).status_code == 200


def test_the_engagements_offered_are_national_and_the_officer_s_local_ones(client, reunion, other, officer):
    from tests.engagements.factories import LocalEngagementFactory

    LocalEngagementFactory(prefecture=reunion, code="RDV-974")
    LocalEngagementFactory(prefecture=other, code="RDV-94")
    client.force_login(officer)
    offered = client.get(ADD).context["adminform"].form.fields["engagements"].queryset
    codes = set(offered.values_list("code", flat=True))
    assert "RDV-974" in codes and "RDV-94" not in codes and "ATTENTE-GUICHET" in codes


def listed(client, **params):
    response = client.get(LIST, params)
    assert response.status_code == 200
    return {obj.title for obj in response.context["cl"].result_list}


def test_the_list_filters_by_validity_kind_engagement_and_site(client, reunion, officer):
    today = reunion.today()
    site = SiteFactory(prefecture=reunion)
    document(reunion, title="Périmé", valid_until=today - datetime.timedelta(days=1))
    document(reunion, title="Bientôt", kind=DocumentKind.POSTER, valid_until=today + datetime.timedelta(days=10))
    document(reunion, title="Valide", valid_until=today + datetime.timedelta(days=300), sites=[site])
    document(reunion, title="Sans fin", kind=DocumentKind.PHOTO, engagements=[engagement("ATTENTE-GUICHET")])
    client.force_login(officer)
    assert listed(client, validity="lapsed") == {"Périmé"}
    assert listed(client, validity="lapsing") == {"Bientôt"}
    assert listed(client, validity="valid") == {"Valide"}
    assert listed(client, validity="open_ended") == {"Sans fin"}
    assert listed(client, kind__exact="poster") == {"Bientôt"}
    assert listed(client, engagements__id__exact=engagement("ATTENTE-GUICHET").pk) == {"Sans fin"}
    assert listed(client, sites__id__exact=site.pk) == {"Valide"}
    page = client.get(LIST).content.decode()
    assert "Bientôt périmé" in page and "ATTENTE-GUICHET" in page


def _queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    return len(queries)


def test_the_list_takes_the_same_queries_whatever_the_rows(client, reunion, officer, django_assert_max_num_queries):
    site = SiteFactory(prefecture=reunion)
    codes = ["ATTENTE-GUICHET", "COURRIERS-15J"]

    def add_one(n):
        with_versions(reunion, 2, title=f"Document {n}", engagements=[engagement(c) for c in codes], sites=[site])

    add_one(0)
    client.force_login(officer)
    _queries(client)  # the role-permission cache, warmed
    one = _queries(client)
    for n in range(1, 6):
        add_one(n)
    assert _queries(client) == one
    with django_assert_max_num_queries(14):
        client.get(LIST)


def test_the_change_page_takes_the_same_queries_whatever_the_versions(client, reunion, officer):
    found = with_versions(reunion, 2)
    client.force_login(officer)
    client.get(change_url(found))
    with CaptureQueriesContext(connection) as two:
        client.get(change_url(found))
    for _ in range(4):
        from evidence.services import document_add_version

        document_add_version(document=found, upload=png())
    with CaptureQueriesContext(connection) as six:
        client.get(change_url(found))
    assert len(six) == len(two)
