"""Every URL that hands out a file or private figures: the prefecture's officer gets it, an officer of
another prefecture gets 403 or 404, an anonymous visitor is sent to log in (never the file).

A new download URL must be added to ``DOWNLOADS`` (or, with a reason, to another list):
``test_every_download_url_is_covered`` looks for them in the URL configuration.
"""

import datetime
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from committee.enums import DocumentKind
from complaints.services import case_submit
from tests.committee.factories import DocumentFactory, MeetingFactory, member_with_account
from tests.complaints.factories import PDF_BYTES, AttachmentFactory, CaseFactory
from tests.delays.factories import DeliveryImportFactory
from tests.engagements.factories import ManualMeasureFactory, MonthlyIndicatorFactory
from tests.measures.factories import MeasureImportFactory
from tests.surveys.factories import DistributionPointFactory, QuestionFactory, SurveyFactory, respond

pytestmark = pytest.mark.django_db


def _attachment(prefecture):
    attachment = AttachmentFactory(case=CaseFactory(prefecture=prefecture))
    return reverse("complaints:attachment_download", args=[attachment.pk])


def _document(prefecture):
    document = DocumentFactory(meeting=MeetingFactory(committee__prefecture=prefecture), kind=DocumentKind.AGENDA)
    return reverse("committee:document", args=[document.pk])


def _survey(prefecture):
    survey = SurveyFactory(prefecture=prefecture)
    question = QuestionFactory(survey=survey, kind="free_text", text="Une remarque ?", required=False)
    respond(survey, {question: "Réponse confidentielle du guichet"})
    return survey


def _point(prefecture):
    return DistributionPointFactory(survey=SurveyFactory(prefecture=prefecture))


def _delivery_import(prefecture):
    return DeliveryImportFactory(prefecture=prefecture)


def _evidence(prefecture):
    return reverse("admin:engagements_manualmeasure_evidence", args=[ManualMeasureFactory(prefecture=prefecture).pk])


def _audit_report(prefecture, name):
    from tests.reports.conftest import done_report

    return reverse(name, args=[done_report(prefecture, PDF_BYTES).pk])


def _indicator_records(prefecture):
    figure = MonthlyIndicatorFactory(prefecture=prefecture)
    return reverse("admin:engagements_monthlyindicator_records", args=[figure.pk])


