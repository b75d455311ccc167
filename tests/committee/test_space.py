"""The members' space: one's own committee's meetings, documents and comments, and nobody else's."""

import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from committee.enums import DocumentKind
from committee.models import Comment
from qualipref.enums import Role
from qualipref.services import membership_grant
from tests.complaints.factories import PDF_BYTES, CaseFactory
from tests.qualipref.factories import officer_of

from .factories import (
    AgendaItemFactory,
    CommentFactory,
    DocumentFactory,
    MeetingFactory,
    member_with_account,
)


@pytest.fixture
def member_client(client, committee):
    member = member_with_account(committee)
    client.force_login(member.user)
    client.member = member
    return client


@pytest.fixture
def foreign(other_committee):
    """Another committee's meeting, agenda item, document and comment."""
    meeting = MeetingFactory(committee=other_committee, title="Réunion du Val-de-Marne")
    item = AgendaItemFactory(meeting=meeting, title="Point confidentiel du 94")
    document = DocumentFactory(meeting=meeting, title="Document réservé au 94")
    comment = CommentFactory(agenda_item=item, body="Commentaire réservé au comité du 94")
    return {"meeting": meeting, "item": item, "document": document, "comment": comment}


def test_member_sees_their_meetings_agenda_documents_and_comments(member_client, committee):
    meeting = MeetingFactory(committee=committee, title="Plénière de mars")
    item = AgendaItemFactory(meeting=meeting, title="Délais des titres de séjour")
    DocumentFactory(meeting=meeting, agenda_item=item, title="Tableau de bord du trimestre")
    CommentFactory(agenda_item=item, body="Peut-on voir les chiffres par site ?")

    home = member_client.get(reverse("committee:space")).content.decode()
    assert "Plénière de mars" in home
    page = member_client.get(reverse("committee:meeting", args=[meeting.pk])).content.decode()
    assert "Délais des titres de séjour" in page
    assert "Tableau de bord du trimestre" in page
    assert "Peut-on voir les chiffres par site ?" in page


def test_member_never_sees_another_committee(member_client, foreign):
    home = member_client.get(reverse("committee:space")).content.decode()
    assert "Réunion du Val-de-Marne" not in home
    assert member_client.get(reverse("committee:meeting", args=[foreign["meeting"].pk])).status_code == 404
    assert member_client.get(reverse("committee:document", args=[foreign["document"].pk])).status_code == 404


def test_member_cannot_comment_on_another_committee_agenda(member_client, foreign):
    url = reverse("committee:comment_add", args=[foreign["meeting"].pk, foreign["item"].pk])
    assert member_client.post(url, {"body": "Intrusion"}).status_code == 404
    assert not Comment.objects.filter(body="Intrusion").exists()


def test_comments_of_another_committee_never_show(member_client, committee, foreign):
    # Same agenda title in both committees: only our comment shows.
    meeting = MeetingFactory(committee=committee)
    AgendaItemFactory(meeting=meeting, title=foreign["item"].title)
    page = member_client.get(reverse("committee:meeting", args=[meeting.pk])).content.decode()
    assert "Commentaire réservé au comité du 94" not in page


def test_member_downloads_their_committee_pdf(member_client, committee):
    document = DocumentFactory(meeting=MeetingFactory(committee=committee), original_name="tableau.pdf")
    response = member_client.get(reverse("committee:document", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_documents_are_not_reachable_anonymously(client, committee):
    document = DocumentFactory(meeting=MeetingFactory(committee=committee))
    response = client.get(reverse("committee:document", args=[document.pk]))
    assert response.status_code == 302 and reverse("committee:login") in response["Location"]


def test_officers_download_their_prefectures_documents_only(client, committee, foreign):
    own = DocumentFactory(meeting=MeetingFactory(committee=committee))
    client.force_login(officer_of(committee.prefecture))
    assert client.get(reverse("committee:document", args=[own.pk])).status_code == 200
    assert client.get(reverse("committee:document", args=[foreign["document"].pk])).status_code == 404


def test_a_member_who_is_also_auditor_of_their_prefecture_still_cannot_reach_another(client, committee, foreign):
    member = member_with_account(committee)
    membership_grant(user=member.user, role=Role.AUDITOR, prefecture=committee.prefecture)
    client.force_login(member.user)
    assert client.get(reverse("committee:document", args=[foreign["document"].pk])).status_code == 404


def test_member_comments_before_the_meeting_and_not_after(member_client, committee):
    upcoming = AgendaItemFactory(meeting=MeetingFactory(committee=committee))
    url = reverse("committee:comment_add", args=[upcoming.meeting_id, upcoming.pk])
    response = member_client.post(url, {"body": "Je soutiens ce point."})
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.member == member_client.member and comment.body == "Je soutiens ce point."

    past = AgendaItemFactory(meeting=MeetingFactory(committee=committee, held=True))
    member_client.post(reverse("committee:comment_add", args=[past.meeting_id, past.pk]), {"body": "Trop tard"})
    assert not Comment.objects.filter(body="Trop tard").exists()


def test_minutes_show_once_the_meeting_is_held(member_client, committee):
    meeting = MeetingFactory(committee=committee, held=True, minutes="Le comité a examiné les délais.")
    DocumentFactory(meeting=meeting, kind=DocumentKind.MINUTES, title="Compte rendu signé")
    page = member_client.get(reverse("committee:meeting", args=[meeting.pk])).content.decode()
    assert "Le comité a examiné les délais." in page and "Compte rendu signé" in page


def test_suggestions_under_review_never_show_who_wrote_them(member_client, committee):
    CaseFactory(
        prefecture=committee.prefecture,
        suggestion=True,
        status="forwarded_to_committee",
        subject="Un écran affichant l’attente",
        name="Jean-Pierre Lauret",
        email="jp.lauret@example.org",
    )
    home = member_client.get(reverse("committee:space")).content.decode()
    assert "Un écran affichant l’attente" in home
    assert "Lauret" not in home and "jp.lauret" not in home


def test_member_space_queries_are_bounded(member_client, committee, django_assert_max_num_queries):
    for day in range(5):
        meeting = MeetingFactory(committee=committee, date=timezone.localdate() + datetime.timedelta(days=day + 1))
        for _i in range(3):
            item = AgendaItemFactory(meeting=meeting)
            DocumentFactory(meeting=meeting, agenda_item=item)
            CommentFactory(agenda_item=item)
    with django_assert_max_num_queries(20):
        member_client.get(reverse("committee:space"))
    with django_assert_max_num_queries(20):
        member_client.get(reverse("committee:meeting", args=[meeting.pk]))


def test_every_past_meeting_is_reachable_page_by_page(member_client, committee):
    today = committee.prefecture.today()
    for number in range(1, 31):
        MeetingFactory(
            committee=committee,
            held=True,
            title=f"Séance passée n° {number:02d}",
            date=today - datetime.timedelta(days=7 * number),
        )
    seen, url, pages = [], reverse("committee:space"), 0
    while url:
        page = member_client.get(url).content.decode()
        pages += 1
        assert 'class="fr-pagination"' in page
        seen += [int(number) for number in re.findall(r"Séance passée n° (\d\d)", page)]
        following = re.search(r'class="fr-pagination__link fr-pagination__link--next[^"]*"\s+href="([^"]+)"', page)
        url = reverse("committee:space") + html.unescape(following.group(1)) if following else None
    assert pages == 3
    assert seen == list(range(1, 31))  # the most recent first, each once
