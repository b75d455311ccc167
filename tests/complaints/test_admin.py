"""The officers' side of complaints in the admin: the list, the case page, the workflow views,
answers from templates, cases entered by officers, transfers, the right-of-access export, and
isolation between prefectures at every one of these doors."""

import datetime
import json
import logging
import re
from html.parser import HTMLParser

import pytest
import time_machine
from django.contrib import admin
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from complaints.admin.cases import CaseAdmin
from complaints.admin.listing import CappedCountPaginator, due_badge
from complaints.enums import Channel, Kind, MessageKind, Status
from complaints.models import Case, Transition
from complaints.workflow import (
    ANSWER_ONLY_STATUSES,
    COMPLAINT_TRANSITIONS,
    SUGGESTION_TRANSITIONS,
    check_transition,
)
from qualipref.enums import Role
from qualipref.workflow import TransitionRefused
from tests.complaints.factories import AnswerTemplateFactory, AttachmentFactory, CaseFactory, MessageFactory, topic_of
from tests.qualipref.factories import MembershipFactory, PrefectureFactory, ServiceFactory, SiteFactory, officer_of

TODAY = timezone.localdate()
LONG_AGO = TODAY - datetime.timedelta(days=60)


# --- fixtures and helpers ------------------------------------------------------------------------------


@pytest.fixture
def reunion():
    return PrefectureFactory(reunion=True)


@pytest.fixture
def other():
    return PrefectureFactory(department_code="94", name="Val-de-Marne", slug="val-de-marne")


@pytest.fixture
def officer(reunion):
    return officer_of(reunion, first_name="Camille", last_name="Payet")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Every test logs in officers made by factories: a slow password hash per user adds up.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def foreign_case(other):
    return CaseFactory(prefecture=other, reference="94-2026-000001", subject="Dossier du Val-de-Marne")


def url(name, *args):
    return reverse(f"admin:complaints_case_{name}", args=args)


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def listed(response):
    return set(response.context["cl"].result_list)


def refusal_of(case, target):
    """The explanation the workflow gives for refusing ``target``, in the language of the page."""
    with pytest.raises(TransitionRefused) as refusal:
        check_transition(case, target)
    return str(refusal.value.message)


def transition(client, case, to, **data):
    return client.post(url("transition", case.pk), {"to": to, **data})


# --- the list -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_overdue_case_is_shown_in_words_and_colour(officer_client, reunion):
    CaseFactory(prefecture=reunion, received_on=LONG_AGO, due_on=TODAY - datetime.timedelta(days=1))
    html = officer_client.get(url("changelist")).content.decode()
    assert f'class="qp-badge qp-badge--error">{_("Overdue")}</strong>' in html
    assert "complaints/admin/cases.css" in html


@pytest.mark.django_db
def test_every_row_shows_its_own_case_s_due_badge_in_its_prefecture_s_day(client, reunion):
    """The list works out each prefecture's today and each badge once a page (``listing.DueBadges``): every row
    shows what ``due_badge`` gives for its case, rows sharing a date but not a state or a prefecture's day too."""
    paris = PrefectureFactory(department_code="75", name="Paris", slug="paris", time_zone="Europe/Paris")
    due = datetime.date(2026, 12, 1)
    late_in_reunion, not_yet_in_paris, waiting, closed, later = [
        CaseFactory(prefecture=prefecture, status=status, received_on=LONG_AGO, due_on=due_on)
        for prefecture, status, due_on in [
            (reunion, Status.IN_PROGRESS, due),
            (paris, Status.IN_PROGRESS, due),
            (reunion, Status.WAITING_CITIZEN, due),
            (reunion, Status.CLOSED, due),
            (reunion, Status.IN_PROGRESS, due + datetime.timedelta(days=3)),
        ]
    ]
    client.force_login(MembershipFactory(prefecture=None, role=Role.NATIONAL_COORDINATOR).user)
    with time_machine.travel(datetime.datetime(2026, 12, 1, 22, 30, tzinfo=datetime.UTC), tick=False):
        html = client.get(url("changelist")).content.decode()
        badges = {case: str(due_badge(Case.objects.get(pk=case.pk))) for case in Case.objects.all()}
    assert _("Overdue") in badges[late_in_reunion] and _("Overdue") not in badges[not_yet_in_paris]
    assert _("Clock stopped") in badges[waiting]
    assert badges[closed] == badges[not_yet_in_paris] != badges[later]
    for case, badge in badges.items():
        row = re.search(rf"<tr>(?:(?!</tr>).)*>{case.reference}</a>.*?</tr>", html, re.DOTALL).group(0)
        assert f'<td class="field-due">{badge}</td>' in row


@pytest.mark.django_db
def test_the_list_s_checkbox_and_short_subject_are_django_s(officer_client, reunion):
    """``CaseAdmin.action_checkbox`` and ``short_subject`` write what Django's checkbox widget and ``Truncator``
    write, without their per-row cost: a subject short, long, or not in composed form (NFC)."""
    case_admin = CaseAdmin(Case, admin.site)
    for subject in ['Attente <au> guichet & "file"', "é" * 61, "Cafe\u0301 " * 8, "x" * 60, "x" * 61]:
        case = CaseFactory(prefecture=reunion, subject=subject)
        assert case_admin.action_checkbox(case) == admin.ModelAdmin.action_checkbox(case_admin, case)
        assert case_admin.short_subject(case) == Truncator(subject).chars(60)


@pytest.mark.django_db
def test_overdue_filter_keeps_only_open_cases_past_their_due_date(officer_client, reunion):
    late = CaseFactory(prefecture=reunion, status=Status.IN_PROGRESS, due_on=TODAY - datetime.timedelta(days=1))
    on_time = CaseFactory(prefecture=reunion, status=Status.IN_PROGRESS, due_on=TODAY + datetime.timedelta(days=3))
    waiting = CaseFactory(prefecture=reunion, status=Status.WAITING_CITIZEN, due_on=TODAY - datetime.timedelta(days=1))
    closed = CaseFactory(prefecture=reunion, status=Status.CLOSED, due_on=TODAY - datetime.timedelta(days=1))
    response = officer_client.get(url("changelist"), {"overdue": "yes"})
    assert listed(response) == {late}
    assert {on_time, waiting, closed}.isdisjoint(listed(response))


