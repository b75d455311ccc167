from django.utils import translation

from reports.data import gather
from reports.enums import ReportStatus
from reports.render import render_html
from reports.services import report_request
from tests.qualipref.i18n_checks import english_in, visible_text

from .conftest import QUARTER
from .test_build import pdf_text


def _report_text(prefecture):
    html = render_html(gather(prefecture, QUARTER), version=1, requested_by="Nadia Payet", time_zone="Indian/Reunion")
    return visible_text(html, language="fr")


def test_the_audit_report_has_no_english_word(quarter_data, reunion):
    assert english_in(_report_text(reunion)) == []


def test_a_target_in_minutes_reads_as_minutes_not_as_meeting_minutes(quarter_data, reunion):
    text = _report_text(reunion)
    assert "au plus 20 minutes" in text
    assert "20 compte rendu" not in text


def test_a_report_requested_from_the_english_admin_is_built_in_french(
    quarter_data, reunion, officer, on_commit_immediately
):
    translation.activate("en")  # the officer's page was in English: the auditor still reads French
    report = report_request(prefecture=reunion, period=QUARTER, by=officer)
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    _data, text = pdf_text(report)
    text = " ".join(text.split())
    assert "Préfecture de La Réunion" in text and "3e trimestre 2026" in text
    assert english_in(text) == []


def test_a_report_asked_in_english_is_built_in_english(quarter_data, reunion, officer, on_commit_immediately):
    report = report_request(prefecture=reunion, period=QUARTER, by=officer, language="en")
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    assert report.filename("pdf").endswith("-v1-en.pdf")
    _data, text = pdf_text(report)
    text = " ".join(text.split())
    assert "3rd quarter 2026" in text and "La Réunion" in text
    for french in ("3e trimestre", "Sommaire", "Réclamations et suggestions", "Engagements de service"):
        assert french not in text, french
    # The next report asked without a language is French again.
    french = report_request(prefecture=reunion, period=QUARTER, by=officer)
    french.refresh_from_db()
    assert french.language == "fr" and "3e trimestre 2026" in " ".join(pdf_text(french)[1].split())
