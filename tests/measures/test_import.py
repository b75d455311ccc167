"""The calls and tickets files: figures checked against hand-computed values, bad lines named, never twice."""

import datetime
from decimal import Decimal

import pytest

from measures.csvformats import CALL_FIELDS, TICKET_FIELDS
from measures.enums import BadLineReason, CallOutcome, ImportKind, ImportStatus
from measures.models import BadLine, Call, Ticket
from measures.reports import bad_line_message
from measures.selectors import site_months
from measures.services import ImportRefused, measure_import_withdraw

from .conftest import FEBRUARY, run_import, sample

pytestmark = pytest.mark.django_db


def figures(prefecture):
    per_site, totals = site_months(prefecture=prefecture, months=[FEBRUARY])
    return {row.site_name: row for row in per_site}, totals[0] if totals else None


def summary(row):
    return (
        row.calls,
        row.answer_rate,
        row.lost_rate,
        row.served,
        row.left_unserved,
        row.mean_wait_minutes,
        row.within_target_rate,
    )


def test_sample_files_give_the_hand_computed_figures(reunion, sites):
    calls = run_import(reunion, ImportKind.CALLS, sample("appels.csv"), name="appels.csv")
    tickets = run_import(reunion, ImportKind.TICKETS, sample("tickets.csv"), name="tickets.csv")
    assert (calls.status, calls.valid_rows, calls.bad_rows, calls.months) == (
        ImportStatus.DONE,
        10,
        0,
        {"2026-02": 10},
    )
    assert (tickets.status, tickets.valid_rows, tickets.bad_rows) == (ImportStatus.DONE, 8, 0)
    per_site, total = figures(reunion)
    # Saint-Denis: 6 calls, 3 answered within 25 s (8, 25, 3 s; 26 s is one second late), 2 lost (lost, abandoned);
    # tickets waited 10, 30 and 12 minutes (mean 52 / 3 = 17.3), 2 of 3 within 20 minutes, one left unserved.
    assert summary(per_site["Préfecture de Saint-Denis"]) == (
        6, Decimal("50.0"), Decimal("33.3"), 3, 1, Decimal("17.3"), Decimal("66.7")
    )  # fmt: skip
    # Saint-Pierre: 4 calls, 2 within (15, 5 s), 1 lost; waits 5, 25, 20, 15 (65 / 4 = 16.25), 3 of 4 within 20.
    assert summary(per_site["Sous-préfecture de Saint-Pierre"]) == (
        4, Decimal("50.0"), Decimal("25.0"), 4, 0, Decimal("16.3"), Decimal("75.0")
    )  # fmt: skip
    # The prefecture: 10 calls, 5 within, 3 lost; 7 tickets called, 117 minutes (16.7), 5 within 20 minutes.
    assert summary(total) == (10, Decimal("50.0"), Decimal("30.0"), 7, 1, Decimal("16.7"), Decimal("71.4"))


def test_the_same_file_twice_is_refused_and_the_figures_stay(reunion, sites):
    run_import(reunion, ImportKind.CALLS, sample("appels.csv"))
    before = summary(figures(reunion)[1])
    with pytest.raises(ImportRefused, match="déjà été importé"):
        run_import(reunion, ImportKind.CALLS, sample("appels.csv"))
    assert summary(figures(reunion)[1]) == before
    assert Call.objects.count() == 10


def test_rows_already_counted_in_an_overlapping_export_are_reported_not_counted_twice(reunion, sites):
    run_import(reunion, ImportKind.CALLS, sample("appels.csv"))
    before = summary(figures(reunion)[1])
    lines = sample("appels.csv").decode().splitlines()
    # Another export: the first three calls again (another file: another hash) and one new call.
    overlapping = "\n".join([*lines[:4], "2026-02-07 10:00:00;Préfecture de Saint-Denis;40;repondu", ""]).encode()
    second = run_import(reunion, ImportKind.CALLS, overlapping)
    assert (second.valid_rows, second.bad_rows) == (1, 3)
    assert list(BadLine.objects.filter(measure_import=second).values_list("line", "reason")) == [
        (2, BadLineReason.DUPLICATE),
        (3, BadLineReason.DUPLICATE),
        (4, BadLineReason.DUPLICATE),
    ]
    after = figures(reunion)[1]
    assert after.calls == before[0] + 1
    # Withdrawn, the second import's call stops counting: the figures are those of the first file again.
    measure_import_withdraw(measure_import=second, by=None)
    assert summary(figures(reunion)[1]) == before