@pytest.mark.django_db
def test_a_case_is_late_from_midnight_in_its_own_prefecture(client, reunion):
    """At 23:30 in Paris it is 02:30 the next day in La Réunion: a case due that day is late there only."""
    paris = PrefectureFactory(department_code="75", name="Paris", slug="paris", time_zone="Europe/Paris")
    due = datetime.date(2026, 12, 1)
    in_reunion = CaseFactory(prefecture=reunion, status=Status.IN_PROGRESS, received_on=LONG_AGO, due_on=due)
    in_paris = CaseFactory(prefecture=paris, status=Status.IN_PROGRESS, received_on=LONG_AGO, due_on=due)
    coordinator = MembershipFactory(prefecture=None, role=Role.NATIONAL_COORDINATOR).user
    client.force_login(coordinator)
    with time_machine.travel(datetime.datetime(2026, 12, 1, 22, 30, tzinfo=datetime.UTC), tick=False):
        assert list(Case.objects.overdue()) == [in_reunion]
        assert in_reunion.is_overdue() and not in_paris.is_overdue()
        assert listed(client.get(url("changelist"), {"overdue": "yes"})) == {in_reunion}
        html = client.get(url("change", in_paris.pk)).content.decode()
        assert _("Overdue") not in html
        html = client.get(url("change", in_reunion.pk)).content.decode()
        assert f'class="qp-badge qp-badge--error">{_("Overdue")}</strong>' in html
    with time_machine.travel(datetime.datetime(2026, 12, 1, 23, 30, tzinfo=datetime.UTC), tick=False):
        assert set(Case.objects.overdue()) == {in_reunion, in_paris}


@pytest.mark.django_db
def test_assigned_to_me_filter_lists_my_cases_only(officer_client, reunion, officer):
    mine = CaseFactory(prefecture=reunion, assignee=officer)
    colleague = CaseFactory(prefecture=reunion, assignee=officer_of(reunion))
    nobody = CaseFactory(prefecture=reunion)
    assert listed(officer_client.get(url("changelist"), {"assigned": "me"})) == {mine}
    assert listed(officer_client.get(url("changelist"), {"assigned": "nobody"})) == {nobody}
    assert colleague in listed(officer_client.get(url("changelist")))


@pytest.mark.django_db
@pytest.mark.parametrize("term", ["974-2026-000123", "974-2026-0001", "974-2026", "123", "000123"])
def test_search_finds_a_case_by_its_reference_or_the_reference_beginning(officer_client, reunion, term):
    wanted = CaseFactory(prefecture=reunion, reference="974-2026-000123")
    CaseFactory(prefecture=reunion, reference="974-2025-000200")
    response = officer_client.get(url("changelist"), {"q": term})
    assert wanted in listed(response)
    assert len(listed(response)) == 1


@pytest.mark.django_db
def test_search_by_email_is_exact_and_ignores_case(officer_client, reunion):
    wanted = CaseFactory(prefecture=reunion, email="marie.hoarau@example.org")
    CaseFactory(prefecture=reunion, email="marie.hoarau@example.org.evil")
    assert listed(officer_client.get(url("changelist"), {"q": " Marie.Hoarau@Example.org "})) == {wanted}


@pytest.mark.django_db
def test_search_by_name_matches_part_of_the_name(officer_client, reunion):
    wanted = CaseFactory(prefecture=reunion, name="Jean-Paul Grondin")
    CaseFactory(prefecture=reunion, name="Marie Hoarau")
    assert listed(officer_client.get(url("changelist"), {"q": "grondin"})) == {wanted}


@pytest.mark.django_db
def test_search_never_reaches_another_prefecture(officer_client, reunion, foreign_case):
    assert not listed(officer_client.get(url("changelist"), {"q": foreign_case.reference}))
    assert not listed(officer_client.get(url("changelist"), {"q": foreign_case.email}))


def _list_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("changelist"))
    assert response.status_code == 200
    return len(queries), response


@pytest.mark.django_db
def test_case_list_runs_the_same_few_queries_whatever_the_number_of_cases(
    officer_client, reunion, officer, django_assert_max_num_queries
):
    for _i in range(5):
        CaseFactory(prefecture=reunion, assignee=officer, site=SiteFactory(prefecture=reunion))
    officer_client.get(url("changelist"))  # warm the role-permission cache shared by all requests
    few, _response = _list_queries(officer_client)
    colleagues = [officer_of(reunion) for _i in range(3)]
    for number in range(105):
        CaseFactory(prefecture=reunion, assignee=colleagues[number % 3], site=SiteFactory(prefecture=reunion))
    many, response = _list_queries(officer_client)
    assert len(response.context["cl"].result_list) == CaseAdmin.list_per_page == 100
    assert few == many
    with django_assert_max_num_queries(12):
        officer_client.get(url("changelist"), {"overdue": "yes", "assigned": "me", "q": "974-2026"})


@pytest.mark.django_db
def test_case_list_never_counts_past_the_cap(officer_client, reunion, monkeypatch):
    monkeypatch.setattr(CappedCountPaginator, "exact_up_to", 3)
    for _i in range(5):
        CaseFactory(prefecture=reunion)
    with CaptureQueriesContext(connection) as queries:
        response = officer_client.get(url("changelist"))
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT 4" in sql for sql in counts)
    assert response.context["cl"].paginator.is_estimate
    assert _("about %(count)s cases") % {"count": 4} in response.content.decode()


@pytest.mark.django_db
def test_exact_count_below_the_cap(officer_client, reunion):
    for _i in range(3):
        CaseFactory(prefecture=reunion)
    response = officer_client.get(url("changelist"))
    assert response.context["cl"].result_count == 3
    assert not response.context["cl"].paginator.is_estimate


@pytest.mark.django_db
def test_date_hierarchy_drills_down_by_date_of_receipt_without_scanning_cases(officer_client, reunion):
    old = CaseFactory(prefecture=reunion, received_on=datetime.date(2025, 3, 14))
    new = CaseFactory(prefecture=reunion, received_on=TODAY)
    response = officer_client.get(url("changelist"), {"received_on__year": 2025})
    assert listed(response) == {old}
    assert new not in listed(response)
    html = response.content.decode()
    assert "received_on__month=3" in html
    with CaptureQueriesContext(connection) as queries:
        officer_client.get(url("changelist"))
    # Only the capped count and the page itself read the cases: no MIN/MAX, no DISTINCT years.
    assert len([q for q in queries.captured_queries if '"complaints_case"' in q["sql"]]) == 2


@pytest.mark.django_db
def test_service_filter_offers_only_own_prefecture_services(officer_client, reunion, other):
    ServiceFactory(prefecture=reunion, name="Titres de séjour 974")
    ServiceFactory(prefecture=other, name="Cartes grises 94")
    html = officer_client.get(url("changelist")).content.decode()
    assert "Titres de séjour 974" in html
    assert "Cartes grises 94" not in html


