#!/usr/bin/env python
"""A quarterly audit report for a prefecture with 50,000 cases and 100,000 survey answers in the quarter.

Runs on its own PostgreSQL database (``BENCH_REPORTS_DATABASE_URL``, by default
``postgres://postgres@127.0.0.1:5432/qualipref_bench_reports``, recreated each run). Rows are inserted with
INSERT … SELECT generate_series. Then it measures, with the number of queries and the time:

1. gathering the data (``reports.data.gather``): aggregate queries only;
2. rendering: the HTML (Django templates) and the PDF (WeasyPrint), its pages and size;
3. the detailed CSV beside it (one line per complaint, streamed);
4. a complete build (``report_build``: all of the above, files stored, e-mail queued).

The parts and the build are measured in turn, ``BENCH_ROUNDS`` times (5 by default), and their medians
compared: ``build_vs_parts`` is the median of the rounds' ratios build / (gathering + HTML + PDF + CSV), aim
≤ 1.1. Each round also compares the report the build stored with the parts: the gathered figures (all but
the moment they were gathered), the page count, the detailed CSV byte for byte, the PDF against its
checksum; any difference is printed and the script exits 1.

Prints a ``SUMMARY reports key=value …`` line at the end (aims: gathering under a fifth of gathering +
rendering, the build no more than its parts).
"""

import os
import statistics
import sys
import time
from pathlib import Path

from harness import database_recreate, timed

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE_URL = os.environ.get(
    "BENCH_REPORTS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qualipref_bench_reports"
)
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ["DEBUG"] = "true"
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("MEDIA_ROOT", "/tmp/qualipref-bench-reports-media")

CASES = int(os.environ.get("BENCH_CASES", 50_000))
RESPONSES = int(os.environ.get("BENCH_RESPONSES", 50_000))  # two answers each: 100,000 answers
SERVICES = 30
SITES = 12
TITLES = 12
OTHER_PREFECTURES = 5
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 5))  # parts then build, interleaved: medians