def test_bad_lines_are_reported_with_their_line_number_and_a_french_message(reunion, sites, settings):
    data = "\n".join(
        [
            "date_appel;site;sonneries;issue",
            "2026-02-02 09:00;Préfecture de Saint-Denis;2;repondu",  # 2: valid, 2 rings = 10 s
            "2026-02-02 09:01;Préfecture de Saint-Denis;2",  # 3: a field missing
            "2026-02-02 09:02;Préfecture de Nulle-Part;2;repondu",  # 4: unknown site
            "2026-02-30 09:03;;2;repondu",  # 5: no such day
            "2026-02-02 09:04;;deux;repondu",  # 6: not a ring time
            "2026-02-02 09:05;;2;occupé",  # 7: unknown outcome
            "2030-01-01 09:00;;2;perdu",  # 8: still to come
            ";;2;perdu",  # 9: missing time
            "02/02/2026 09:06;;6;PERDU",  # 10: valid, 6 rings = 30 s
            "",
        ]
    ).encode()
    calls = run_import(reunion, ImportKind.CALLS, data)
    assert (calls.valid_rows, calls.bad_rows) == (2, 7)
    bad = list(BadLine.objects.filter(measure_import=calls).order_by("line"))
    R = BadLineReason  # noqa: N806
    assert [(b.line, b.reason) for b in bad] == [
        (3, R.FIELD_COUNT),
        (4, R.UNKNOWN_SITE),
        (5, R.BAD_DATETIME),
        (6, R.BAD_RING_TIME),
        (7, R.UNKNOWN_OUTCOME),
        (8, R.IN_FUTURE),
        (9, R.MISSING_VALUE),
    ]
    from django.utils import translation

    with translation.override("fr"):
        messages = [bad_line_message(b, fields=CALL_FIELDS) for b in bad]
    assert messages[0] == "3 champs alors que l’en-tête en compte 4."
    assert "Préfecture de Nulle-Part" in messages[1]
    assert "2026-02-30 09:03" in messages[2] and "date_appel" in messages[2]
    assert "deux" in messages[3] and "sonnerie" in messages[3]
    assert "occupé" in messages[4]
    assert "date_appel" in messages[6]
    assert sorted(Call.objects.values_list("ring_seconds", "outcome")) == [
        (10, CallOutcome.ANSWERED),
        (30, CallOutcome.LOST),
    ]


def test_ticket_lines_out_of_order_are_refused(reunion, sites):
    data = "\n".join(
        [
            "arrivee;appel;fin",
            "2026-02-02 08:30;2026-02-02 08:20;",  # 2: called before arrival
            "2026-02-02 08:30;2026-02-02 21:00;",  # 3: more than twelve hours
            "2026-02-02 08:30;2026-02-02 08:40;2026-02-02 08:35",  # 4: ended before its call
            "2026-02-02 08:30;;2026-02-02 08:35",  # 5: ended, never called
            "2026-02-02 08:30;2026-02-02 08:45;",  # 6: valid, 15 minutes
            "",
        ]
    ).encode()
    tickets = run_import(reunion, ImportKind.TICKETS, data)
    R = BadLineReason  # noqa: N806
    assert list(BadLine.objects.filter(measure_import=tickets).order_by("line").values_list("line", "reason")) == [
        (2, R.CALLED_BEFORE_ARRIVAL),
        (3, R.WAIT_TOO_LONG),
        (4, R.ENDED_BEFORE_CALL),
        (5, R.ENDED_BEFORE_CALL),
    ]
    ticket = Ticket.objects.get()
    assert ticket.wait_seconds == 15 * 60
    assert ticket.site is None
    # In La Réunion's time: 08:30 there is 04:30 UTC.
    assert ticket.arrived_at == datetime.datetime(2026, 2, 2, 4, 30, tzinfo=datetime.UTC)
    bad = BadLine.objects.filter(measure_import=tickets).order_by("line").first()
    assert "08:20" in bad_line_message(bad, fields=TICKET_FIELDS)


def test_a_calls_file_without_ring_time_is_refused_whole(reunion):
    with pytest.raises(ImportRefused, match="durée de sonnerie"):
        run_import(reunion, ImportKind.CALLS, b"date_appel;issue\n2026-02-02 09:00;repondu\n")


def test_a_file_without_its_required_columns_is_refused_whole(reunion):
    with pytest.raises(ImportRefused, match="arrivee"):
        run_import(reunion, ImportKind.TICKETS, sample("appels.csv"))