@pytest.mark.django_db
def test_officer_list_holds_only_own_prefecture_cases(officer_client, reunion, foreign_case):
    own = CaseFactory(prefecture=reunion)
    assert listed(officer_client.get(url("changelist"))) == {own}


@pytest.mark.django_db
def test_service_agent_sees_only_their_service_cases(client, reunion):
    sejour = ServiceFactory(prefecture=reunion, name="Titres de séjour")
    agent = MembershipFactory(prefecture=reunion, role=Role.SERVICE_AGENT, service=sejour).user
    theirs = CaseFactory(prefecture=reunion, service=sejour)
    elsewhere = CaseFactory(prefecture=reunion)
    client.force_login(agent)
    assert listed(client.get(url("changelist"))) == {theirs}
    assert client.get(url("change", elsewhere.pk)).status_code in {302, 404}


@pytest.mark.django_db
def test_national_coordinator_sees_the_prefecture_column(client, reunion, other):
    from tests.qualipref.factories import coordinator

    CaseFactory(prefecture=reunion)
    CaseFactory(prefecture=other)
    client.force_login(coordinator())
    response = client.get(url("changelist"))
    assert len(listed(response)) == 2
    assert "prefecture" in response.context["cl"].list_display


# --- the case page ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_case_page_shows_the_thread_notes_and_attachment_links(officer_client, reunion, officer):
    case = CaseFactory(prefecture=reunion)
    MessageFactory(case=case, kind=MessageKind.CITIZEN, body="Je joins mon récépissé.")
    MessageFactory(case=case, kind=MessageKind.NOTE, author=officer, body="Appeler le guichet 3.")
    MessageFactory(case=case, kind=MessageKind.ANSWER, author=officer, body="Votre titre est prêt.")
    attachment = AttachmentFactory(case=case, original_name="recepisse.pdf")
    Transition.objects.create(case=case, from_status="", to_status=Status.NEW)
    html = officer_client.get(url("change", case.pk)).content.decode()
    for text in (
        "Je joins mon récépissé.",
        "Appeler le guichet 3.",
        "Votre titre est prêt.",
        str(MessageKind.NOTE.label),
    ):
        assert text in html
    assert f'href="{reverse("complaints:attachment_download", args=[attachment.pk])}"' in html
    assert "recepisse.pdf" in html