def build(quarter, previous):
    import datetime

    from django.db import connection
    from django.utils import timezone

    from committee.models import Committee, ImprovementAction, Meeting
    from delays.models import MonthlyDelay, MonthPublication, TitleType
    from qualipref.models import Prefecture, Service, Site
    from surveys.models import DistributionPoint, Question, Survey
    from surveys.tally import tally_rebuild

    start = time.perf_counter()
    reunion = Prefecture.objects.create(
        department_code="974",
        name="La Réunion",
        slug="la-reunion",
        time_zone="Indian/Reunion",
        holiday_subdivision="974",
        label="qualipref",
        label_awarded_on=datetime.date(2024, 1, 15),
        certifying_body="AFNOR Certification",
    )
    others = Prefecture.objects.bulk_create(
        [
            Prefecture(department_code=f"{i:02d}", name=f"Préfecture {i}", slug=f"prefecture-{i}")
            for i in range(1, OTHER_PREFECTURES + 1)
        ]
    )
    services = Service.objects.bulk_create(
        [Service(prefecture=reunion, name=f"Service {i:02d}") for i in range(1, SERVICES + 1)]
    )
    sites = Site.objects.bulk_create([Site(prefecture=reunion, name=f"Site {i:02d}") for i in range(1, SITES + 1)])
    survey = Survey.objects.create(
        prefecture=reunion,
        title="Accueil",
        slug="accueil",
        opens_on=previous.start,
        closes_on=quarter.end,
        status="closed",
        results_public=True,
    )
    Question.objects.bulk_create(
        [
            Question(survey=survey, position=1, kind="satisfaction", text="Satisfait ?", is_public=True),
            Question(survey=survey, position=2, kind="recommendation", text="Recommanderiez-vous ?", is_public=True),
        ]
    )
    points = DistributionPoint.objects.bulk_create(
        [
            DistributionPoint(survey=survey, name=f"Guichet {i}", site=sites[i % SITES], code=f"B{i:05d}")
            for i in range(24)
        ]
    )
    committee = Committee.objects.create(prefecture=reunion)
    with connection.cursor() as cursor:
        # Two thirds of the cases in the quarter, a third in the previous one; answers, delays and ratings vary.
        cursor.execute(
            """
            INSERT INTO complaints_case (
                prefecture_id, reference, kind, channel, topic_id, service_id, subject, description, name, email,
                phone, status, received_on, due_on, paused_working_days, created_at, answered_at,
                rejection_reason, public_reply, rating, rating_comment, rated_at)
            SELECT %(pref)s, '974-B-' || g, CASE WHEN g %% 10 = 0 THEN 'suggestion' ELSE 'complaint' END,
                   (ARRAY['online','letter','email','phone','counter'])[1 + g %% 5],
                   (%(topics)s::bigint[])[1 + g %% 8],
                   %(first_service)s + g %% %(services)s, 'Objet', 'Texte', '', 'x@example.org', '',
                   CASE WHEN g %% 40 = 0 THEN 'in_progress' ELSE 'answered' END,
                   day, day + 21, 0, day::timestamp,
                   CASE WHEN g %% 40 = 0 THEN NULL ELSE (day + (g %% 30))::timestamp + interval '10 hours' END,
                   '', '', CASE WHEN g %% 4 = 0 THEN 1 + g %% 5 END, '',
                   CASE WHEN g %% 4 = 0 THEN (day + (g %% 30) + 2)::timestamp + interval '12 hours' END
            FROM (SELECT g, CASE WHEN g %% 3 = 0 THEN %(previous)s::date + g %% %(previous_days)s
                                 ELSE %(quarter)s::date + g %% %(quarter_days)s END AS day
                  FROM generate_series(0, %(count)s - 1) AS g) AS s
            """,
            {
                "pref": reunion.pk,
                "first_service": services[0].pk,
                "topics": list(reunion.topics.order_by("position").values_list("pk", flat=True)),
                "services": SERVICES,
                "previous": previous.start,
                "previous_days": (previous.end - previous.start).days + 1,
                "quarter": quarter.start,
                "quarter_days": (quarter.end - quarter.start).days + 1,
                "count": CASES * 3 // 2,
            },
        )
        cursor.execute(
            """
            INSERT INTO surveys_response (survey_id, point_id, submitted_on)
            SELECT %(survey)s, (ARRAY%(points)s)[1 + g %% %(n_points)s],
                   CASE WHEN g %% 3 = 0 THEN %(previous)s::date + g %% 91 ELSE %(quarter)s::date + g %% 92 END
            FROM generate_series(0, %(count)s - 1) AS g
            """.replace("%(points)s", str([p.pk for p in points])),
            {
                "survey": survey.pk,
                "n_points": len(points),
                "previous": previous.start,
                "quarter": quarter.start,
                "count": RESPONSES * 3 // 2,
            },
        )
        cursor.execute(
            """
            INSERT INTO surveys_answer (response_id, question_id, point_id, submitted_on, value, text)
            SELECT r.id, q.id, r.point_id, r.submitted_on,
                   CASE q.kind WHEN 'satisfaction' THEN 1 + (r.id * 7919 + q.id) %% 5
                               ELSE (r.id * 7919 + q.id) %% 11 END,
                   ''
            FROM surveys_response r JOIN surveys_question q ON q.survey_id = r.survey_id
            """,
            [],
        )
    tally_rebuild()  # the answers went in by SQL, past the service that keeps the tally (surveys.tally)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    meetings = Meeting.objects.bulk_create(
        [
            Meeting(
                committee=committee,
                title=f"Plénière {i}",
                date=quarter.start + datetime.timedelta(days=20 * i + 5),
                start_time=datetime.time(9, 30),
                status="held",
            )
            for i in range(3)
        ]
    )
    ImprovementAction.objects.bulk_create(
        [
            ImprovementAction(
                prefecture=reunion,
                title=f"Action {i}",
                due_on=previous.start + datetime.timedelta(days=i % 180),
                status="in_progress" if i % 3 else "proposed",
            )
            for i in range(200)
        ]
    )
    titles = TitleType.objects.bulk_create(
        [TitleType(code=f"BENCH-{i}", label=f"Titre {i}", category="other", position=i) for i in range(TITLES)]
    )
    now = timezone.now()
    for prefecture in [reunion, *others]:
        for month in previous.months + quarter.months:
            publication = MonthPublication.objects.create(
                prefecture=prefecture, month=month, status="published", published_at=now
            )
            MonthlyDelay.objects.bulk_create(
                [
                    MonthlyDelay(
                        prefecture=prefecture,
                        title_type=title,
                        month=month,
                        publication=publication,
                        count=100 + i,
                        total_days=(100 + i) * (20 + (i + prefecture.pk) % 15),
                        median_days=20,
                        p90_days=40,
                        computed_at=now,
                    )
                    for i, title in enumerate(titles)
                ]
            )
    elapsed = time.perf_counter() - start
    print(f"built {CASES * 3 // 2:,} cases and {RESPONSES * 3:,} answers over two quarters in {elapsed:.1f} s")
    return reunion, meetings, elapsed


