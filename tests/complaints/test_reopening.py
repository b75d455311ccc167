"""A closed complaint: the redress routes on its tracking page, and a reopening period set per prefecture."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from complaints.enums import Status
from complaints.services import case_citizen_reply, case_transition, reopen_until
from complaints.tracking_links import tracking_token_issue
from tests.qualipref.factories import officer_of

from .factories import CaseFactory

# Closed at 21:30 UTC on 1 March: 2 March already in La Réunion (UTC+4).
CLOSED_AT = datetime.datetime(2026, 3, 1, 21, 30, tzinfo=datetime.UTC)


@pytest.fixture
def closed(reunion):
    case = CaseFactory(prefecture=reunion, reference="974-2026-000042", status=Status.ANSWERED)
    with time_machine.travel(CLOSED_AT, tick=False):
        case_transition(case=case, to=Status.CLOSED, by=officer_of(reunion))
    case.refresh_from_db()
    return case


def page(client, case):
    return client.get(f"/suivi/{tracking_token_issue(case=case)}/").content.decode()


def test_the_period_counts_from_the_day_of_closing_in_the_prefecture(closed):
    assert closed.prefecture.reopen_days == 30
    assert reopen_until(closed) == datetime.date(2026, 4, 1)
    closed.prefecture.reopen_days = 0
    assert reopen_until(closed) is None


def test_within_the_period_the_citizen_reopens_by_writing(client, closed):
    with time_machine.travel(datetime.datetime(2026, 3, 31, 12, tzinfo=datetime.UTC)):
        html = page(client, closed)
        assert "Si notre réponse ne vous satisfait pas" in html
        assert "Rouvrir votre demande" in html and "jusqu’au 1er avril 2026" in html
        assert 'href="https://formulaire.defenseurdesdroits.fr/"' in html
        token = tracking_token_issue(case=closed)
        sent = client.post(f"/suivi/{token}/", {"sent_form": "reply", "reply-text": "Le problème est revenu."})
        assert sent.status_code == 302
    closed.refresh_from_db()
    assert closed.status == Status.REOPENED and closed.closed_at is None
    assert closed.messages.get().body == "Le problème est revenu."
    assert closed.transitions.latest("at").note == "L’usager a rouvert la demande en écrivant de nouveau."


def test_after_the_period_the_routes_stay_but_the_case_stays_closed(client, closed):
    with time_machine.travel(datetime.datetime(2026, 4, 1, 20, 30, tzinfo=datetime.UTC)):  # 2 April in La Réunion
        html = page(client, closed)
        assert "Si notre réponse ne vous satisfait pas" in html and "Défenseur des droits" in html
        assert "Rouvrir votre demande" not in html and 'name="reply-text"' not in html
        with pytest.raises(ValidationError):
            case_citizen_reply(case=closed, text="Trop tard ?")
        token = tracking_token_issue(case=closed)
        refused = client.post(f"/suivi/{token}/", {"sent_form": "reply", "reply-text": "Trop tard ?"})
        assert refused.status_code == 200
        assert "Trop tard ?" in refused.content.decode()  # given back, not lost
    closed.refresh_from_db()
    assert closed.status == Status.CLOSED and not closed.messages.exists()


def test_the_prefectures_mediator_is_named_when_it_has_one(client, closed):
    assert "médiateur" not in page(client, closed)
    closed.prefecture.mediator = "Médiateur de la préfecture\nmediateur@reunion.example.org"
    closed.prefecture.save()
    html = page(client, closed)
    assert "Vous pouvez saisir le médiateur de la préfecture" in html
    assert "Médiateur de la préfecture<br>mediateur@reunion.example.org" in html


def test_a_prefecture_without_reopening_offers_the_other_routes(client, closed):
    closed.prefecture.reopen_days = 0
    closed.prefecture.save()
    with time_machine.travel(datetime.datetime(2026, 3, 3, tzinfo=datetime.UTC)):
        html = page(client, closed)
    assert "Défenseur des droits" in html and "Rouvrir votre demande" not in html


def test_a_suggestions_decision_is_not_reopened(client, reunion):
    suggestion = CaseFactory(prefecture=reunion, suggestion=True, status=Status.ACCEPTED, closed_at=CLOSED_AT)
    assert reopen_until(suggestion) is None
    html = page(client, suggestion)
    assert "Si notre réponse ne vous satisfait pas" not in html
    with pytest.raises(ValidationError):
        case_citizen_reply(case=suggestion, text="Et alors ?")


def test_the_english_page_gives_the_routes_in_english(client, closed):
    with time_machine.travel(datetime.datetime(2026, 3, 10, tzinfo=datetime.UTC)):
        html = client.get(f"/en/suivi/{tracking_token_issue(case=closed)}/").content.decode()
    assert "If our answer does not satisfy you" in html and "Reopen your request" in html
