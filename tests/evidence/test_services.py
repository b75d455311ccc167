"""The evidence library's rules: a document and its versions, the content checks on every file, who may write."""

import datetime
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from evidence.enums import DocumentKind, Validity
from evidence.models import Document, DocumentVersion
from evidence.services import document_add_version, document_update
from tests.audits.factories import auditor_of
from tests.engagements.factories import LocalEngagementFactory, engagement
from tests.qualipref.factories import PrefectureFactory, SiteFactory, coordinator, officer_of
from tests.samples import PDF_BYTES

from .factories import document, pdf, png, with_versions

pytestmark = pytest.mark.django_db


@pytest.fixture
def reunion():
    return PrefectureFactory(reunion=True)


@pytest.fixture
def other():
    return PrefectureFactory(department_code="94", name="Val-de-Marne", slug="val-de-marne")


def test_a_document_is_created_with_its_first_version(reunion):
    officer = officer_of(reunion)
    site = SiteFactory(prefecture=reunion)
    found = document(
        reunion,
        engagements=[engagement("RECLAMATIONS-15J"), engagement("COURRIERS-15J")],
        sites=[site],
        valid_until=datetime.date(2027, 6, 30),
        note="Première diffusion",
        by=officer,
    )
    found.refresh_from_db()
    version = found.current_version
    assert (version.number, version.uploaded_by, version.note) == (1, officer, "Première diffusion")
    assert version.content_type == "application/pdf" and version.file_name == "procedure.pdf"
    assert version.sha256 == hashlib.sha256(version.file.open("rb").read()).hexdigest()
    assert set(found.engagements.values_list("code", flat=True)) == {"RECLAMATIONS-15J", "COURRIERS-15J"}
    assert list(found.sites.all()) == [site] and found.created_by == officer


def test_a_new_version_becomes_the_current_one_and_the_earlier_stay(reunion):
    found = document(reunion)
    first = found.current_version
    second = document_add_version(document=found, upload=png(), note="Nouvelle affiche", by=officer_of(reunion))
    found.refresh_from_db()
    assert found.current_version == second and second.number == 2
    assert list(found.versions.values_list("number", flat=True)) == [2, 1]
    assert first.file.open("rb").read()[:5] == b"%PDF-"  # the first file is still there
    assert second.content_type == "image/png" and second.note == "Nouvelle affiche"


def test_versions_are_numbered_per_document(reunion):
    one, two = with_versions(reunion, 3), with_versions(reunion, 2)
    assert list(one.versions.values_list("number", flat=True)) == [3, 2, 1]
    assert list(two.versions.values_list("number", flat=True)) == [2, 1]


def test_a_new_version_may_carry_a_new_validity(reunion):
    found = document(reunion, valid_until=datetime.date(2026, 12, 31))
    document_add_version(document=found, upload=pdf(), valid_until=datetime.date(2027, 12, 31))
    assert Document.objects.get(pk=found.pk).valid_until == datetime.date(2027, 12, 31)


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("procedure.pdf", b"MZ\x90\x00 not a PDF at all", "bad_type"),
        ("procedure.pdf", PDF_BYTES + b"<script>alert(1)</script>", "polyglot"),
        ("vide.pdf", b"", "empty"),
    ],
)
def test_a_bad_file_is_refused_and_nothing_is_stored(reunion, name, content, code):
    with pytest.raises(ValidationError) as refused:
        document(reunion, upload=SimpleUploadedFile(name, content, content_type="application/pdf"))
    assert refused.value.code == code
    assert not Document.objects.exists() and not DocumentVersion.objects.exists()
    found = document(reunion)
    with pytest.raises(ValidationError) as refused:
        document_add_version(document=found, upload=SimpleUploadedFile(name, content))
    assert refused.value.code == code
    assert found.versions.count() == 1


def test_a_file_over_the_size_limit_is_refused(reunion, settings):
    settings.EVIDENCE_MAX_BYTES = 100
    with pytest.raises(ValidationError) as refused:
        document(reunion)
    assert refused.value.code == "too_large"


def test_the_stored_file_is_the_sanitised_copy(reunion):
    """What follows a PDF's end is not kept; the fingerprint is the stored file's."""
    found = document(reunion, upload=pdf(data=PDF_BYTES + b"\n% trailing comment\n"))
    stored = found.current_version.file.open("rb").read()
    assert b"trailing comment" not in stored


def test_engagements_national_and_own_local_only(reunion, other):
    own_local = LocalEngagementFactory(prefecture=reunion, code="RDV-48H")
    foreign_local = LocalEngagementFactory(prefecture=other, code="RDV-94")
    found = document(reunion, engagements=[engagement("ATTENTE-GUICHET"), own_local])
    assert found.engagements.count() == 2
    with pytest.raises(ValidationError, match="RDV-94"):
        document_update(document=found, engagements=[foreign_local])
    with pytest.raises(ValidationError, match="Nogent"):
        document(reunion, sites=[SiteFactory(prefecture=other, name="Nogent")])


def test_only_the_prefecture_s_officers_write(reunion, other):
    with pytest.raises(PermissionDenied):
        document(reunion, by=officer_of(other))
    with pytest.raises(PermissionDenied):
        document(reunion, by=auditor_of(reunion))
    found = document(reunion, by=coordinator())
    with pytest.raises(PermissionDenied):
        document_add_version(document=found, upload=pdf(), by=officer_of(other))
    with pytest.raises(PermissionDenied):
        document_update(document=found, title="Piraté", by=auditor_of(reunion))


def test_a_document_stays_in_its_prefecture(reunion, other):
    found = document(reunion)
    found.prefecture = other
    with pytest.raises(PermissionDenied):
        document_update(document=found, by=officer_of(other))
    with pytest.raises(ValidationError):
        document_update(document=found)


def test_validity_and_the_querysets_agree(reunion):
    today = datetime.date(2026, 12, 3)
    lapsed = document(reunion, title="A", valid_until=today - datetime.timedelta(days=1))
    last_day = document(reunion, title="B", valid_until=today)
    soon = document(reunion, title="C", valid_until=today + datetime.timedelta(days=30))
    later = document(reunion, title="D", valid_until=today + datetime.timedelta(days=31))
    open_ended = document(reunion, title="E")
    assert [d.validity(today) for d in (lapsed, last_day, soon, later, open_ended)] == [
        Validity.LAPSED,
        Validity.LAPSING,
        Validity.LAPSING,
        Validity.VALID,
        Validity.OPEN_ENDED,
    ]
    assert set(Document.objects.lapsed(today)) == {lapsed}
    assert set(Document.objects.lapsing(today)) == {last_day, soon}
    assert set(Document.objects.valid(today)) == {later, open_ended}


def test_for_prefecture_for_user_and_for_engagement(reunion, other):
    mine = document(reunion, engagements=[engagement("ATTENTE-GUICHET")])
    theirs = document(other, kind=DocumentKind.POSTER)
    assert list(Document.objects.for_prefecture(reunion)) == [mine]
    assert list(Document.objects.for_user(officer_of(reunion))) == [mine]
    assert list(Document.objects.for_user(auditor_of(other))) == [theirs]
    assert list(Document.objects.for_engagement(engagement("ATTENTE-GUICHET"))) == [mine]
