"""The quarterly report's audit chapter: the cycle's position, the period's audits, findings and their actions."""

import datetime

import pytest

from audits.enums import AuditStatus, CycleStatus, FindingKind
from audits.services import audit_sign, audit_transition, finding_answer, finding_record
from engagements.periods import Period
from qualipref.enums import Label
from reports.data import gather
from reports.render import render_html
from tests.engagements.factories import engagement
from tests.qualipref.factories import PrefectureFactory, officer_of

from .factories import auditor_of, awarded_cycle, planned_audit

pytestmark = pytest.mark.django_db

QUARTER = Period.quarter(2026, 1)


def test_the_report_shows_the_findings_and_their_corrective_actions():
    prefecture = PrefectureFactory(label=Label.NONE, label_awarded_on=None)
    auditor, officer = auditor_of(prefecture, first_name="Philippe", last_name="Lebon"), officer_of(prefecture)
    audit = planned_audit(awarded_cycle(prefecture), auditor, starts_on=datetime.date(2026, 3, 2))
    audit_transition(audit=audit, to=AuditStatus.IN_PROGRESS)
    finding = finding_record(
        audit=audit,
        by=auditor,
        kind=FindingKind.MAJOR,
        engagement=engagement("ATTENTE-GUICHET"),
        statement="Le temps d’attente affiché n’est pas mis à jour.",
        action_due_on=datetime.date(2026, 5, 4),
    )
    finding_record(
        audit=audit,
        by=auditor,
        kind=FindingKind.STRONG_POINT,
        engagement=engagement("COMITE-USAGERS"),
        statement="Un comité d’usagers très actif.",
    )
    audit = audit_sign(audit=audit, by=auditor)
    finding_answer(finding=finding, by=officer, title="Affichage dynamique du temps d’attente")

    data = gather(prefecture, QUARTER, today=datetime.date(2026, 6, 1))["audits"]

    assert data["cycle"]["status_display"] == CycleStatus.AWARDED.label
    assert (data["non_conformities"], data["open"], data["late"]) == (1, 1, 1)
    assert [a["auditor"] for a in data["audits"]] == ["Philippe Lebon"]
    assert [(f["engagement_code"], f["action_title"]) for f in data["findings"]] == [
        ("ATTENTE-GUICHET", "Affichage dynamique du temps d’attente"),
        ("COMITE-USAGERS", None),
    ]
    html = render_html(gather(prefecture, QUARTER, today=datetime.date(2026, 6, 1)))
    assert "Affichage dynamique du temps d’attente" in html
    assert audit.signed_sha256[:16] in html


def test_the_report_shows_the_latest_self_assessment_and_its_flagged_lines():
    from audits.enums import SelfRating
    from audits.services import self_assessment_line_save, self_assessment_submit
    from tests.engagements.factories import MonthlyIndicatorFactory

    from .factories import campaign

    prefecture = PrefectureFactory(label=Label.NONE, label_awarded_on=None)
    officer = officer_of(prefecture)
    started = campaign(prefecture, by=officer)
    MonthlyIndicatorFactory(prefecture=prefecture, engagement=engagement("COURRIERS-15J"), met=False)
    for line in started.lines.select_related("engagement"):
        rating = SelfRating.MET if line.engagement.code != "ATTENTE-GUICHET" else SelfRating.NOT_MET
        self_assessment_line_save(line=line, by=officer, how_met="Fait.", rating=rating, revision=0)
    self_assessment_submit(campaign=started, by=officer)

    data = gather(prefecture, QUARTER, today=datetime.date(2026, 6, 1))
    part = data["audits"]["self_assessment"]
    assert part["on"] == started.on and part["totals"]["not_met"] == 1
    assert [line["code"] for line in part["flagged"]] == ["COURRIERS-15J"]
    html = render_html(data)
    assert "Lignes signalées" in html and "COURRIERS-15J" in html
