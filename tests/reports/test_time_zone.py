"""The audit report and its e-mail give times in the prefecture's zone, named: La Réunion's officer reads
Saint-Denis time, not Paris's."""

import datetime

import pytest
import time_machine

from reports.enums import ReportStatus
from reports.services import report_request

from .conftest import QUARTER
from .test_build import pdf_text

pytestmark = pytest.mark.django_db

# 10 November 2026, 04:30 UTC: 08:30 in Saint-Denis, 05:30 in Paris.
MOMENT = datetime.datetime(2026, 11, 10, 4, 30, tzinfo=datetime.UTC)


def test_the_report_and_its_e_mail_give_saint_denis_time(reunion, officer, on_commit_immediately, mailoutbox):
    with time_machine.travel(MOMENT):  # ticking: the build takes seconds, not a minute
        report = report_request(prefecture=reunion, period=QUARTER, by=officer)
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    _data, text = pdf_text(report)
    assert "10 novembre 2026 08:30, heure de La Réunion" in " ".join(text.split())
    assert "05:30" not in text
    [message] = mailoutbox
    assert "Produit le\u00a0: 10 novembre 2026 08:30, heure de La Réunion" in message.body
    assert "05:30" not in message.body