def main():
    database_recreate(DATABASE_URL)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = True  # query logging
    call_command("migrate", verbosity=0)

    from engagements.periods import Period
    from engagements.services import monthly_indicators_refresh
    from qualipref.dates import add_months, quarter_of
    from qualipref.models import Prefecture
    from qualipref.pdf import render_pdf
    from reports.data import gather
    from reports.models import previous_period
    from reports.render import render_csv, render_html
    from reports.services import report_build, report_create

    today = Prefecture(time_zone="Indian/Reunion").today()
    this_quarter = Period.quarter(today.year, quarter_of(today))
    quarter = previous_period(this_quarter)
    previous = previous_period(quarter)
    reunion, _meetings, build_seconds = build(quarter, previous)
    counts = {}
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM complaints_case WHERE received_on BETWEEN %s AND %s", [quarter.start, quarter.end]
        )
        counts["cases"] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM surveys_answer WHERE submitted_on BETWEEN %s AND %s", [quarter.start, quarter.end]
        )
        counts["answers"] = cursor.fetchone()[0]
    print(f"the quarter {quarter}: {counts['cases']:,} cases, {counts['answers']:,} survey answers")
    monthly_indicators_refresh(prefecture=reunion, months=[add_months(quarter.last_month, -i) for i in range(12)])
    gather(reunion, quarter)  # warm: the working-days calendar is written once

    # The build's own gathered figures, to compare with the parts' (the build is measured as it runs).
    import reports.services as report_services

    built_data = []

    def gather_kept(*args, **kwargs):
        data = gather(*args, **kwargs)
        built_data.append(data)
        return data

    report_services.gather = gather_kept

    parts_rounds, build_rounds, mismatches = [], [], []
    parts_cpu, build_cpu = [], []  # this process's CPU time: what the machine's other load does not stretch
    pages = pdf = csv = None
    gather_queries = csv_queries = build_queries = built = None
    for round_ in range(1, ROUNDS + 1):
        print(f"-- round {round_} of {ROUNDS}")
        # The parts, measured apart, as the build runs them.
        cpu = time.process_time()
        data, gather_queries, gather_seconds = timed("gather the data", lambda: gather(reunion, quarter))
        html, _q, html_seconds = timed(
            "render the HTML", lambda data=data: render_html(data, version=1, time_zone="Indian/Reunion")
        )
        (pdf, pages), _q, pdf_seconds = timed("render the PDF (WeasyPrint)", lambda html=html: render_pdf(html))
        csv, csv_queries, csv_seconds = timed("write the detailed CSV", lambda: render_csv(reunion, quarter))
        parts_cpu.append(time.process_time() - cpu)
        parts_rounds.append({"gather": gather_seconds, "html": html_seconds, "pdf": pdf_seconds, "csv": csv_seconds})
        # Then the complete build: the same work, files stored and e-mail queued.
        report, _created = report_create(prefecture=reunion, period=quarter)
        cpu = time.process_time()
        built, build_queries, full_seconds = timed(
            "complete build (report_build)", lambda report=report: report_build(report_id=report.pk)
        )
        build_cpu.append(time.process_time() - cpu)
        build_rounds.append(full_seconds)
        if built is not None and built.status == "done":
            rest = full_seconds - built.gather_seconds - built.render_seconds
            print(
                f"  inside it: gathering {built.gather_seconds:.2f} s, HTML + PDF {built.render_seconds:.2f} s, "
                f"CSV, files stored, e-mail queued {rest:.2f} s; Python CPU: parts {parts_cpu[-1]:.2f} s, "
                f"build {build_cpu[-1]:.2f} s"
            )
        mismatches += differences(data, pages, csv, built, built_data[-1])
    sums = [sum(parts.values()) for parts in parts_rounds]
    median = {key: statistics.median(parts[key] for parts in parts_rounds) for key in parts_rounds[0]}
    parts_s, full_s = statistics.median(sums), statistics.median(build_rounds)
    ratio = statistics.median(build / parts for build, parts in zip(build_rounds, sums, strict=True))
    cpu_ratio = statistics.median(build / parts for build, parts in zip(build_cpu, parts_cpu, strict=True))
    render_s = median["html"] + median["pdf"]
    share = median["gather"] / (median["gather"] + render_s)
    csv_lines = csv.count(b"\n") - 1
    print(
        f"PDF: {pages} pages, {len(pdf) / 1024:.0f} KiB; CSV: {csv_lines:,} lines, {len(csv) / 1024:.0f} KiB; "
        f"gathering is {share:.0%} of gathering + rendering"
    )
    print(
        f"medians of {ROUNDS} rounds: parts {parts_s:.2f} s (gather {median['gather']:.2f} + HTML "
        f"{median['html']:.2f} + PDF {median['pdf']:.2f} + CSV {median['csv']:.2f}), complete build {full_s:.2f} s; "
        f"build / parts {ratio:.2f} (median of the rounds' ratios; aim ≤ 1.1); in this process's CPU time "
        f"{cpu_ratio:.2f}"
    )
    figures = "DIFFERENT" if mismatches else "same"
    for mismatch in mismatches:
        print(f"MISMATCH between the parts and the build: {mismatch}")
    print(
        "SUMMARY reports "
        f"period={quarter} cases={counts['cases']} answers={counts['answers']} build_s={build_seconds:.1f} "
        f"rounds={ROUNDS} gather_queries={gather_queries} gather_s={median['gather']:.3f} "
        f"html_s={median['html']:.3f} pdf_s={median['pdf']:.3f} render_s={render_s:.3f} gather_share={share:.3f} "
        f"pages={pages} pdf_bytes={len(pdf)} csv_queries={csv_queries} csv_s={median['csv']:.3f} "
        f"csv_bytes={len(csv)} parts_s={parts_s:.3f} full_build_queries={build_queries} full_build_s={full_s:.3f} "
        f"build_vs_parts={ratio:.2f} build_vs_parts_cpu={cpu_ratio:.2f} figures={figures} status={built.status}"
    )
    if mismatches or built.status != "done":
        sys.exit(1)


def differences(data, pages, csv, report, built_data):
    """What differs between the report measured in parts and the one the build stored: its gathered figures
    (all but the moment they were gathered), its page count, its detailed CSV byte for byte, and the stored
    PDF against its recorded checksum and size."""
    import hashlib

    found = []
    if report is None or report.status != "done":
        return [f"the build ended {report and report.status}: {report and report.error}"]
    parts_figures = {key: value for key, value in data.items() if key != "gathered_at"}
    built_figures = {key: value for key, value in built_data.items() if key != "gathered_at"}
    for key in sorted(parts_figures.keys() | built_figures.keys()):
        if parts_figures.get(key) != built_figures.get(key):
            found.append(f"figures of {key!r}")
    if report.page_count != pages:
        found.append(f"pages: {pages} apart, {report.page_count} built")
    with report.csv_file.open("rb") as stored:
        if stored.read() != csv:
            found.append("the detailed CSV")
    with report.file.open("rb") as stored:
        content = stored.read()
    if hashlib.sha256(content).hexdigest() != report.sha256 or len(content) != report.size:
        found.append("the stored PDF against its checksum and size")
    return found


if __name__ == "__main__":
    main()
