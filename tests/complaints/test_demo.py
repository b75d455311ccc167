import datetime
import time
from collections import defaultdict

import pytest
from django.core import mail
from django.db.models import Count
from django.utils import timezone

from complaints import demo
from complaints.enums import Kind, MessageKind, Status
from complaints.models import AnswerTemplate, Case, CaseSequence, Message, Transition
from complaints.services import due_date
from demo.registry import LOADERS
from qualipref import demo as core
from qualipref.mail import OutgoingEmail
from qualipref.models import Prefecture

pytestmark = pytest.mark.django_db


def load():
    core.load_prefectures()
    core.load_accounts()
    started = time.monotonic()
    demo.load_cases()
    return time.monotonic() - started


@pytest.fixture
def demo_loaded(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # the demo accounts' passwords
    return load()


def counts():
    return [
        Case.objects.count(),
        Transition.objects.count(),
        Message.objects.count(),
        AnswerTemplate.objects.count(),
        AnswerTemplate.history.count(),
        CaseSequence.objects.count(),
        Case.history.count(),
    ]


def test_load_demo_runs_the_complaints_loader():
    assert demo.load_cases in [loader for _description, loader in LOADERS]


def test_loading_the_demo_twice_changes_nothing(demo_loaded):
    before = counts()
    load()
    assert counts() == before


def test_demo_is_quick_and_sends_no_email(demo_loaded):
    assert demo_loaded < 10  # about a second on SQLite, when the machine is not busy
    assert mail.outbox == [] and not OutgoingEmail.objects.exists()


def test_la_reunion_has_hundreds_of_cases_in_every_status(demo_loaded):
    reunion = Prefecture.objects.get(department_code="974")
    cases = Case.objects.filter(prefecture=reunion)
    assert 250 <= cases.count() <= 350
    assert set(cases.values_list("status", flat=True)) == set(Status)
    assert cases.overdue(reunion.today()).exists()
    assert cases.filter(kind=Kind.SUGGESTION).exists() and cases.exclude(rating=None).exists()
    assert {"qualite.974@example.org", "agent.sejour.974@example.org"} <= set(
        cases.exclude(assignee=None).values_list("assignee__email", flat=True)
    )
    assert set(Message.objects.filter(case__prefecture=reunion).values_list("kind", flat=True)) == set(MessageKind)


def test_every_demo_prefecture_has_cases_and_answer_templates(demo_loaded):
    for data in core.PREFECTURES:
        prefecture = Prefecture.objects.get(department_code=data["department_code"])
        assert Case.objects.filter(prefecture=prefecture).count() >= 50
        assert {Status.CLOSED, Status.IN_PROGRESS, Status.ACCEPTED} <= set(
            Case.objects.filter(prefecture=prefecture).values_list("status", flat=True)
        )
        titles = set(prefecture.answer_templates.values_list("title", flat=True))
        assert {
            "Accusé de réception",
            "Réponse – délai de titre de séjour",
            "Demande de pièce complémentaire",
        } <= titles
        for body in prefecture.answer_templates.values_list("body", flat=True):
            assert "{reference}" in body and "{signature}" in body


def test_references_are_unique_and_gap_free_per_prefecture_and_year(demo_loaded):
    numbers = defaultdict(list)
    for prefecture_id, reference in Case.objects.values_list("prefecture_id", "reference"):
        _code, year, number = reference.rsplit("-", 2)
        numbers[(prefecture_id, int(year))].append(int(number))
    assert len(numbers) >= 5
    for (prefecture_id, year), used in numbers.items():
        assert sorted(used) == list(range(1, len(used) + 1)), (prefecture_id, year)
        assert CaseSequence.objects.get(prefecture_id=prefecture_id, year=year).last_number == len(used)
    assert not Case.objects.values("reference").annotate(n=Count("pk")).filter(n__gt=1).exists()


def test_references_follow_the_order_of_receipt(demo_loaded):
    reunion = Case.objects.filter(prefecture__department_code="974").order_by("reference")
    dates = list(reunion.values_list("received_on", flat=True))
    assert dates == sorted(dates)


def test_the_next_submission_continues_the_series(demo_loaded, on_commit_immediately):
    from complaints.services import next_reference

    reunion = Prefecture.objects.get(department_code="974")
    year = reunion.today().year
    last = CaseSequence.objects.get(prefecture=reunion, year=year).last_number
    assert next_reference(prefecture=reunion, year=year) == f"974-{year}-{last + 1:06d}"


def test_demo_cases_hold_together(demo_loaded):
    for case in Case.objects.select_related("prefecture").prefetch_related("transitions"):
        transitions = list(case.transitions.all())
        assert transitions[0].from_status == "" and transitions[-1].to_status == case.status
        assert all(a.to_status == b.from_status for a, b in zip(transitions, transitions[1:], strict=False))
        assert [t.at for t in transitions] == sorted(t.at for t in transitions)
        if case.status != Status.WAITING_CITIZEN:
            expected = due_date(
                prefecture=case.prefecture, received_on=case.received_on, paused_working_days=case.paused_working_days
            )
            assert case.due_on == expected, case.reference
        assert (case.closed_at is not None) == (case.status in {"closed", "rejected", "accepted", "declined"})
        if case.kind == Kind.COMPLAINT and case.channel == "online":
            assert case.email and case.name
        if case.rating is not None:
            assert case.answered_at <= case.rated_at


def test_demo_is_deterministic(demo_loaded):
    reunion = Prefecture.objects.get(department_code="974")
    now = timezone.now()

    def built():
        builder = demo.build_prefecture_cases(reunion, 300, now)
        return [(c.reference, c.subject, c.description, c.status, c.created_at) for c in builder.cases]

    assert built() == built()


@pytest.mark.parametrize(("department_code", "count"), [("974", 300), ("33", 60)])
def test_demo_stories_stay_in_order_whatever_the_hour_it_is_loaded(department_code, count):
    """Cases received today are squeezed before "now": their steps must still follow their creation."""
    core.load_prefectures()
    core.load_accounts()
    prefecture = Prefecture.objects.get(department_code=department_code)
    monday = datetime.datetime(2026, 11, 23, tzinfo=datetime.UTC)
    for hour in range(0, 8 * 24, 3):
        now = monday + datetime.timedelta(hours=hour, minutes=17)
        builder = demo.build_prefecture_cases(prefecture, count, now)
        for case in builder.cases:
            transitions = builder.transitions[id(case)]
            moments = [t.at for t in transitions]
            assert transitions[0].from_status == "" and moments[0] == case.created_at, (now, case.reference)
            assert case.received_on <= timezone.localdate(case.created_at, prefecture.tzinfo), case.reference
            assert moments == sorted(moments) and moments[-1] <= now, (now, case.reference)
            assert all(a.to_status == b.from_status for a, b in zip(transitions, transitions[1:], strict=False))


def test_a_prefecture_with_cases_is_left_alone(demo_loaded):
    from tests.complaints.factories import CaseFactory

    prefecture = Prefecture.objects.create(department_code="2A", name="Corse-du-Sud", slug="corse-du-sud")
    CaseFactory(prefecture=prefecture)
    assert demo.load_prefecture_cases(prefecture, 60) == 0
    assert Case.objects.filter(prefecture=prefecture).count() == 1