@pytest.mark.django_db
def test_case_page_escapes_the_citizen_text(officer_client, reunion):
    case = CaseFactory(prefecture=reunion, description="<script>alert(1)</script>")
    MessageFactory(case=case, body="<img src=x onerror=alert(2)>")
    html = officer_client.get(url("change", case.pk)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html


def _change_post_data(case, **changes):
    data = {"topic": case.topic_id, "site": case.site_id or "", "_save": "Save"}
    for prefix in ("messages", "attachments", "transitions"):
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    return data | changes


@pytest.mark.django_db
def test_officer_cannot_edit_the_citizen_text(officer_client, reunion):
    case = CaseFactory(prefecture=reunion, subject="Attente", description="Texte du citoyen", email="a@example.org")
    officer_client.post(
        url("change", case.pk),
        _change_post_data(case, subject="Changé", description="Réécrit", email="b@example.org", status="closed"),
    )
    case.refresh_from_db()
    assert (case.subject, case.description, case.email, case.status) == (
        "Attente",
        "Texte du citoyen",
        "a@example.org",
        Status.NEW,
    )


class _FormFields(HTMLParser):
    """The name/value pairs a browser would send with the page's main form (``#case_form``)."""

    def __init__(self):
        super().__init__()
        self.data, self._inside, self._select = {}, False, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._inside = attrs.get("id") == "case_form"
        elif self._inside and tag == "input" and attrs.get("name") and attrs.get("type") not in {"submit", "checkbox"}:
            self.data[attrs["name"]] = attrs.get("value", "")
        elif self._inside and tag == "select":
            self._select = attrs.get("name")
            self.data.setdefault(self._select, "")
        elif self._inside and tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._inside = False
        elif tag == "select":
            self._select = None


@pytest.mark.django_db
def test_saving_the_case_page_as_a_browser_does_keeps_the_thread(officer_client, reunion, officer):
    case = CaseFactory(prefecture=reunion)
    MessageFactory(case=case, body="Message du citoyen")
    MessageFactory(case=case, kind=MessageKind.NOTE, author=officer, body="Note")
    AttachmentFactory(case=case)
    Transition.objects.create(case=case, from_status="", to_status=Status.NEW)
    fields = _FormFields()
    fields.feed(officer_client.get(url("change", case.pk)).content.decode())
    assert fields.data["messages-TOTAL_FORMS"] == "2"
    response = officer_client.post(
        url("change", case.pk), {**fields.data, "topic": topic_of(reunion, "phone").pk, "_save": "Save"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.topic.code == "phone"
    assert [m.body for m in case.messages.all()] == ["Message du citoyen", "Note"]
    assert case.attachments.count() == case.transitions.count() == 1


@pytest.mark.django_db
def test_officer_sorts_a_case_by_topic_and_site_and_it_is_in_the_history(officer_client, reunion, officer):
    case = CaseFactory(prefecture=reunion)
    site = SiteFactory(prefecture=reunion)
    response = officer_client.post(
        url("change", case.pk), _change_post_data(case, topic=topic_of(reunion, "phone").pk, site=site.pk)
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.topic.code, case.site) == ("phone", site)
    assert case.history.first().history_user == officer


@pytest.mark.django_db
def test_a_site_of_another_prefecture_cannot_be_chosen(officer_client, reunion, other):
    case = CaseFactory(prefecture=reunion)
    response = officer_client.post(
        url("change", case.pk), _change_post_data(case, site=SiteFactory(prefecture=other).pk)
    )
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.site is None


@pytest.mark.django_db
def test_history_is_shown_but_never_reverted(officer_client, reunion):
    case = CaseFactory(prefecture=reunion, status=Status.IN_PROGRESS)
    case.status = Status.CLOSED
    case.save()
    first = case.history.last()
    assert officer_client.get(url("history", case.pk)).status_code == 200
    page = officer_client.get(reverse("admin:complaints_case_simple_history", args=[case.pk, first.history_id]))
    assert page.status_code == 200
    assert 'value="Revert"' not in page.content.decode()
    response = officer_client.post(
        reverse("admin:complaints_case_simple_history", args=[case.pk, first.history_id]),
        _change_post_data(case),
    )
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == Status.CLOSED


@pytest.mark.django_db
def test_cases_are_never_deleted_from_the_admin(officer_client, reunion):
    case = CaseFactory(prefecture=reunion)
    assert officer_client.post(url("delete", case.pk), {"post": "yes"}).status_code == 403
    assert Case.objects.filter(pk=case.pk).exists()


@pytest.mark.django_db
def test_case_page_offers_one_button_per_allowed_next_status(officer_client, reunion):
    case = CaseFactory(prefecture=reunion, status=Status.ANSWERED)
    response = officer_client.get(url("change", case.pk))
    labels = [button["status"] for button in response.context["transition_buttons"]]
    assert labels == [Status.CLOSED, Status.REOPENED]
    assert response.context["answer_url"] is None


@pytest.mark.django_db
def test_auditor_sees_the_case_but_no_workflow(client, reunion):
    auditor = MembershipFactory(prefecture=reunion, role=Role.AUDITOR).user
    case = CaseFactory(prefecture=reunion)
    client.force_login(auditor)
    response = client.get(url("change", case.pk))
    assert response.status_code == 200
    assert not response.context["can_act"]
    assert transition(client, case, Status.ACKNOWLEDGED).status_code == 403
    case.refresh_from_db()
    assert case.status == Status.NEW


# --- status changes -------------------------------------------------------------------------------------


def _all_pairs():
    """Every (current, target) pair, allowed as the table says, except "answered" and "waiting for the
    citizen": a bare status change never reaches them (only an answer or a request sent to the citizen)."""
    for kind, table in ((Kind.COMPLAINT, COMPLAINT_TRANSITIONS), (Kind.SUGGESTION, SUGGESTION_TRANSITIONS)):
        statuses = sorted(set(table) | {s for targets in table.values() for s in targets})
        for current in table:
            for target in statuses:
                allowed = target in table[current] and target not in ANSWER_ONLY_STATUSES
                yield pytest.param(kind, current, target, allowed, id=f"{kind}-{current}-{target}")


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "current", "target", "allowed"), list(_all_pairs()))
def test_every_transition_through_the_admin_view(officer_client, reunion, officer, kind, current, target, allowed):
    case = CaseFactory(
        prefecture=reunion, kind=kind, status=current, email="" if kind == Kind.SUGGESTION else "a@b.fr"
    )
    before = Transition.objects.count()
    response = transition(officer_client, case, target, note="Hors sujet", public_reply="")
    assert response.status_code == 302
    case.refresh_from_db()
    if allowed:
        assert case.status == target
        logged = Transition.objects.latest("pk")
        assert (logged.from_status, logged.to_status, logged.by) == (current, target, officer)
        assert any(case.reference in message for message in messages_of(response))
    else:
        assert case.status == current
        assert Transition.objects.count() == before
        assert refusal_of(case, target) in messages_of(response)


@pytest.mark.django_db
def test_a_status_of_the_other_kind_is_refused_with_its_reason(officer_client, reunion):
    case = CaseFactory(prefecture=reunion, status=Status.NEW)
    response = transition(officer_client, case, Status.ACCEPTED)
    assert messages_of(response) == [refusal_of(case, Status.ACCEPTED)]
    case.refresh_from_db()
    assert case.status == Status.NEW


@pytest.mark.django_db
def test_rejection_needs_a_reason(officer_client, reunion):
    case = CaseFactory(prefecture=reunion, status=Status.NEW)
    response = transition(officer_client, case, Status.REJECTED, note="  ")
    assert response.status_code == 200
    assert response.context["form"].errors["note"]
    case.refresh_from_db()
    assert case.status == Status.NEW
    transition(officer_client, case, Status.REJECTED, note="Message publicitaire")
    case.refresh_from_db()
    assert (case.status, case.rejection_reason) == (Status.REJECTED, "Message publicitaire")


@pytest.mark.django_db
def test_rejection_page_asks_for_the_reason(officer_client, reunion):
    case = CaseFactory(prefecture=reunion, status=Status.NEW)
    response = officer_client.get(url("transition", case.pk), {"to": Status.REJECTED})
    assert response.status_code == 200
    assert response.context["form"].fields["note"].required
    assert str(_("Reason for rejection")) in response.content.decode()


@pytest.mark.django_db
def test_opening_the_page_of_a_refused_transition_explains_why(officer_client, reunion):
    case = CaseFactory(prefecture=reunion, status=Status.CLOSED)
    response = officer_client.get(url("transition", case.pk), {"to": Status.REJECTED})
    assert response.status_code == 302
    assert messages_of(response) == [refusal_of(case, Status.REJECTED)]


@pytest.mark.django_db
def test_suggestion_decision_with_a_public_reply_emails_its_author(
    officer_client, reunion, django_capture_on_commit_callbacks
):
    case = CaseFactory(prefecture=reunion, suggestion=True, email="idee@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        transition(officer_client, case, Status.ACCEPTED, public_reply="Merci, nous ouvrons un guichet le samedi.")
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED
    assert case.public_reply == "Merci, nous ouvrons un guichet le samedi."
    assert [email.to for email in mail.outbox] == [["idee@example.org"]]
    assert "/suivi/" in mail.outbox[0].body
    assert "guichet le samedi" not in mail.outbox[0].body


@pytest.mark.django_db
def test_suggestion_forwarded_to_the_committee(officer_client, reunion):
    case = CaseFactory(prefecture=reunion, suggestion=True, status=Status.UNDER_REVIEW)
    transition(officer_client, case, Status.FORWARDED_TO_COMMITTEE)
    case.refresh_from_db()
    assert case.status == Status.FORWARDED_TO_COMMITTEE
    assert not case.messages.exists()


class _WorkflowControls(HTMLParser):
    """The workflow panel as a browser sees it: the statuses its POST forms send, and its links."""

    def __init__(self, transition_url):
        super().__init__()
        self.transition_url, self.posted, self.links, self._form = transition_url, [], {}, None
        self._href, self._text = None, ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = attrs.get("action") if attrs.get("method", "").lower() == "post" else None
        elif tag == "input" and self._form == self.transition_url and attrs.get("name") == "to":
            self.posted.append(attrs.get("value"))
        elif tag == "a":
            self._href, self._text = attrs.get("href"), ""

    def handle_data(self, data):
        if self._href is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "a" and self._href is not None:
            self.links[self._text.strip()] = self._href
            self._href = None


def _workflow_controls(client, case):
    controls = _WorkflowControls(url("transition", case.pk))
    controls.feed(client.get(url("change", case.pk)).content.decode())
    return controls


@pytest.mark.django_db
def test_answered_and_waiting_for_the_citizen_are_links_to_the_answer_page_not_buttons(officer_client, reunion):
    case = CaseFactory(prefecture=reunion, status=Status.NEW)
    controls = _workflow_controls(officer_client, case)
    # Only the statuses that need nothing more are one click away.
    assert controls.posted == [Status.ACKNOWLEDGED.value, Status.IN_PROGRESS.value]
    assert controls.links[f"{Status.ANSWERED.label}…"] == f"{url('answer', case.pk)}?final=answer"
    assert controls.links[f"{Status.WAITING_CITIZEN.label}…"] == f"{url('answer', case.pk)}?final=request"


@pytest.mark.django_db
@pytest.mark.parametrize("target", [Status.ANSWERED, Status.WAITING_CITIZEN])
def test_a_forged_status_change_cannot_answer_nor_stop_the_clock(
    officer_client, reunion, target, django_capture_on_commit_callbacks
):
    case = CaseFactory(prefecture=reunion, status=Status.IN_PROGRESS, email="marie@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = transition(officer_client, case, target)
    assert response.status_code == 302
    refusal = refusal_of(case, target)
    assert messages_of(response) == [refusal]
    assert str(Status(target).label) in refusal and _("Ask the citizen for a document or a precision") in refusal
    page = officer_client.get(response["Location"]).content.decode()
    assert _("Ask the citizen for a document or a precision") in page
    case.refresh_from_db()
    assert (case.status, case.answered_at, case.waiting_since) == (Status.IN_PROGRESS, None, None)
    assert not case.transitions.exists() and not case.messages.exists()
    assert not mail.outbox
    # Opening the status-change page for them is refused the same way.
    response = officer_client.get(url("transition", case.pk), {"to": target})
    assert response.status_code == 302
    assert messages_of(response) == [refusal]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("link", "text", "status", "kind"),
    [
        (Status.ANSWERED, "Votre titre est prêt au guichet 4.", Status.ANSWERED, MessageKind.ANSWER),
        (Status.WAITING_CITIZEN, "Merci de joindre votre passeport.", Status.WAITING_CITIZEN, MessageKind.REQUEST),
    ],
)
def test_the_status_links_lead_to_the_answer_page_which_still_moves_the_case(
    officer_client, reunion, officer, link, text, status, kind, django_capture_on_commit_callbacks
):
    case = CaseFactory(prefecture=reunion, status=Status.IN_PROGRESS, email="marie@example.org")
    answer_page = _workflow_controls(officer_client, case).links[f"{link.label}…"]
    form = officer_client.get(answer_page).context["form"]
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(url("answer", case.pk), {"text": text, "final": form.initial["final"]})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == status
    assert (case.messages.get().kind, case.messages.get().body) == (kind, text)
    assert (case.answered_at is not None) == (status == Status.ANSWERED)
    assert (case.waiting_since == reunion.today()) == (status == Status.WAITING_CITIZEN)
    assert case.transitions.get().by == officer
    assert [email.to for email in mail.outbox] == [["marie@example.org"]]


# --- answers --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_answer_page_prefills_the_chosen_template_with_the_case_values(officer_client, reunion):
    case = CaseFactory(prefecture=reunion, name="Marie Hoarau", reference="974-2026-000042")
    template = AnswerTemplateFactory(prefecture=reunion, body="Bonjour {nom}, votre demande {reference}.\n{signature}")
    response = officer_client.get(url("answer", case.pk), {"template": template.pk})
    assert response.context["form"].initial["text"] == (
        "Bonjour Marie Hoarau, votre demande 974-2026-000042.\nCamille Payet\nLa Réunion"
    )


@pytest.mark.django_db
def test_answer_templates_of_another_prefecture_are_neither_offered_nor_used(officer_client, reunion, other):
    case = CaseFactory(prefecture=reunion)
    own = AnswerTemplateFactory(prefecture=reunion, title="Réponse 974")
    foreign = AnswerTemplateFactory(prefecture=other, title="Réponse 94", body="Secret {nom}")
    inactive = AnswerTemplateFactory(prefecture=reunion, title="Ancienne", is_active=False)
    response = officer_client.get(url("answer", case.pk), {"template": foreign.pk})
    assert list(response.context["answer_templates"]) == [own]
    assert response.context["form"].initial["text"] == ""
    assert inactive not in response.context["answer_templates"]


@pytest.mark.django_db
def test_sending_an_answer_emails_the_citizen_a_link_not_the_text(
    officer_client, reunion, officer, django_capture_on_commit_callbacks
):
    case = CaseFactory(prefecture=reunion, status=Status.IN_PROGRESS, email="marie@example.org")
    text = "Madame, votre titre de séjour est disponible au guichet 4."
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(url("answer", case.pk), {"text": text, "final": "answer"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.ANSWERED
    assert case.answered_at is not None
    answer = case.messages.get()
    assert (answer.kind, answer.body, answer.author) == (MessageKind.ANSWER, text, officer)
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["marie@example.org"]
    assert "/suivi/" in email.body
    assert "guichet 4" not in email.body
    assert "guichet 4" not in email.alternatives[0][0]


@pytest.mark.django_db
def test_a_request_for_information_stops_the_clock(officer_client, reunion):
    case = CaseFactory(
        prefecture=reunion, status=Status.IN_PROGRESS, received_on=LONG_AGO, due_on=TODAY - datetime.timedelta(days=1)
    )
    officer_client.post(url("answer", case.pk), {"text": "Merci de joindre votre passeport.", "final": "request"})
    case.refresh_from_db()
    assert case.status == Status.WAITING_CITIZEN
    assert case.waiting_since == reunion.today()
    assert case.messages.get().kind == MessageKind.REQUEST
    assert not case.is_overdue()
    assert case not in Case.objects.overdue()


@pytest.mark.django_db
def test_a_refused_answer_keeps_the_officer_text_and_sends_nothing(
    officer_client, reunion, django_capture_on_commit_callbacks
):
    case = CaseFactory(prefecture=reunion, status=Status.CLOSED)
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(url("answer", case.pk), {"text": "Un long texte précieux.", "final": "answer"})
    assert response.status_code == 200
    assert "Un long texte précieux." in response.content.decode()
    assert response.context["form"].non_field_errors()
    assert not case.messages.exists()
    assert not mail.outbox


PIECE_TEMPLATE = (
    "Bonjour {nom},\n\nPour poursuivre l’examen de votre demande {reference}, le service a besoin d’une pièce "
    "complémentaire : [préciser la pièce]. Vous pouvez nous l’envoyer par votre lien de suivi.\n\n{signature}"
)


@pytest.mark.django_db
def test_the_answer_page_warns_at_once_when_the_template_leaves_a_passage_to_complete(officer_client, reunion):
    case = CaseFactory(prefecture=reunion, status=Status.IN_PROGRESS, name="Marie Hoarau")
    template = AnswerTemplateFactory(prefecture=reunion, body=PIECE_TEMPLATE)
    response = officer_client.get(url("answer", case.pk), {"template": template.pk, "final": "request"})
    page = response.content.decode()
    assert "Bonjour Marie Hoarau" in page
    assert "La réponse contient encore un passage à compléter\xa0: «\xa0[préciser la pièce]\xa0»" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("left", "shown"),
    [
        ("[préciser la pièce]", "«\xa0[préciser la pièce]\xa0»"),
        ("{piece}", "«\xa0{piece}\xa0»"),
        ("{nom}", "«\xa0{nom}\xa0»"),  # a known placeholder typed by hand is not filled at sending either
    ],
)
def test_an_answer_still_holding_a_placeholder_is_refused_and_the_text_kept(
    officer_client, reunion, django_capture_on_commit_callbacks, left, shown
):
    case = CaseFactory(prefecture=reunion, status=Status.IN_PROGRESS, email="marie@example.org")
    text = f"Bonjour Marie Hoarau,\n\nMerci de nous envoyer {left} par votre lien de suivi.\n\nCamille Payet"
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(url("answer", case.pk), {"text": text, "final": "request"})
    assert response.status_code == 200
    assert response.context["form"]["text"].value() == text
    (error,) = response.context["form"].errors["text"]
    assert error.startswith(f"La réponse contient encore un passage à compléter\xa0: {shown}.")
    assert "Remplacez-le par ce que l’usager doit lire" in error
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    assert not case.messages.exists()
    assert not mail.outbox


@pytest.mark.django_db
def test_an_answer_quoting_with_an_elision_is_sent(officer_client, reunion):
    case = CaseFactory(prefecture=reunion, status=Status.IN_PROGRESS)
    text = "Vous nous écrivez : « le guichet […] était fermé ». Nous vous prions de nous excuser (article 3)."
    response = officer_client.post(url("answer", case.pk), {"text": text, "final": "answer"})
    assert response.status_code == 302
    assert case.messages.get().body == text


@pytest.mark.django_db
def test_an_answer_to_a_citizen_without_email_is_recorded_for_the_post(
    officer_client, reunion, django_capture_on_commit_callbacks
):
    case = CaseFactory(prefecture=reunion, status=Status.IN_PROGRESS, channel=Channel.LETTER, email="")
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(url("answer", case.pk), {"text": "Réponse par courrier.", "final": "answer"})
    case.refresh_from_db()
    assert case.status == Status.ANSWERED
    assert not mail.outbox
    assert messages_of(response) == [
        _("The answer was recorded. The citizen left no e-mail address: send it by post.")
    ]


@pytest.mark.django_db
def test_a_suggestion_is_not_answered_but_decided(officer_client, reunion):
    case = CaseFactory(prefecture=reunion, suggestion=True)
    assert officer_client.get(url("change", case.pk)).context["answer_url"] is None
    response = officer_client.get(url("answer", case.pk))
    assert response.status_code == 302
    assert messages_of(response) == [_("A suggestion gets a public reply with its decision, not an answer.")]


@pytest.mark.django_db
def test_an_empty_answer_is_refused(officer_client, reunion):
    case = CaseFactory(prefecture=reunion, status=Status.IN_PROGRESS)
    response = officer_client.post(url("answer", case.pk), {"text": "   ", "final": "answer"})
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS


@pytest.mark.django_db
def test_internal_note_is_added_and_never_shown_to_the_citizen(officer_client, reunion, officer):
    case = CaseFactory(prefecture=reunion)
    response = officer_client.post(url("note", case.pk), {"text": "Voir avec le chef de bureau."})
    assert response.status_code == 302
    note = case.messages.get()
    assert (note.kind, note.author, note.body) == (MessageKind.NOTE, officer, "Voir avec le chef de bureau.")
    assert case.status == Status.NEW


# --- cases entered by officers --------------------------------------------------------------------------------


def _entry(reunion, **changes):
    return {
        "prefecture": reunion.pk,
        "channel": Channel.LETTER,
        "received_on": "2024-12-17",
        "kind": Kind.COMPLAINT,
        "service": "",
        "site": "",
        "topic": topic_of(reunion, "mail").pk,
        "subject": "Courrier resté sans réponse",
        "description": "Lettre reçue au service courrier.",
        "name": "Jean Grondin",
        "email": "",
        "phone": "",
        "_save": "Save",
    } | changes


@pytest.mark.django_db
def test_letter_entered_late_is_due_15_working_days_after_its_real_receipt(officer_client, reunion, officer):
    response = officer_client.post(url("add"), _entry(reunion))
    assert response.status_code == 302, response.context["adminform"].form.errors
    case = Case.objects.get(subject="Courrier resté sans réponse")
    # 20 December (abolition of slavery, La Réunion), 25 December and 1 January are off.
    assert case.received_on == datetime.date(2024, 12, 17)
    assert case.due_on == datetime.date(2025, 1, 10)
    assert (case.channel, case.reference) == (Channel.LETTER, "974-2024-000001")
    assert case.transitions.get().by == officer


@pytest.mark.django_db
def test_entry_received_on_17_december_2026_in_la_reunion(officer_client, reunion, officer):
    with time_machine.travel(datetime.datetime(2027, 1, 5, 9, tzinfo=datetime.UTC)):
        officer_client.force_login(officer)  # the earlier session has expired by then
        officer_client.post(url("add"), _entry(reunion, received_on="2026-12-17"))
    case = Case.objects.get()
    assert case.due_on == datetime.date(2027, 1, 11)


@pytest.mark.django_db
def test_entered_cases_follow_the_prefecture_sequence(officer_client, reunion):
    officer_client.post(url("add"), _entry(reunion, received_on=TODAY.isoformat()))
    officer_client.post(url("add"), _entry(reunion, received_on=TODAY.isoformat(), channel=Channel.PHONE))
    references = sorted(Case.objects.values_list("reference", flat=True))
    assert references == [f"974-{TODAY.year}-000001", f"974-{TODAY.year}-000002"]


@pytest.mark.django_db
def test_a_received_date_in_the_future_is_refused(officer_client, reunion):
    tomorrow = reunion.today() + datetime.timedelta(days=1)
    response = officer_client.post(url("add"), _entry(reunion, received_on=tomorrow.isoformat()))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["received_on"] == [
        _("The date of receipt cannot be in the future.")
    ]
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_officer_entry_cannot_pretend_the_case_came_online(officer_client, reunion):
    response = officer_client.post(url("add"), _entry(reunion, channel=Channel.ONLINE))
    assert "channel" in response.context["adminform"].form.errors
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_officer_entry_cannot_target_another_prefecture(officer_client, reunion, other):
    response = officer_client.post(url("add"), _entry(other))
    assert "prefecture" in response.context["adminform"].form.errors
    response = officer_client.post(url("add"), _entry(reunion, service=ServiceFactory(prefecture=other).pk))
    assert "service" in response.context["adminform"].form.errors
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_entry_with_an_email_sends_the_acknowledgement(officer_client, reunion, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(url("add"), _entry(reunion, email="Jean@Example.org", received_on=TODAY.isoformat()))
    assert Case.objects.get().email == "jean@example.org"
    assert [email.to for email in mail.outbox] == [["jean@example.org"]]


@pytest.mark.django_db
def test_entry_without_email_gives_the_officer_the_tracking_link(officer_client, reunion):
    response = officer_client.post(url("add"), _entry(reunion, received_on=TODAY.isoformat()))
    assert any("/suivi/" in message for message in messages_of(response))


@pytest.mark.django_db
def test_service_agent_enters_cases_for_their_service_only(client, reunion):
    sejour = ServiceFactory(prefecture=reunion, name="Titres de séjour")
    other_service = ServiceFactory(prefecture=reunion, name="Permis")
    agent = MembershipFactory(prefecture=reunion, role=Role.SERVICE_AGENT, service=sejour).user
    client.force_login(agent)
    response = client.post(url("add"), _entry(reunion, service=other_service.pk))
    assert "service" in response.context["adminform"].form.errors
    client.post(url("add"), _entry(reunion, service=sejour.pk))
    assert Case.objects.get().service == sejour


@pytest.fixture
def guadeloupe():
    return PrefectureFactory(
        department_code="971",
        name="Guadeloupe",
        slug="guadeloupe",
        time_zone="America/Guadeloupe",
        holiday_subdivision="971",
    )


@pytest.mark.django_db
def test_entry_form_prefills_the_date_of_receipt_of_the_prefecture_and_saves_as_prefilled(client, guadeloupe):
    # 20:00 on 10 March in Guadeloupe; 01:00 on 11 March in Paris.
    with time_machine.travel(datetime.datetime(2026, 3, 11, 0, 0, tzinfo=datetime.UTC), tick=False):
        client.force_login(officer_of(guadeloupe))
        page = client.get(url("add"))
        assert page.context["adminform"].form.initial["received_on"] == datetime.date(2026, 3, 10)
        fields = _FormFields()
        fields.feed(page.content.decode())
        assert fields.data["prefecture"] == str(guadeloupe.pk)
        data = {
            **fields.data,
            "channel": Channel.PHONE,
            "kind": Kind.COMPLAINT,
            "topic": topic_of(guadeloupe, "phone").pk,
            "subject": "Appel au standard",
            "description": "Appel reçu ce soir.",
            "_save": "Save",
        }
        response = client.post(url("add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    case = Case.objects.get()
    assert (case.received_on, case.reference) == (datetime.date(2026, 3, 10), "971-2026-000001")


@pytest.mark.django_db
def test_date_hierarchy_offers_the_current_year_of_the_prefecture(client, guadeloupe):
    # 20:30 on 31 December 2025 in Guadeloupe; already 2026 in Paris.
    with time_machine.travel(datetime.datetime(2026, 1, 1, 0, 30, tzinfo=datetime.UTC), tick=False):
        client.force_login(officer_of(guadeloupe))
        drilldown = client.get(url("changelist")).context["cl"].date_drilldown
    assert [choice["title"] for choice in drilldown["choices"]] == ["2025"]


# --- transfer and assignment ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_transfer_to_another_prefecture_removes_the_case_from_the_officer_list(officer_client, reunion, other):
    case = CaseFactory(prefecture=reunion, status=Status.IN_PROGRESS)
    response = officer_client.post(url("transfer", case.pk), {"prefecture": other.pk, "note": "Compétence 94"})
    assert response["Location"] == url("changelist")
    case.refresh_from_db()
    assert (case.prefecture, case.status, case.service) == (other, Status.TRANSFERRED, None)
    assert case not in listed(officer_client.get(url("changelist")))
    assert officer_client.get(url("change", case.pk)).status_code in {302, 404}


@pytest.mark.django_db
def test_transfer_to_another_service_of_the_prefecture(officer_client, reunion):
    case = CaseFactory(prefecture=reunion, status=Status.NEW)
    permis = ServiceFactory(prefecture=reunion, name="Permis de conduire")
    response = officer_client.post(url("transfer", case.pk), {"service": permis.pk})
    assert response["Location"] == url("change", case.pk)
    case.refresh_from_db()
    assert (case.service, case.status) == (permis, Status.TRANSFERRED)


@pytest.mark.django_db
def test_transfer_needs_a_destination(officer_client, reunion):
    case = CaseFactory(prefecture=reunion, status=Status.NEW)
    response = officer_client.post(url("transfer", case.pk), {})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


@pytest.mark.django_db
def test_transfer_refused_by_the_workflow_is_explained(officer_client, reunion, other):
    case = CaseFactory(prefecture=reunion, status=Status.CLOSED)
    response = officer_client.post(url("transfer", case.pk), {"prefecture": other.pk})
    assert messages_of(response) == [refusal_of(case, Status.TRANSFERRED)]
    case.refresh_from_db()
    assert (case.prefecture, case.status) == (reunion, Status.CLOSED)


@pytest.mark.django_db
def test_assign_to_a_colleague_of_the_prefecture(officer_client, reunion):
    colleague = officer_of(reunion)
    case = CaseFactory(prefecture=reunion)
    officer_client.post(url("assign", case.pk), {"assignee": colleague.pk})
    case.refresh_from_db()
    assert case.assignee == colleague


@pytest.mark.django_db
def test_cannot_assign_to_someone_of_another_prefecture_or_another_service(officer_client, reunion, other):
    case = CaseFactory(prefecture=reunion)
    stranger = officer_of(other)
    agent_elsewhere = MembershipFactory(
        prefecture=reunion, role=Role.SERVICE_AGENT, service=ServiceFactory(prefecture=reunion)
    ).user
    for person in (stranger, agent_elsewhere):
        response = officer_client.post(url("assign", case.pk), {"assignee": person.pk})
        refusal = _("This person cannot handle this case: choose a quality officer or an agent of its service.")
        assert refusal in messages_of(response)
    case.refresh_from_db()
    assert case.assignee is None


@pytest.mark.django_db
def test_assign_to_me_action(officer_client, reunion, officer):
    cases = [CaseFactory(prefecture=reunion) for _i in range(2)]
    officer_client.post(url("changelist"), {"action": "assign_to_me", "_selected_action": [case.pk for case in cases]})
    assert set(Case.objects.filter(assignee=officer)) == set(cases)


@pytest.mark.django_db
def test_acknowledge_action_reports_refusals(officer_client, reunion):
    new = CaseFactory(prefecture=reunion, status=Status.NEW)
    closed = CaseFactory(prefecture=reunion, status=Status.CLOSED)
    response = officer_client.post(
        url("changelist"), {"action": "acknowledge", "_selected_action": [new.pk, closed.pk]}
    )
    new.refresh_from_db()
    closed.refresh_from_db()
    assert (new.status, closed.status) == (Status.ACKNOWLEDGED, Status.CLOSED)
    assert any(closed.reference in message for message in messages_of(response))


# --- isolation between prefectures --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_officer_of_another_prefecture_gets_404_on_case_page(officer_client, foreign_case):
    response = officer_client.get(url("change", foreign_case.pk), follow=True)
    assert response.status_code == 404 or response.redirect_chain[-1][0] == reverse("admin:index")
    assert foreign_case.subject not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("view", "method", "data"),
    [
        ("transition", "get", {"to": Status.ACKNOWLEDGED}),
        ("transition", "post", {"to": Status.ACKNOWLEDGED}),
        ("answer", "get", {}),
        ("answer", "post", {"text": "Réponse", "final": "answer"}),
        ("transfer", "get", {}),
        ("transfer", "post", {"service": ""}),
        ("assign", "post", {"assignee": ""}),
        ("note", "post", {"text": "Intrusion"}),
    ],
)
def test_officer_of_another_prefecture_gets_404_on_workflow_views(officer_client, foreign_case, view, method, data):
    response = getattr(officer_client, method)(url(view, foreign_case.pk), data)
    assert response.status_code == 404
    foreign_case.refresh_from_db()
    assert foreign_case.status == Status.NEW
    assert not foreign_case.messages.exists()


@pytest.mark.django_db
def test_attachment_download_is_scoped(officer_client, reunion, other):
    own = AttachmentFactory(case=CaseFactory(prefecture=reunion))
    foreign = AttachmentFactory(case=CaseFactory(prefecture=other))
    assert officer_client.get(reverse("complaints:attachment_download", args=[own.pk])).status_code == 200
    assert officer_client.get(reverse("complaints:attachment_download", args=[foreign.pk])).status_code == 404


@pytest.mark.django_db
def test_attachment_download_needs_a_staff_login(client, reunion):
    attachment = AttachmentFactory(case=CaseFactory(prefecture=reunion))
    response = client.get(reverse("complaints:attachment_download", args=[attachment.pk]))
    assert response.status_code in {302, 403}


# --- right of access ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_access_export_holds_every_case_of_the_person_with_messages_notes_and_attachment_names(
    officer_client, reunion, other, officer
):
    first = CaseFactory(prefecture=reunion, email="marie@example.org", received_on=datetime.date(2026, 1, 5))
    second = CaseFactory(prefecture=reunion, email="marie@example.org", received_on=datetime.date(2026, 3, 2))
    MessageFactory(case=first, kind=MessageKind.CITIZEN, body="Mon message")
    MessageFactory(case=first, kind=MessageKind.NOTE, author=officer, body="Note interne sur Marie")
    AttachmentFactory(case=second, original_name="passeport.pdf")
    CaseFactory(prefecture=reunion, email="autre@example.org")
    CaseFactory(prefecture=other, email="marie@example.org", reference="94-2026-000009")
    response = officer_client.post(url("access_export"), {"email": "Marie@Example.org"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "marie" not in response["Content-Disposition"]
    data = json.loads(response.content)
    assert [case["reference"] for case in data["cases"]] == [first.reference, second.reference]
    assert [m["text"] for m in data["cases"][0]["messages"]] == ["Mon message", "Note interne sur Marie"]
    assert data["cases"][1]["attachments"][0]["name"] == "passeport.pdf"
    assert "94-2026-000009" not in response.content.decode()
    assert officer.email not in response.content.decode()


@pytest.mark.django_db
def test_access_export_is_logged_without_the_address(officer_client, reunion, caplog):
    CaseFactory(prefecture=reunion, email="marie@example.org")
    with caplog.at_level(logging.INFO, logger="complaints.access_export"):
        officer_client.post(url("access_export"), {"email": "marie@example.org"})
    assert "exported 1 case" in caplog.text
    assert "marie" not in caplog.text


@pytest.mark.django_db
def test_access_export_says_when_nothing_is_held(officer_client, reunion, other):
    CaseFactory(prefecture=other, email="marie@example.org")
    response = officer_client.post(url("access_export"), {"email": "marie@example.org"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert messages_of(response) == [_("No case of your prefectures holds this address.")]


@pytest.mark.django_db
def test_access_export_needs_the_change_permission(client, reunion):
    auditor = MembershipFactory(prefecture=reunion, role=Role.AUDITOR).user
    CaseFactory(prefecture=reunion, email="marie@example.org")
    client.force_login(auditor)
    assert client.post(url("access_export"), {"email": "marie@example.org"}).status_code == 403


@pytest.mark.django_db
def test_case_list_links_to_the_access_export(officer_client):
    assert url("access_export") in officer_client.get(url("changelist")).content.decode()


# --- answer templates --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_answer_template_form_lists_the_placeholders(officer_client):
    html = officer_client.get(reverse("admin:complaints_answertemplate_add")).content.decode()
    for placeholder in ("{nom}", "{reference}", "{date_reception}", "{service}", "{signature}"):
        assert f"<code>{placeholder}</code>" in html


@pytest.mark.django_db
def test_officer_creates_an_answer_template_for_their_prefecture_only(officer_client, reunion, other):
    response = officer_client.post(
        reverse("admin:complaints_answertemplate_add"),
        {"prefecture": other.pk, "title": "Intrus", "kind": "", "body": "x", "is_active": "on"},
    )
    assert "prefecture" in response.context["adminform"].form.errors
    officer_client.post(
        reverse("admin:complaints_answertemplate_add"),
        {"prefecture": reunion.pk, "title": "Accusé", "kind": "", "body": "Bonjour {nom}", "is_active": "on"},
    )
    assert reunion.answer_templates.get().title == "Accusé"
