"""The evidence library's demo: La Réunion's documents attached to engagements, one with two versions, one lapsing
soon."""

import pytest

from evidence.demo import load_evidence
from evidence.enums import Validity
from evidence.models import Document
from qualipref.demo import load_accounts, load_prefectures
from qualipref.models import Prefecture

pytestmark = pytest.mark.django_db


def test_the_demo_shows_versions_and_a_document_lapsing_soon_and_is_idempotent():
    load_prefectures()
    load_accounts()
    documents = load_evidence()
    reunion = Prefecture.objects.get(department_code="974")
    today = reunion.today()
    assert len(documents) >= 3 and all(d.prefecture == reunion for d in documents)
    assert all(d.engagements.exists() for d in documents)
    assert max(d.versions.count() for d in documents) == 2
    assert any(d.validity(today) == Validity.LAPSING for d in documents)
    assert all(d.current_version.uploaded_by.email == "qualite.974@example.org" for d in documents)
    assert set(load_evidence()) == set(documents)  # loaded again: nothing added
    assert Document.objects.count() == len(documents)
