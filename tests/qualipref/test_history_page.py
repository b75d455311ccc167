"""The history page of an object is the audit trail an auditor reads: in French, with labels, dates and names."""

import datetime
import re

import pytest

from complaints.enums import Status
from tests.complaints.factories import CaseFactory
from tests.qualipref.factories import PrefectureFactory, UserFactory, officer_of

from .i18n_checks import english_in, visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def history_page(client):
    """A case filed online, taken up by an agent whose account was later deleted, then answered by an officer."""
    prefecture = PrefectureFactory()
    officer = officer_of(prefecture, first_name="Nadia", last_name="Payet")
    agent = UserFactory(first_name="Julien", last_name="Hoarau")
    case = CaseFactory(prefecture=prefecture)  # no one logged in: a citizen's online form
    case.status, case.assignee, case._history_user = Status.IN_PROGRESS, agent, agent
    case.save()
    case.status, case.assignee, case._history_user = Status.ANSWERED, officer, officer
    case.answered_at = datetime.datetime(2026, 7, 10, 6, 30, tzinfo=datetime.UTC)
    case.save()
    agent.delete()
    client.force_login(officer)
    response = client.get(f"/admin/complaints/case/{case.pk}/history/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    return visible_text(response.content.decode())


def test_history_shows_status_labels_not_codes(history_page):
    assert "Réponse envoyée" in history_page
    for status in Status:
        assert not re.search(rf"\b{status.value}\b", history_page), status.value


def test_history_shows_dates_not_iso_strings(history_page):
    assert not re.search(r"\d{4}-\d{2}-\d{2}", history_page)
    assert "10/07/2026" in history_page or "10 juillet 2026" in history_page


def test_history_names_people_and_says_when_an_account_was_deleted(history_page):
    assert "Nadia Payet" in history_page
    assert "compte supprimé" in history_page
    assert "pk=" not in history_page and "None" not in history_page
    assert "aucun compte" in history_page  # the citizen's online form


def test_history_page_has_no_english_word(history_page):
    assert english_in(history_page) == []


def test_a_delivery_import_is_named_with_a_local_date_not_an_iso_string():
    from tests.delays.factories import DeliveryImportFactory

    delivery_import = DeliveryImportFactory(original_name="livraisons.csv")
    delivery_import.created_at = datetime.datetime(2026, 7, 10, 6, 30, tzinfo=datetime.UTC)
    assert str(delivery_import) == "livraisons.csv (10/07/2026 08:30)"  # Europe/Paris, the default time zone
