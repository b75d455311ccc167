"""The committee's public page and the committee's opinion on the citizen's tracking page."""

import datetime
import re

from django.template import Context, Template
from django.urls import reverse

from committee.enums import ActionStatus, MemberCategory, Verdict
from committee.services import suggestion_opinion_record
from complaints.tracking_links import case_for_token
from tests.complaints.factories import CaseFactory

from .factories import (
    ImprovementActionFactory,
    MeetingFactory,
    MemberFactory,
    SuggestionOpinionFactory,
    WorkingGroupFactory,
)

URL = "/la-reunion/comite/"


def page(client):
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def test_the_public_address_is_french_and_readable(committee):
    assert reverse("committee:public", kwargs={"slug": "la-reunion"}) == URL


def test_a_private_person_name_never_shows_without_consent(client, committee):
    MemberFactory(committee=committee, first_name="Josiane", last_name="Técher", name_is_public=False)
    html = page(client)
    assert "Técher" not in html and "Josiane" not in html
    assert str(MemberCategory.PRIVATE_PERSON.label) in html


def test_a_name_shows_with_consent_and_the_consent_date_is_kept(client, committee):
    member = MemberFactory(committee=committee, first_name="Paul", last_name="Hoarau", name_is_public=True)
    assert member.name_consent_at is not None
    assert "Paul Hoarau" in page(client)
    member.name_is_public = False
    member.save()
    assert member.name_consent_at is None
    assert "Hoarau" not in page(client)


def test_organisations_show_by_category_but_not_their_representative_without_consent(client, committee):
    MemberFactory(committee=committee, association=True, organisation="UDAF de La Réunion", last_name="Grondin")
    html = page(client)
    assert "UDAF de La Réunion" in html and str(MemberCategory.ASSOCIATION.label) in html
    assert "Grondin" not in html


def test_former_members_are_not_listed(client, committee):
    MemberFactory(committee=committee, association=True, organisation="Ancienne association", is_active=False)
    MemberFactory(
        committee=committee, association=True, organisation="Mandat terminé", term_end=datetime.date(2024, 12, 31)
    )
    html = page(client)
    assert "Ancienne association" not in html and "Mandat terminé" not in html


def test_only_published_summaries_show(client, committee):
    MeetingFactory(committee=committee, held=True, public_summary="Résumé publié des délais.", summary_published=True)
    MeetingFactory(committee=committee, held=True, public_summary="Résumé en relecture.", summary_published=False)
    MeetingFactory(committee=committee, held=True, minutes="Compte rendu interne des débats.")
    html = page(client)
    assert "Résumé publié des délais." in html
    assert "Résumé en relecture." not in html
    assert "Compte rendu interne des débats." not in html


def test_the_next_meeting_date_shows(client, committee):
    MeetingFactory(committee=committee, title="Plénière d'hiver", date=datetime.date(2031, 12, 3))
    MeetingFactory(committee=committee, title="Plénière d'automne", date=datetime.date(2031, 10, 8))
    html = page(client)
    assert "8 octobre 2031" in html and "3 décembre 2031" not in html


def test_another_prefecture_committee_does_not_leak(client, committee, other_committee):
    MemberFactory(committee=other_committee, association=True, organisation="Association du 94")
    MeetingFactory(committee=other_committee, held=True, public_summary="Résumé du 94", summary_published=True)
    html = page(client)
    assert "Association du 94" not in html and "Résumé du 94" not in html