def _certified_cycle(prefecture):
    """A label cycle of ``prefecture`` awarded with its certificate (also the award step's document)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from audits.enums import CycleStatus
    from audits.services import label_cycle_apply, label_cycle_transition
    from qualipref.uploads import validate_upload

    cycle = label_cycle_apply(prefecture=prefecture, label="marianne", applied_on=datetime.date(2025, 1, 6))
    label_cycle_transition(cycle=cycle, to=CycleStatus.INITIAL_AUDIT, on=datetime.date(2025, 2, 3))
    certificate = validate_upload(SimpleUploadedFile("certificat.pdf", PDF_BYTES, content_type="application/pdf"))
    return label_cycle_transition(
        cycle=cycle, to=CycleStatus.AWARDED, on=datetime.date(2025, 3, 10), document=certificate
    )


def _step_document(prefecture):
    cycle = _certified_cycle(prefecture)
    step = cycle.steps.exclude(document="").get()
    return reverse("admin:audits_labelcycle_step_document", args=[cycle.pk, step.pk])


def _signed_report(prefecture):
    from audits.enums import AuditStatus
    from audits.services import audit_sign, audit_transition
    from tests.audits.factories import auditor_of, planned_audit

    auditor = auditor_of(prefecture)
    audit = audit_transition(audit=planned_audit(_certified_cycle(prefecture), auditor), to=AuditStatus.IN_PROGRESS)
    return reverse("admin:audits_audit_signed_report", args=[audit_sign(audit=audit, by=auditor).pk])


def _evidence_version(prefecture):
    from tests.evidence.factories import with_versions

    return reverse("admin:evidence_document_download", args=[with_versions(prefecture, 2).pk, 1])


# URL name → how to build one for an object of a given prefecture.
DOWNLOADS = {
    "complaints:attachment_download": _attachment,
    "committee:document": _document,
    "admin:surveys_survey_results": lambda p: reverse("admin:surveys_survey_results", args=[_survey(p).pk]),
    "admin:surveys_survey_export": lambda p: reverse("admin:surveys_survey_export", args=[_survey(p).pk]),
    "admin:surveys_distributionpoint_qr_svg": lambda p: reverse(
        "admin:surveys_distributionpoint_qr_svg", args=[_point(p).pk]
    ),
    "admin:surveys_distributionpoint_qr_png": lambda p: reverse(
        "admin:surveys_distributionpoint_qr_png", args=[_point(p).pk]
    ),
    "admin:surveys_distributionpoint_poster": lambda p: reverse(
        "admin:surveys_distributionpoint_poster", args=[_point(p).pk]
    ),
    "admin:delays_import_report": lambda p: reverse("admin:delays_import_report", args=[_delivery_import(p).pk]),
    "admin:measures_import_report": lambda p: reverse(
        "admin:measures_import_report", args=[MeasureImportFactory(prefecture=p).pk]
    ),
    "admin:engagements_manualmeasure_evidence": _evidence,
    "audit_report_download": lambda p: _audit_report(p, "audit_report_download"),
    "audit_report_csv": lambda p: _audit_report(p, "audit_report_csv"),
    "admin:audits_labelcycle_certificate": lambda p: reverse(
        "admin:audits_labelcycle_certificate", args=[_certified_cycle(p).pk]
    ),
    "admin:audits_labelcycle_step_document": _step_document,
    "admin:audits_audit_signed_report": _signed_report,
    # An earlier version of an evidence library's document: every version is as private as the document.
    "admin:evidence_document_download": _evidence_version,
    # Not a file, but the cases behind a figure: as private as the cases themselves.
    "admin:engagements_monthlyindicator_records": _indicator_records,
}
# Downloads whose key is not a login: tested on their own below.
OWN_TESTS = {
    "complaints:tracking_attachment": "test_a_tracking_link_opens_only_its_own_case_documents",
    "admin:complaints_case_access_export": "test_right_of_access_export_holds_only_the_officer_prefectures",
    "admin:complaints_case_list_export": "test_case_list_export_holds_only_the_officer_prefectures",
    "complaints:tracking_receipt": "test_a_tracking_link_gives_only_its_own_cases_receipt",
}
# Published on purpose, under an open licence: only published months ever reach them.
OPEN_DATA = {
    "delays:network_open_data",
    "delays:prefecture_open_data",
    "delays:api_monthly",
    "delays:api_title_types",
    "delays:api_schema",
    "results:network_open_data",
    "results:prefecture_open_data",
}
# What a URL that serves a file (or a private export) looks like.
# The admin's own object pages: tests/qualipref/test_scoping.py covers them for every scoped model. Its app
# index pages list models, not files (their route names every app label: ``reports`` among them).
ADMIN_OBJECT_PAGE = re.compile(r"^admin:(\w+_(changelist|add|change|delete|history)|app_list)$")
DOWNLOAD_HINT = re.compile(r"\.(csv|json|pdf|png|svg|ics|zip|xlsx)\b|document|piece|attachment|export|evidence|report")


def _url_names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            for route, name in _url_names(pattern.url_patterns, inner):
                yield str(pattern.pattern) + route, name
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield str(pattern.pattern), namespace + pattern.name


def test_every_download_url_is_covered():
    found = {
        name
        for route, name in _url_names(get_resolver().url_patterns)
        if DOWNLOAD_HINT.search(route + name) and not ADMIN_OBJECT_PAGE.search(name)
    }
    known = set(DOWNLOADS) | set(OWN_TESTS) | OPEN_DATA
    assert found - known == set(), "add these download URLs to DOWNLOADS (with a builder) in this file"


def _assert_refused(response):
    if response.status_code == 302:
        assert "connexion" in response["Location"] or "login" in response["Location"]
    else:
        assert response.status_code in {403, 404}, response.status_code
    assert not response.get("Content-Disposition", "").startswith("attachment")


@pytest.mark.parametrize("name", list(DOWNLOADS))
def test_officer_of_the_prefecture_gets_the_download(client, reunion, officer, name):
    url = DOWNLOADS[name](reunion)
    client.force_login(officer)
    response = client.get(url)
    assert response.status_code == 200, url
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body


@pytest.mark.parametrize("name", list(DOWNLOADS))
def test_officer_of_another_prefecture_is_refused_the_download(client, reunion, foreign_officer, name):
    url = DOWNLOADS[name](reunion)
    client.force_login(foreign_officer)
    _assert_refused(client.get(url))


@pytest.mark.parametrize("name", list(DOWNLOADS))
def test_anonymous_visitor_is_refused_the_download(client, reunion, name):
    url = DOWNLOADS[name](reunion)
    response = client.get(url)
    _assert_refused(response)


@pytest.mark.parametrize("name", list(DOWNLOADS))
def test_committee_member_is_refused_the_officers_downloads(client, reunion, name):
    """A member of the prefecture's own committee is no officer: the admin's files stay closed to them."""
    url = DOWNLOADS[name](reunion)
    if name == "committee:document":  # what members may read; their own committee's is tested there
        return
    member = member_with_account(MeetingFactory(committee__prefecture=reunion).committee)
    client.force_login(member.user)
    _assert_refused(client.get(url))


def test_member_of_another_committee_gets_404_on_a_document(client, reunion, other):
    url = _document(reunion)
    client.force_login(member_with_account(MeetingFactory(committee__prefecture=other).committee).user)
    assert client.get(url).status_code == 404


def test_a_tracking_link_opens_only_its_own_case_documents(client, reunion):
    data = {
        "kind": "complaint",
        "topic": "counter",
        "subject": "A",
        "description": "B",
        "name": "M",
        "email": "m@x.fr",
    }
    case, token = case_submit(prefecture=reunion, data=data)
    _other_case, other_token = case_submit(prefecture=reunion, data=data)
    mine = AttachmentFactory(case=case)
    response = client.get(reverse("complaints:tracking_attachment", args=[token, mine.pk]))
    assert b"".join(response.streaming_content) == PDF_BYTES
    # Another citizen's valid link, a made-up link, no link: the document stays out of reach.
    assert client.get(reverse("complaints:tracking_attachment", args=[other_token, mine.pk])).status_code == 404
    assert client.get(reverse("complaints:tracking_attachment", args=["x" * 43, mine.pk])).status_code == 404
    assert client.get(reverse("complaints:tracking_attachment", args=[token[:-1], mine.pk])).status_code == 404


def test_right_of_access_export_holds_only_the_officer_prefectures(client, reunion, other, officer, foreign_officer):
    CaseFactory(prefecture=reunion, email="marie@example.org", subject="Affaire de La Réunion")
    CaseFactory(prefecture=other, email="marie@example.org", subject="Affaire du Val-de-Marne")
    url = reverse("admin:complaints_case_access_export")

    client.force_login(foreign_officer)
    export = client.post(url, {"email": "marie@example.org"}).content.decode()
    assert "Affaire du Val-de-Marne" in export and "Affaire de La Réunion" not in export

    client.logout()
    _assert_refused(client.post(url, {"email": "marie@example.org"}))


def test_case_list_export_holds_only_the_officer_prefectures(client, reunion, other, officer, foreign_officer):
    CaseFactory(prefecture=reunion, reference="974-2026-000001")
    CaseFactory(prefecture=other, reference="094-2026-000001")
    url = reverse("admin:complaints_case_list_export")

    client.force_login(foreign_officer)
    export = b"".join(client.get(url).streaming_content).decode()
    assert "094-2026-000001" in export and "974-2026-000001" not in export
    # Naming the other prefecture in the filters changes nothing.
    export = b"".join(client.get(f"{url}?prefecture__id__exact={reunion.pk}").streaming_content).decode()
    assert "974-2026-000001" not in export

    client.logout()
    _assert_refused(client.get(url))


def test_a_tracking_link_gives_only_its_own_cases_receipt(client, reunion, other):
    from complaints.tracking_links import tracking_token_issue

    mine = CaseFactory(prefecture=reunion, reference="974-2026-000101")
    theirs = CaseFactory(prefecture=other, reference="094-2026-000202")
    token, other_token = tracking_token_issue(case=mine), tracking_token_issue(case=theirs)
    receipt = client.get(reverse("complaints:tracking_receipt", args=[token]))
    assert receipt.status_code == 200 and b"%PDF" in receipt.content[:8]
    assert "974-2026-000101" in receipt["Content-Disposition"]
    assert (
        "094-2026-000202"
        in client.get(reverse("complaints:tracking_receipt", args=[other_token]))["Content-Disposition"]
    )
    # A made-up or shortened link: the one page for links that no longer work, never a receipt.
    for wrong in ("x" * 43, token[:-1]):
        response = client.get(reverse("complaints:tracking_receipt", args=[wrong]))
        assert response.status_code == 404 and b"%PDF" not in response.content[:8]
