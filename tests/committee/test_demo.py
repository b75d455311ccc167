"""The committee's demo: La Réunion over two years, loaded quickly and idempotently."""

import io

import pytest

from committee.demo import load_committees
from committee.enums import ActionStatus, MeetingStatus
from committee.models import Document, ImprovementAction, Meeting, Member, WorkingGroup
from qualipref.demo import load_accounts, load_prefectures


@pytest.mark.django_db
def test_the_demo_committee_is_complete_and_idempotent(client, django_assert_max_num_queries):
    load_prefectures()
    load_accounts()
    load_committees()
    counts = [Member.objects.count(), Meeting.objects.count(), ImprovementAction.objects.count()]
    with django_assert_max_num_queries(1500):  # a second run only updates
        load_committees()
    assert [Member.objects.count(), Meeting.objects.count(), ImprovementAction.objects.count()] == counts

    reunion = Member.objects.filter(committee__prefecture__department_code="974")
    assert reunion.count() == 12
    themes = WorkingGroup.objects.filter(committee__prefecture__department_code="974").values_list("theme", flat=True)
    assert set(themes) == {"Titres de séjour", "Permis de conduire et certificats d’immatriculation"}
    meetings = Meeting.objects.filter(committee__prefecture__department_code="974")
    first, last = meetings.order_by("date").first().date, meetings.order_by("date").last().date
    assert (last - first).days > 700
    assert meetings.filter(status=MeetingStatus.PLANNED).exists() and meetings.with_published_summary().exists()
    assert set(ImprovementAction.objects.values_list("status", flat=True)) == set(ActionStatus)
    assert ImprovementAction.objects.overdue().exists()

    # The README's committee account logs into the members' space.
    member = reunion.get(email="comite.974@example.org")
    client.force_login(member.user)
    assert client.get("/comite/").status_code == 200
    assert client.get("/la-reunion/comite/").status_code == 200


@pytest.mark.django_db
def test_the_prefecture_page_links_to_its_committee(client):
    load_prefectures()
    assert 'href="/la-reunion/comite/"' in client.get("/la-reunion/").content.decode()


def pdf_text(document):
    from pypdf import PdfReader

    with document.file.open("rb") as handle:
        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)


@pytest.mark.django_db
def test_the_demo_documents_are_real_pdfs_with_the_meeting_in_them():
    load_prefectures()
    load_accounts()
    load_committees()
    documents = {document.title: document for document in Document.objects.select_related("meeting")}
    assert set(documents) == {"Compte rendu signé", "Ordre du jour", "Tableau de bord qualité du trimestre"}
    for document in documents.values():
        text = pdf_text(document)
        assert document.title in text and document.meeting.title in text
        assert "Bilan des réclamations du trimestre" in text  # the agenda
        assert document.size == document.file.size
    minutes = pdf_text(documents["Compte rendu signé"])
    assert "Membres présents" in minutes and "Grondin" in minutes and "La séance est levée à 12 h." in minutes
    dashboard = pdf_text(documents["Tableau de bord qualité du trimestre"])
    assert "Réclamations reçues sur les trois derniers mois" in dashboard

    load_committees()  # a second run the same day keeps them
    assert {d.title: d.sha256 for d in Document.objects.all()} == {t: d.sha256 for t, d in documents.items()}