def test_you_told_us_we_did_shows_done_public_actions_with_what_raised_them(client, committee):
    reunion = committee.prefecture
    complaints = CaseFactory.create_batch(2, prefecture=reunion)
    suggestion = CaseFactory(prefecture=reunion, suggestion=True)
    group = WorkingGroupFactory(committee=committee, theme="Permis de conduire et cartes grises")
    done = ImprovementActionFactory(
        prefecture=reunion,
        title="Un écran d’attente dans le hall",
        status=ActionStatus.DONE,
        done_on=datetime.date(2026, 2, 2),
        outcome="L’attente moyenne est passée de 52 à 31 minutes.",
        public_origin="Vous ne saviez pas combien de temps vous alliez attendre.",
        origin_working_group=group,
    )
    done.origin_cases.set([*complaints, suggestion])
    ImprovementActionFactory(prefecture=reunion, title="Action encore en cours", status=ActionStatus.IN_PROGRESS)
    ImprovementActionFactory(
        prefecture=reunion, title="Action interne", status=ActionStatus.DONE, outcome="Fait.", is_public=False
    )
    html = page(client)
    assert "Un écran d’attente dans le hall" in html
    assert "L’attente moyenne est passée de 52 à 31 minutes." in html
    assert "Vous ne saviez pas combien de temps vous alliez attendre." in html
    assert "Permis de conduire et cartes grises" in html
    assert "2 complaints" in html or "2 réclamations" in html
    assert "Action encore en cours" not in html and "Action interne" not in html
    assert complaints[0].name not in html  # the citizens behind a case stay private


def test_a_prefecture_without_committee_says_so(client, reunion):
    assert client.get(URL).status_code == 200


def test_the_public_page_queries_are_bounded(client, committee, django_assert_max_num_queries):
    for i in range(10):
        MemberFactory(committee=committee, name_is_public=i % 2 == 0)
        MeetingFactory(committee=committee, held=True, public_summary=f"Résumé {i}", summary_published=True)
        ImprovementActionFactory(prefecture=committee.prefecture, status=ActionStatus.DONE, outcome="Fait.")
    with django_assert_max_num_queries(10):
        page(client)


def render_opinion(case):
    return Template("{% load committee %}{% committee_opinion case %}").render(Context({"case": case}))


def test_the_citizen_reads_the_committee_opinion_on_their_suggestion(committee):
    meeting = MeetingFactory(committee=committee, held=True, date=datetime.date(2026, 3, 12))
    opinion = SuggestionOpinionFactory(
        committee=committee, meeting=meeting, verdict=Verdict.FAVOURABLE, text="Le comité soutient votre idée."
    )
    html = render_opinion(opinion.case)
    assert "Le comité soutient votre idée." in html and "12 mars 2026" in html
    assert str(Verdict.FAVOURABLE.label) in html


def test_no_opinion_no_block(committee):
    assert render_opinion(CaseFactory(prefecture=committee.prefecture, suggestion=True)).strip() == ""
    assert render_opinion(CaseFactory(prefecture=committee.prefecture)).strip() == ""


def test_the_citizen_is_told_when_the_committee_gives_its_opinion(
    committee, mailoutbox, django_capture_on_commit_callbacks
):
    case = CaseFactory(
        prefecture=committee.prefecture, suggestion=True, email="idee@example.org", reference="974-2026-000077"
    )
    meeting = MeetingFactory(committee=committee, held=True)
    with django_capture_on_commit_callbacks(execute=True):
        suggestion_opinion_record(case=case, verdict=Verdict.DEFERRED, text="À revoir.", meeting=meeting)
    assert mailoutbox == []  # postponed: no opinion yet
    with django_capture_on_commit_callbacks(execute=True):
        suggestion_opinion_record(case=case, verdict=Verdict.FAVOURABLE, text="Le comité soutient votre idée.")
    [sent] = mailoutbox
    assert sent.to == ["idee@example.org"]
    assert (
        " ".join(sent.subject.split()) == "Votre suggestion 974-2026-000077 : le comité des usagers a rendu son avis"
    )
    assert "Son avis : Favorable." in " ".join(sent.body.split())
    assert "Le comité soutient votre idée." not in sent.body  # read on the private page, not in the e-mail
    link = re.search(r"https?://\S+/suivi/(\S+)/", sent.body).group(1)
    assert case_for_token(link) == case
    # A correction shows on the page without another e-mail; an anonymous suggestion gets none.
    with django_capture_on_commit_callbacks(execute=True):
        suggestion_opinion_record(case=case, verdict=Verdict.UNFAVOURABLE, text="Finalement non.")
        anonymous = CaseFactory(prefecture=committee.prefecture, suggestion=True, email="")
        suggestion_opinion_record(case=anonymous, verdict=Verdict.FAVOURABLE, text="Oui.")
    assert len(mailoutbox) == 1
