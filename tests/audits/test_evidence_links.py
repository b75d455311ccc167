"""Evidence in the audit cycle: a self-assessment line's documents and a finding's document, always of the
prefecture assessed or audited; shown with their download links, the grid in a bounded number of queries."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.demo import load_audits, load_self_assessments
from audits.enums import FindingKind, SelfRating
from audits.models import Finding, SelfAssessmentLine
from audits.services import finding_record, self_assessment_line_save, self_assessment_submit
from evidence.demo import load_evidence
from evidence.models import Document
from qualipref.demo import load_accounts, load_prefectures
from qualipref.models import Prefecture
from tests.engagements.factories import engagement
from tests.evidence.factories import document
from tests.qualipref.factories import PrefectureFactory

from .factories import campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(prefecture, officer):
    return campaign(prefecture, by=officer)


@pytest.fixture
def poster(prefecture):
    return document(prefecture, title="Affiche des délais", engagements=[engagement("RECLAMATIONS-15J")])


@pytest.fixture
def foreign():
    return document(PrefectureFactory(), title="Procédure d’ailleurs")


def _line(started, code="RECLAMATIONS-15J"):
    return started.lines.get(engagement__code=code)


def _save(line, by, **fields):
    line.refresh_from_db()
    return self_assessment_line_save(
        line=line, by=by, how_met="Affiché.", rating=SelfRating.MET, revision=line.revision, **fields
    )


def _grid(started):
    return reverse("admin:audits_selfassessment_change", args=[started.pk])


def test_the_service_attaches_the_prefecture_s_documents_and_keeps_them_when_not_named(started, officer, poster):
    line = _save(_line(started), officer, documents=[poster])
    assert list(line.documents.all()) == [poster]
    _save(line, officer)  # documents not named: left as they are
    assert list(line.documents.all()) == [poster]
    _save(line, officer, documents=[])
    assert not line.documents.exists()


def test_the_service_refuses_another_prefecture_s_document(started, officer, poster, foreign):
    line = _line(started)
    with pytest.raises(ValidationError) as refused:
        _save(line, officer, documents=[poster, foreign])
    assert refused.value.message_dict["documents"] == ["Ces documents appartiennent à une autre préfecture."]
    line.refresh_from_db()
    assert (line.revision, line.how_met) == (0, "") and not line.documents.exists()


def test_a_submitted_campaign_refuses_new_documents(started, officer, poster):
    for line in started.lines.all():
        _save(line, officer)
    self_assessment_submit(campaign=started, by=officer)
    with pytest.raises(ValidationError, match="ne peut plus être modifiée|cannot be changed"):
        _save(_line(started), officer, documents=[poster])
    assert not _line(started).documents.exists()


def test_the_line_s_form_offers_the_prefecture_s_documents_only_the_engagement_s_first(
    client, prefecture, officer, started, poster, foreign
):
    other = document(prefecture, title="Registre des formations")
    client.force_login(officer)
    response = client.get(_grid(started))
    row = next(row for row in response.context["rows"] if row["line"].engagement.code == "RECLAMATIONS-15J")
    groups = row["form"].fields["documents"].choices
    assert [(str(label), [pk for pk, _ in choices]) for label, choices in groups] == [
        ("Rattachés à cet engagement", [poster.pk]),
        ("Autres documents de la préfecture", [other.pk]),
    ]
    line = SelfAssessmentLine.objects.get(pk=row["line"].pk)  # not the grid's, whose documents were prefetched
    prefix = f"line{line.pk}"
    posted = {
        f"{prefix}-how_met": "Affiché à l’accueil.",
        f"{prefix}-rating": SelfRating.MET,
        f"{prefix}-comment": "",
        f"{prefix}-revision": 0,
    }
    # Another prefecture's document is no choice: refused on the form, what was typed kept.
    refused = client.post(
        reverse("admin:audits_selfassessment_line", args=[started.pk, line.pk]),
        {**posted, f"{prefix}-documents": [poster.pk, foreign.pk]},
    )
    assert refused.status_code == 400 and "Affiché à l’accueil." in refused.content.decode()
    assert not line.documents.exists()
    saved = client.post(
        reverse("admin:audits_selfassessment_line", args=[started.pk, line.pk]),
        {**posted, f"{prefix}-documents": [poster.pk, other.pk]},
    )
    assert saved.status_code == 302
    assert set(line.documents.all()) == {poster, other}


def test_the_grid_shows_each_line_s_documents_with_their_download_link(client, officer, auditor, started, poster):
    _save(_line(started), officer, documents=[poster])
    client.force_login(officer)
    page = client.get(_grid(started)).content.decode()
    assert "Affiche des délais" in page and poster.current_version.get_download_url() in page
    assert "Sans échéance" in page  # its validity
    download = client.get(poster.current_version.get_download_url())
    assert download.status_code == 200
    for line in started.lines.all():
        if not line.how_met:
            _save(line, officer)
    self_assessment_submit(campaign=started, by=officer)
    client.force_login(auditor)
    page = client.get(_grid(started)).content.decode()
    assert poster.current_version.get_download_url() in page


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_grid_takes_the_same_queries_whatever_the_documents(client, prefecture, officer, started, poster):
    client.force_login(officer)
    _queries(client, _grid(started))
    before = _queries(client, _grid(started))
    others = [document(prefecture, title=f"Photo {n}") for n in range(3)]
    for line in started.lines.order_by("position")[:5]:
        _save(line, officer, documents=[poster, *others])
    assert _queries(client, _grid(started)) == before


def test_a_finding_points_at_a_document_of_the_audit_s_prefecture_only(client, audit, auditor, poster, foreign):
    def record(**fields):
        return finding_record(
            audit=audit,
            by=auditor,
            kind=FindingKind.OBSERVATION,
            engagement=engagement("RECLAMATIONS-15J"),
            statement="Affiche à jour.",
            **fields,
        )

    with pytest.raises(ValidationError) as refused:
        record(document=foreign)
    assert "document" in refused.value.message_dict
    finding = record(document=poster)
    assert finding.document == poster
    client.force_login(auditor)
    form = client.get(reverse("admin:audits_finding_add")).context["adminform"].form
    assert list(form.fields["document"].queryset) == [poster]
    page = client.get(reverse("admin:audits_finding_change", args=[finding.pk])).content.decode()
    assert poster.current_version.get_download_url() in page


def test_the_auditor_picks_the_document_in_the_admin_form(client, audit, auditor, poster, foreign):
    client.force_login(auditor)
    fields = {
        "audit": audit.pk,
        "kind": FindingKind.OBSERVATION,
        "engagement": engagement("RECLAMATIONS-15J").pk,
        "statement": "Affiche à jour.",
    }
    refused = client.post(reverse("admin:audits_finding_add"), {**fields, "document": foreign.pk})
    assert refused.status_code == 200 and not Finding.objects.exists()
    saved = client.post(reverse("admin:audits_finding_add"), {**fields, "document": poster.pk})
    assert saved.status_code == 302
    assert Finding.objects.get().document == poster


def test_the_demo_links_the_latest_self_assessment_and_a_finding_to_evidence():
    load_prefectures()
    load_accounts()
    documents = load_evidence()
    load_audits()
    current = load_self_assessments()
    reunion = Prefecture.objects.get(department_code="974")
    linked = SelfAssessmentLine.objects.filter(campaign=current, documents__isnull=False).distinct()
    assert linked.exists()
    for line in linked:
        assert set(line.documents.all()) == set(
            Document.objects.for_prefecture(reunion).for_engagement(line.engagement)
        )
    attached = {e.pk for d in documents for e in d.engagements.all()}
    assert {line.engagement_id for line in current.lines.all()} & attached <= {line.engagement_id for line in linked}
    assert Finding.objects.filter(prefecture=reunion, document__isnull=False).exists()
