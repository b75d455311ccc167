#!/usr/bin/env python
"""A national year: 100 prefectures, 20 million deliveries, 500,000 cases, 5 million survey answers.

Builds two PostgreSQL databases from the same rows, inserted by INSERT … SELECT generate_series (every figure of a
prefecture depends only on its own position in its prefecture, so the measured prefecture, n° 050, holds exactly the
same rows in both):

* ``BENCH_NATIONAL_DB`` (default ``qualipref_bench_national``): the whole network, 100 prefectures;
* ``BENCH_NATIONAL_ONE_DB`` (default ``qualipref_bench_national_one``): prefecture 050 alone.

Each prefecture holds, for the 12 complete months before this one: 200,000 delivery records in 12 monthly imports
(the histogram and the monthly statistics built and published as an accepted import does), 5,000 cases, 10,000
survey responses of five answers each (the answers' tally rebuilt after the load: ``surveys.tally.tally_rebuild``),
a committee with four meetings and ten improvement actions, and every engagement's monthly figures (the
materialisation of ``engagements.services.monthly_indicators_refresh``).

Then, for prefecture 050 in each database (interleaved: one, national, one, national; medians):

1. the public pages, the officer's administration pages, the network pages, the open-data files and the API:
   time and queries, built afresh (cache emptied) and served again (``qualipref.pagecache``);
2. the jobs, each in a child process of its own (its peak RSS is the job's memory, Django included): the nightly
   indicator refresh of one prefecture, a quarterly audit report, the open-data files, a delivery import of one
   prefecture's year (check, store, accept);
3. the key queries on the two big tables, with and without their index (BRIN of the delivery records by import,
   the answers' index by question), and with a candidate covering index of the answers (built and rolled back);
4. national only: the whole nightly refresh (all prefectures), the network open-data files, the database's size
   and its biggest tables.

Each national figure is divided by the same figure on one prefecture's data; pages and files that list every
prefecture (network pages, network open-data files) grow with the network by design: their ratio is printed
apart and not in ``worst_ratio``, nor are the single queries of 3 (their jobs are). Page times under 5 ms count as
5 ms (the machine's noise). Aim: every other ratio ≤ 2, every job under 300 MB.

``BENCH_SCALE`` (default 1) multiplies every prefecture's rows (``BENCH_SCALE=0.05`` for a quick trial);
``BENCH_PREFECTURES`` (default 100) the number of prefectures. Prints ``SUMMARY national key=value …``.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import database_recreate, environment

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
NATIONAL_DB = os.environ.get("BENCH_NATIONAL_DB", "qualipref_bench_national")
ONE_DB = os.environ.get("BENCH_NATIONAL_ONE_DB", "qualipref_bench_national_one")
SCALE = float(os.environ.get("BENCH_SCALE", 1))
PREFECTURES = int(os.environ.get("BENCH_PREFECTURES", 100))
MEASURED = 50  # the prefecture measured in both databases
RECORDS = round(200_000 * SCALE)  # per prefecture and year: 20 million for the network
CASES = round(5_000 * SCALE)  # 500,000
RESPONSES = round(10_000 * SCALE)  # five answers each: 5 million
QUESTIONS = [("satisfaction", 1), ("satisfaction", 2), ("satisfaction", 3), ("satisfaction", 4), ("recommendation", 5)]
MONTHS = 12
REPEAT = 4  # requests per page and per child; two children per database
MEMORY_LIMIT_MB = 300
WORK = Path(tempfile.gettempdir()) / "qualipref-bench-national"


def code(index):
    return f"{index:03d}"


def slug(index):
    return f"prefecture-{code(index)}"


# --- building -------------------------------------------------------------------------------------------------


def build(indexes):
    """Every row of the prefectures ``indexes`` (runs in a child process on its database)."""
    import datetime

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from committee.models import Committee, ImprovementAction, Meeting
    from complaints.topics import topics_create_defaults
    from delays.models import DeliveryImport, MonthPublication, TitleType
    from delays.stats import refresh_statistics
    from engagements.services import monthly_indicators_refresh
    from qualipref.dates import add_months, month_start, months_from
    from qualipref.enums import Role
    from qualipref.models import Membership, Prefecture, Service, Site, User
    from surveys.models import DistributionPoint, Question, Survey
    from surveys.tally import tally_rebuild

    call_command("migrate", verbosity=0)
    timings = {}
    started = time.perf_counter()
    current = month_start(Prefecture(time_zone="Europe/Paris").today())
    first = add_months(current, -MONTHS)
    months = months_from(first, MONTHS)
    last_day = current - datetime.timedelta(days=1)
    prefectures = Prefecture.objects.bulk_create(
        [
            Prefecture(
                department_code=code(i),
                name=f"Préfecture {code(i)}",
                slug=slug(i),
                time_zone="Europe/Paris",
                label="qualipref" if i % 3 else "marianne",
                label_awarded_on=datetime.date(2020 + i % 5, 1 + i % 12, 1),
            )
            for i in indexes
        ]
    )
    for prefecture in prefectures:  # bulk_create sends no post_save: the default topics, as a new prefecture gets
        topics_create_defaults(prefecture=prefecture)
    Service.objects.bulk_create(
        [Service(prefecture=p, name=f"Service {n}") for p in prefectures for n in ("accueil", "séjour", "permis")]
    )
    Site.objects.bulk_create(
        [Site(prefecture=p, name=f"Site {p.department_code}-{n}") for p in prefectures for n in range(3)]
    )
    measured = next(p for p in prefectures if p.department_code == code(MEASURED))
    officer = User.objects.create_user(email="qualite.050@example.org", password=None, is_staff=True)
    Membership.objects.create(user=officer, prefecture=measured, role=Role.QUALITY_OFFICER)
    committees = Committee.objects.bulk_create([Committee(prefecture=p) for p in prefectures])
    Meeting.objects.bulk_create(
        [
            Meeting(
                committee=c,
                title=f"Plénière {q + 1}",
                date=add_months(first, 3 * q) + datetime.timedelta(days=40),
                start_time=datetime.time(9, 30),
                status="held",
            )
            for c in committees
            for q in range(4)
        ]
    )
    ImprovementAction.objects.bulk_create(
        [
            ImprovementAction(
                prefecture=p,
                title=f"Action {n}",
                due_on=first + datetime.timedelta(days=36 * n),
                status="in_progress" if n % 3 else "proposed",
            )
            for p in prefectures
            for n in range(10)
        ]
    )
    surveys = Survey.objects.bulk_create(
        [
            Survey(
                prefecture=p,
                title="Accueil",
                slug="accueil",
                opens_on=first,
                closes_on=last_day,
                status="open",
                results_public=True,
            )
            for p in prefectures
        ]
    )
    Question.objects.bulk_create(
        [
            Question(survey=s, position=position, kind=kind, text=f"Question {position}", is_public=True)
            for s in surveys
            for kind, position in QUESTIONS
        ]
    )
    DistributionPoint.objects.bulk_create(
        [
            DistributionPoint(survey=s, name=f"Guichet {n}", code=f"N{s.prefecture.department_code}{n}")
            for s in surveys
            for n in range(4)
        ]
    )
    # One import per prefecture and month, in the order files come: month after month, every prefecture.
    per_month = RECORDS // MONTHS
    DeliveryImport.objects.bulk_create(
        [
            DeliveryImport(
                prefecture=p,
                original_name=f"livraisons-{m:%Y-%m}.csv",
                sha256=f"{p.department_code}-{m:%Y-%m}".ljust(64, "0"),
                source="command",
                status="accepted",
                total_rows=per_month,
                valid_rows=per_month,
                months={f"{m:%Y-%m}": per_month},
                first_delivered_on=m,
                last_delivered_on=add_months(m, 1) - datetime.timedelta(days=1),
            )
            for m in months
            for p in prefectures
        ]
    )
    timings["referentials_s"] = time.perf_counter() - started
    titles = list(TitleType.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)[:5])
    params = {"first": first, "days": (last_day - first).days + 1, "titles": titles}
    with connection.cursor() as cursor:
        step = time.perf_counter()
        # Deliveries: the import's month, five title types, three sites (a quarter without site), 10–158 days.
        cursor.execute(
            """
            INSERT INTO delays_deliveryrecord
                (prefecture_id, title_type_id, site_id, filed_on, delivered_on, delay_days, source_import_id)
            SELECT i.prefecture_id, (%(titles)s::bigint[])[1 + g %% 5],
                   CASE WHEN g %% 4 = 0 THEN NULL ELSE i.site0 + g %% 3 END,
                   x.day - x.delay, x.day, x.delay, i.id
            FROM (SELECT d.id, d.prefecture_id, d.first_delivered_on,
                         d.last_delivered_on - d.first_delivered_on + 1 AS days,
                         (SELECT min(s.id) FROM qualipref_site s WHERE s.prefecture_id = d.prefecture_id) AS site0
                  FROM delays_deliveryimport d ORDER BY d.id) AS i
            -- The series names the import: the planner keeps the imports outside, in order, so each import's
            -- records lie together, as each import's COPY lays them down.
            CROSS JOIN LATERAL generate_series((0 * i.id)::int, %(per_month)s - 1) AS g
            CROSS JOIN LATERAL (SELECT i.first_delivered_on + (g * 7) %% i.days AS day,
                                       10 + (g * 7919) %% 61 + (g %% 11) * 8 AS delay) AS x
            """,
            {**params, "per_month": per_month},
        )
        timings["records_s"] = time.perf_counter() - step
        step = time.perf_counter()
        # The histogram, as accepting each import counts it (``delays.stats.count_import``), in one pass.
        cursor.execute("SET work_mem = '256MB'")
        cursor.execute(
            """
            INSERT INTO delays_delayhistogram (prefecture_id, title_type_id, site_id, month, delay_days, count)
            SELECT prefecture_id, title_type_id, site_id, date_trunc('month', delivered_on)::date, delay_days,
                   count(*)
            FROM delays_deliveryrecord GROUP BY 1, 2, 3, 4, 5
            """
        )
        cursor.execute("RESET work_mem")
        timings["histogram_s"] = time.perf_counter() - step
        step = time.perf_counter()
        # Cases: spread over the year; channels, services, answers, ratings and delays vary with g.
        cursor.execute(
            """
            INSERT INTO complaints_case (
                prefecture_id, reference, kind, channel, topic_id, service_id, site_id, subject, description, name,
                email, phone, status, received_on, due_on, paused_working_days, created_at, answered_at,
                rejection_reason, public_reply, rating, rating_comment, rated_at)
            SELECT p.id, p.department_code || '-B-' || g,
                   CASE WHEN g %% 10 = 0 THEN 'suggestion' ELSE 'complaint' END,
                   (ARRAY['online','letter','email','phone','counter'])[1 + g %% 5],
                   p.topics[1 + g %% 8],
                   p.service0 + g %% 3, p.site0 + g %% 3, 'Demande ' || g, 'Texte de la demande', 'Citoyen',
                   'citoyen@example.org', '',
                   CASE WHEN g %% 10 = 0 THEN 'received'
                        WHEN g %% 50 = 1 THEN 'in_progress' ELSE 'answered' END,
                   d.day, d.day + 21, 0, d.day + time '09:00',
                   CASE WHEN g %% 10 = 0 OR g %% 50 = 1 THEN NULL
                        ELSE (d.day + (g %% 30))::timestamp + interval '10 hours' END,
                   '', '', CASE WHEN g %% 4 = 3 THEN 1 + g %% 5 END, '',
                   CASE WHEN g %% 4 = 3 THEN (d.day + (g %% 30) + 2)::timestamp + interval '12 hours' END
            FROM (SELECT p.id, p.department_code,
                         (SELECT min(s.id) FROM qualipref_service s WHERE s.prefecture_id = p.id) AS service0,
                         (SELECT min(s.id) FROM qualipref_site s WHERE s.prefecture_id = p.id) AS site0,
                         (SELECT array_agg(t.id ORDER BY t.position) FROM complaints_topic t
                          WHERE t.prefecture_id = p.id) AS topics
                  FROM qualipref_prefecture p) AS p
            CROSS JOIN generate_series(0, %(count)s - 1) AS g
            CROSS JOIN LATERAL (SELECT %(first)s::date + (g * 7) %% %(days)s AS day) AS d
            ORDER BY d.day, p.id
            """,
            {**params, "count": CASES},
        )
        timings["cases_s"] = time.perf_counter() - step
        step = time.perf_counter()
        # Responses in the order they come (day after day, every prefecture), five answers each.
        cursor.execute(
            """
            INSERT INTO surveys_response (survey_id, point_id, submitted_on)
            SELECT s.id, s.point0 + g %% 4, %(first)s::date + (g * 7) %% %(days)s
            FROM (SELECT s.id, (SELECT min(d.id) FROM surveys_distributionpoint d WHERE d.survey_id = s.id) AS point0
                  FROM surveys_survey s) AS s
            CROSS JOIN generate_series(0, %(count)s - 1) AS g
            ORDER BY 3, 1
            """,
            {**params, "count": RESPONSES},
        )
        cursor.execute(
            """
            INSERT INTO surveys_answer (response_id, question_id, point_id, submitted_on, value, text)
            SELECT r.id, q.id, r.point_id, r.submitted_on,
                   CASE q.kind WHEN 'recommendation' THEN (r.id * 7919 + q.position) %% 11
                               ELSE 1 + (r.id * 7919 + q.position) %% 5 END, ''
            FROM surveys_response r JOIN surveys_question q ON q.survey_id = r.survey_id
            ORDER BY r.id, q.position
            """,
            [],
        )
        timings["answers_s"] = time.perf_counter() - step
    step = time.perf_counter()
    tally_rebuild()  # the answers went in by SQL, past the service that keeps the tally (surveys.tally)
    timings["tally_s"] = time.perf_counter() - step
    step = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    timings["vacuum_s"] = time.perf_counter() - step
    step = time.perf_counter()
    now = timezone.now()
    for prefecture in prefectures:
        with transaction.atomic():
            refresh_statistics(prefecture_id=prefecture.pk, months=months)
    MonthPublication.objects.update(status="published", published_at=now)
    timings["statistics_s"] = time.perf_counter() - step
    step = time.perf_counter()
    for prefecture in prefectures:
        monthly_indicators_refresh(prefecture=prefecture, months=months)
    timings["indicators_s"] = time.perf_counter() - step
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        counts = {}
        for table in ("delays_deliveryrecord", "complaints_case", "surveys_answer", "qualipref_monthlyindicator"):
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
    timings["total_s"] = time.perf_counter() - started
    return {"timings": timings, "counts": counts}


# --- measuring: pages -----------------------------------------------------------------------------------------

PUBLIC = [
    ("prefecture home", "/{slug}/"),
    ("engagements results", "/{slug}/resultats/"),
    ("delivery delays", "/{slug}/delais/"),
    ("survey results", "/{slug}/enquetes/resultats/"),
    ("surveys", "/{slug}/enquetes/"),
    ("committee", "/{slug}/comite/"),
    ("complaint form", "/{slug}/reclamations/nouvelle/"),
]
NETWORK = [
    ("home (every prefecture)", "/"),
    ("network results /reseau/", "/reseau/"),
    ("network delays /delais/", "/delais/"),
    ("open data page /reseau/donnees-ouvertes/", "/reseau/donnees-ouvertes/"),
]
FILES = [
    ("delays file .csv", "/{slug}/delais/donnees.csv"),
    ("delays file .json", "/{slug}/delais/donnees.json"),
    ("results file .csv", "/{slug}/resultats/donnees.csv"),
    ("API monthly figures", "/api/delais/v1/mensuel/?departement={code}"),
    ("API title types", "/api/delais/v1/types-de-titre/"),
]
NETWORK_FILES = [
    ("API whole network, first page", "/api/delais/v1/mensuel/?limit=500"),
    ("network delays file .csv", "/delais/donnees.csv"),
    ("network results file .csv", "/reseau/resultats.csv"),
]
OFFICER = [
    ("dashboard /admin/", "/admin/"),
    ("case list", "/admin/complaints/case/"),
    ("case list by reference", "/admin/complaints/case/?o=1"),
    ("case list by reference, last first", "/admin/complaints/case/?o=-1"),
    ("case list by kind", "/admin/complaints/case/?o=2"),
    ("case list by date received", "/admin/complaints/case/?o=-7"),
    ("case list by due date", "/admin/complaints/case/?o=8"),
    ("case list, open cases", "/admin/complaints/case/?status__exact=in_progress"),
    ("delays months", "/admin/delays/monthpublication/"),
    ("engagements monthly figures", "/admin/engagements/monthlyindicator/"),
    ("delivery imports", "/admin/delays/deliveryimport/"),
    ("surveys", "/admin/surveys/survey/"),
]


def _get(client, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(path, HTTP_ACCEPT_ENCODING="gzip")
        size = sum(len(chunk) for chunk in response) if response.streaming else len(response.content)
        elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{path}: HTTP {response.status_code}")
    return elapsed, len(queries), size


def pages():
    """Every page ``REPEAT`` times, built afresh (cache emptied) then served again; returns the samples."""
    from django.core.cache import cache
    from django.test import Client

    from qualipref.models import User

    anonymous = Client()
    officer = Client()
    officer.force_login(User.objects.get(email="qualite.050@example.org"))
    values = {"slug": slug(MEASURED), "code": code(MEASURED)}
    groups = [("public", PUBLIC, anonymous), ("network", NETWORK, anonymous), ("file", FILES, anonymous)]
    groups += [("network file", NETWORK_FILES, anonymous), ("officer", OFFICER, officer)]
    for _group, entries, client in groups:  # warm: templates compiled, calendar written
        for _label, path in entries:
            _get(client, path.format(**values))
    samples = {}
    for _round in range(REPEAT):
        for group, entries, client in groups:
            for label, path in entries:
                path = path.format(**values)
                cache.clear()
                fresh = _get(client, path)
                again = _get(client, path)
                entry = samples.setdefault(label, {"group": group, "fresh": [], "again": []})
                entry["fresh"].append(fresh)
                entry["again"].append(again)
    return samples


# --- measuring: jobs ------------------------------------------------------------------------------------------


def _csv_for_import(path, rows, run):
    """One prefecture's year of deliveries, in the format officers upload (``delays.importer``)."""
    import datetime

    from delays.models import TitleType
    from qualipref.dates import add_months, month_start
    from qualipref.models import Prefecture, Site

    prefecture = Prefecture.objects.get(department_code=code(MEASURED))
    sites = list(Site.objects.filter(prefecture=prefecture).order_by("pk").values_list("name", flat=True))
    titles = list(TitleType.objects.filter(is_active=True).order_by("pk").values_list("code", flat=True)[:5])
    first = add_months(month_start(prefecture.today()), -MONTHS)
    days = (month_start(prefecture.today()) - first).days
    with open(path, "w", encoding="utf-8") as out:
        out.write("departement;code_titre;site;date_depot;date_delivrance\n")
        # The run number in the first line's site makes every file new (an import's hash is refused twice).
        for g in range(rows):
            delivered = first + datetime.timedelta(days=(g * 7 + run) % days)
            filed = delivered - datetime.timedelta(days=10 + (g * 7919) % 61 + (g % 11) * 8)
            site = sites[g % 3] if g % 4 else ""
            out.write(f"{code(MEASURED)};{titles[g % 5]};{site};{filed:%d/%m/%Y};{delivered:%Y-%m-%d}\n")


def job(name, run):
    """One job on prefecture 050 (``run`` tells the runs apart); returns its time, queries and size."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from qualipref.models import Prefecture

    prefecture = Prefecture.objects.get(department_code=code(MEASURED))
    extra = {}
    if name == "import":
        path = WORK / f"import-{os.getpid()}.csv"
        _csv_for_import(path, RECORDS, run)
        from delays.enums import ImportSource
        from delays.services import delivery_import_accept, delivery_import_check, delivery_import_create

        def work():
            with open(path, "rb") as fileobj:
                created = delivery_import_create(
                    prefecture=prefecture,
                    fileobj=fileobj,
                    name=path.name,
                    source=ImportSource.COMMAND,
                    store_file=False,
                )
                checked = delivery_import_check(import_id=created.pk, fileobj=fileobj, auto_accept=False)
            return delivery_import_accept(delivery_import=checked, by=None)

        extra["rows"] = RECORDS
    elif name == "refresh":
        from engagements.services import monthly_indicators_refresh

        def work():
            return monthly_indicators_refresh(prefecture=prefecture)

    elif name == "refresh_all":
        from engagements.services import monthly_indicators_refresh

        def work():
            return sum(monthly_indicators_refresh(prefecture=p) for p in Prefecture.objects.order_by("pk"))

    elif name == "report":
        from engagements.periods import Period
        from qualipref.dates import quarter_of
        from reports.models import AuditReport, previous_period
        from reports.services import report_build, report_create

        today = prefecture.today()
        quarter = previous_period(Period.quarter(today.year, quarter_of(today)))
        AuditReport.objects.filter(prefecture=prefecture).delete()
        report, _created = report_create(prefecture=prefecture, period=quarter)

        def work():
            built = report_build(report_id=report.pk)
            if built.status != "done":
                raise RuntimeError(f"report {built.status}: {built.error}")
            return built

    elif name in ("open_data", "open_data_network"):
        paths = (
            [p.format(slug=slug(MEASURED)) for p in ("/{slug}/delais/donnees.csv", "/{slug}/resultats/donnees.csv")]
            if name == "open_data"
            else ["/delais/donnees.csv", "/delais/donnees.json", "/reseau/resultats.csv"]
        )
        client = Client()

        def work():
            total = 0
            for path in paths:
                response = client.get(path)
                total += sum(len(c) for c in response) if response.streaming else len(response.content)
            return total

    else:
        raise ValueError(name)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = work()
        elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if name == "import":
        extra["valid"] = result.valid_rows
        path.unlink()
    if isinstance(result, int):
        extra["result"] = result
    return {"seconds": elapsed, "queries": len(queries), "peak_mb": peak, "baseline_mb": baseline, **extra}


# --- measuring: indexes and size ------------------------------------------------------------------------------


def _time_sql(sql, params, repeat=5, setup=()):
    from django.db import connection, transaction

    samples = []
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in setup:
            cursor.execute(statement)
        cursor.execute(sql, params)  # warm the cache
        for _ in range(repeat):
            started = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            samples.append(time.perf_counter() - started)
        transaction.set_rollback(True)
    return statistics.median(samples)


def indexes():
    """The key queries of the two big tables with their index, and without (the planner forbidden to use it)."""
    from django.db import connection
    from django.db.models import Count
    from django.db.models.functions import TruncMonth

    from delays.models import DeliveryImport, DeliveryRecord
    from qualipref.dates import add_months, month_start
    from qualipref.models import Prefecture
    from surveys.results import RATED, published_answers, satisfaction_counts

    prefecture = Prefecture.objects.get(department_code=code(MEASURED))
    figures = {}
    last_import = DeliveryImport.objects.filter(prefecture=prefecture).order_by("-first_delivered_on").first()
    # What accepting or withdrawing an import reads (``delays.stats.count_import``): one import's records.
    records = (
        DeliveryRecord.objects.filter(source_import_id=last_import.pk)
        .annotate(m=TruncMonth("delivered_on"))
        .values("title_type_id", "site_id", "m", "delay_days")
        .annotate(n=Count("*"))
        .order_by()
    )
    sql, params = records.query.sql_with_params()
    figures["records_by_import_brin_s"] = _time_sql(sql, params)
    figures["records_by_import_no_index_s"] = _time_sql(
        sql, params, repeat=2, setup=["SET LOCAL enable_bitmapscan = off"]
    )
    # What reads raw answers at scale: one prefecture's satisfaction over a quarter (the indicator's rule).
    last = add_months(month_start(prefecture.today()), -1)
    first_day = add_months(last, -2)
    end_day = add_months(last, 1)
    answers = published_answers(prefecture).filter(RATED, submitted_on__gte=first_day, submitted_on__lt=end_day)
    query = answers.values("question_id").annotate(**satisfaction_counts()).order_by().query
    sql, params = query.sql_with_params()
    figures["answers_quarter_index_s"] = _time_sql(sql, params)
    figures["answers_quarter_no_index_s"] = _time_sql(
        sql, params, repeat=2, setup=["SET LOCAL enable_bitmapscan = off", "SET LOCAL enable_indexscan = off"]
    )
    # The candidate: a covering index of a question's answers by day, which reads the quarter from the index alone.
    # Built inside the measuring transaction and rolled back with it.
    figures["answers_quarter_candidate_s"] = _time_sql(
        sql, params, setup=[CANDIDATE_ANSWER_INDEX, "ANALYZE surveys_answer"]
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_size('surveys_answer_question_id_c0166f3c')")
        figures["answers_question_index_bytes"] = cursor.fetchone()[0]
    return figures


CANDIDATE_ANSWER_INDEX = (
    "CREATE INDEX bench_answer_question_day ON surveys_answer (question_id, submitted_on) INCLUDE (value, id)"
)


def sizes():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        total = cursor.fetchone()[0]
        cursor.execute(
            """
            SELECT c.relname, pg_total_relation_size(c.oid), pg_relation_size(c.oid),
                   pg_indexes_size(c.oid)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'r' AND n.nspname = 'public'
            ORDER BY 2 DESC LIMIT 8
            """
        )
        tables = [{"table": t, "total": a, "heap": h, "indexes": i} for t, a, h, i in cursor.fetchall()]
    return {"database": total, "tables": tables}


# --- the parent -----------------------------------------------------------------------------------------------


def child_env(database):
    WORK.mkdir(parents=True, exist_ok=True)
    env = environment(f"{SERVER}/{database}", "", WORK)
    env["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    env["BENCH_DATABASE"] = database
    return env


def child(database, *args):
    """Run this script in a child process on ``database``; return the JSON it prints last."""
    result = subprocess.run(
        [sys.executable, __file__, "--child", database, *args],
        cwd=ROOT,
        env=child_env(database),
        capture_output=True,
        text=True,
    )
    if result.returncode:
        sys.stderr.write(result.stderr[-5000:])
        raise RuntimeError(f"child {args} on {database} failed with status {result.returncode}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_child(args):
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    if args[0] == "build":
        indexes_ = list(range(1, PREFECTURES + 1)) if MEASURED <= PREFECTURES else [*range(1, PREFECTURES), MEASURED]
        indexes_ = [MEASURED] if args[1] == "one" else indexes_
        out = build(indexes_)
    elif args[0] == "pages":
        out = pages()
    elif args[0] == "job":
        out = job(args[1], int(args[2]))
    elif args[0] == "indexes":
        out = indexes()
    elif args[0] == "sizes":
        out = sizes()
    else:
        raise ValueError(args)
    print(json.dumps(out, default=str))


def median_pair(samples):
    """(median seconds, median queries) of ``[(seconds, queries, size), …]``."""
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def ratio(national, one):
    return national / one if one else float("inf")


# Page times under this count as this: the same one query on identical rows (the title types' API) measured
# 2.8 ms on one side and 5.8 ms on the other in one run, on the shared machine.
NOISE_FLOOR_S = 0.005


def floored_ratio(national, one):
    return max(national, NOISE_FLOOR_S) / max(one, NOISE_FLOOR_S)


def main():
    for name in (NATIONAL_DB, ONE_DB):
        database_recreate(f"{SERVER}/{name}")
    full = SCALE == 1 and PREFECTURES == 100
    print(
        f"scale {SCALE:g} ({'full' if full else 'reduced'}): {PREFECTURES} prefectures × ({RECORDS:,} deliveries, "
        f"{CASES:,} cases, {RESPONSES * len(QUESTIONS):,} survey answers) a year"
    )
    one_built = child(ONE_DB, "build", "one")
    print(f"one prefecture built in {one_built['timings']['total_s']:.1f} s: {one_built['counts']}")
    built = child(NATIONAL_DB, "build", "national")
    t = built["timings"]
    print(f"national year built in {t['total_s']:.1f} s: {built['counts']}")
    print("  " + ", ".join(f"{k} {v:.1f}" for k, v in t.items()))
    load_rows = built["counts"]["delays_deliveryrecord"]
    ratios = {}  # label -> (national, one, ratio)
    apart = {}  # pages that list every prefecture

    # Pages: interleaved children, one then national, twice.
    samples = {ONE_DB: [], NATIONAL_DB: []}
    for _round in range(2):
        for database in (ONE_DB, NATIONAL_DB):
            samples[database].append(child(database, "pages"))
    print(
        "\n== pages (median of 8; ms and queries; fresh = cache emptied, again = served again; ratio of times "
        f"floored at {NOISE_FLOOR_S * 1000:.0f} ms, or of queries if more)"
    )
    print(f"  {'page':44} {'one fresh':>14} {'national fresh':>15} {'ratio':>6} {'one again':>10} {'nat. again':>10}")
    fresh_public, again_public = [], []
    for label, entry in samples[ONE_DB][0].items():
        group = entry["group"]
        per = {}
        for database in (ONE_DB, NATIONAL_DB):
            fresh = [s for run in samples[database] for s in run[label]["fresh"]]
            again = [s for run in samples[database] for s in run[label]["again"]]
            per[database] = (median_pair(fresh), median_pair(again))
        (one_fresh, one_q), (one_again, _q1) = per[ONE_DB]
        (nat_fresh, nat_q), (nat_again, _q2) = per[NATIONAL_DB]
        r = max(floored_ratio(nat_fresh, one_fresh), ratio(nat_q, one_q) if one_q else 1)
        r_again = floored_ratio(nat_again, one_again)
        target = apart if group.startswith("network") else ratios
        target[f"page {label}"] = (nat_fresh, one_fresh, r)
        if group != "officer" and not group.startswith("network"):
            target[f"page {label} again"] = (nat_again, one_again, r_again)
        if group == "public":
            fresh_public.append(nat_fresh)
            again_public.append(nat_again)
        mark = " (lists every prefecture)" if group.startswith("network") else ""
        print(
            f"  {group[:7]:7} {label:36} {one_fresh * 1000:7.1f} {one_q:4.0f} q "
            f"{nat_fresh * 1000:8.1f} {nat_q:4.0f} q {r:6.2f} {one_again * 1000:10.1f} {nat_again * 1000:10.1f}{mark}"
        )

    # Jobs: each in its own process, interleaved.
    print("\n== jobs (each in its own process; median of 2; peak RSS of the process, Django included)")
    jobs = {}
    peak_mb = 0
    for name in ("refresh", "report", "open_data", "import"):
        runs = {ONE_DB: [], NATIONAL_DB: []}
        for run in range(2):
            for database in (ONE_DB, NATIONAL_DB):
                runs[database].append(child(database, "job", name, str(run)))
        one_s = statistics.median(r["seconds"] for r in runs[ONE_DB])
        nat_s = statistics.median(r["seconds"] for r in runs[NATIONAL_DB])
        one_q = statistics.median(r["queries"] for r in runs[ONE_DB])
        nat_q = statistics.median(r["queries"] for r in runs[NATIONAL_DB])
        mb = max(r["peak_mb"] for rs in runs.values() for r in rs)
        base = max(r["baseline_mb"] for rs in runs.values() for r in rs)
        peak_mb = max(peak_mb, mb)
        r = max(ratio(nat_s, one_s), ratio(nat_q, one_q) if one_q else 1)
        ratios[f"job {name}"] = (nat_s, one_s, r)
        jobs[name] = {"national_s": nat_s, "one_s": one_s, "peak_mb": mb}
        print(
            f"  {name:10} one {one_s:7.2f} s {one_q:5.0f} q   national {nat_s:7.2f} s {nat_q:5.0f} q   "
            f"ratio {r:5.2f}   peak {mb:4.0f} MB (before the job {base:.0f} MB)"
        )
    whole = child(NATIONAL_DB, "job", "refresh_all", "0")
    peak_mb = max(peak_mb, whole["peak_mb"])
    print(
        f"  nightly refresh of all {PREFECTURES} prefectures (one process): {whole['seconds']:.1f} s, "
        f"{whole['queries']} queries, {whole['result']} figures, peak {whole['peak_mb']:.0f} MB"
    )
    files = child(NATIONAL_DB, "job", "open_data_network", "0")
    peak_mb = max(peak_mb, files["peak_mb"])
    print(
        f"  network open-data files (delays csv + json, results csv): {files['seconds']:.2f} s, "
        f"{files['result'] / 1e6:.1f} MB written, peak {files['peak_mb']:.0f} MB"
    )
    import_rate = RECORDS / jobs["import"]["national_s"]
    print(f"  import at national scale: {import_rate:,.0f} rows/s (check, store, accept and refresh)")

    print("\n== the big tables' key queries, with and without their index (median ms)")
    queries = {}
    one_idx = child(ONE_DB, "indexes")
    nat_idx = child(NATIONAL_DB, "indexes")
    for key, label in [
        ("records_by_import", "one import's records grouped (accept / withdraw)"),
        ("answers_quarter", "one prefecture's quarter of answers (satisfaction)"),
    ]:
        with_index = {
            k: v[f"{key}_{'brin' if key.startswith('records') else 'index'}_s"]
            for k, v in (("one", one_idx), ("national", nat_idx))
        }
        without = {k: v[f"{key}_no_index_s"] for k, v in (("one", one_idx), ("national", nat_idx))}
        r = ratio(with_index["national"], with_index["one"])
        queries[key] = r
        print(
            f"  {label:52} with index: one {with_index['one'] * 1000:8.1f}, "
            f"national {with_index['national'] * 1000:8.1f}"
            f" (ratio {r:.2f}); without: one {without['one'] * 1000:8.1f}, national {without['national'] * 1000:9.1f}"
        )
    candidate = {k: v["answers_quarter_candidate_s"] for k, v in (("one", one_idx), ("national", nat_idx))}
    queries["answers_quarter_candidate"] = ratio(candidate["national"], candidate["one"])
    print(
        f"  {'the same quarter of answers, candidate covering index':52} one {candidate['one'] * 1000:8.1f}, "
        f"national {candidate['national'] * 1000:8.1f} (ratio {queries['answers_quarter_candidate']:.2f}); "
        f"question index today {nat_idx['answers_question_index_bytes'] / 2**20:.0f} MiB"
    )

    size = child(NATIONAL_DB, "sizes")
    one_size = child(ONE_DB, "sizes")
    print(
        f"\n== database size: national {size['database'] / 2**30:.2f} GiB, one prefecture "
        f"{one_size['database'] / 2**20:.0f} MiB"
    )
    for table in size["tables"]:
        print(
            f"  {table['table']:34} {table['total'] / 2**20:9.0f} MiB (rows {table['heap'] / 2**20:.0f}, "
            f"indexes {table['indexes'] / 2**20:.0f})"
        )

    print("\n== ratios national / one prefecture (aim ≤ 2)")
    worst_label, (_n, _o, worst) = max(ratios.items(), key=lambda item: item[1][2])
    over = [label for label, (_n, _o, r) in ratios.items() if r > 2]
    print(f"  worst: {worst_label} {worst:.2f}; over 2: {', '.join(over) or 'none'}")
    network_worst = max(apart.items(), key=lambda item: item[1][2]) if apart else ("-", (0, 0, 0))
    print(f"  pages listing every prefecture (apart): worst {network_worst[0]} {network_worst[1][2]:.2f}")
    public_rps = 1 / statistics.median(fresh_public)
    cached_rps = 1 / statistics.median(again_public)
    print(
        f"  per core: public pages {public_rps:.0f}/s built, {cached_rps:.0f}/s from the cache; import "
        f"{import_rate:,.0f} rows/s; refresh of a prefecture {jobs['refresh']['national_s']:.2f} s; report "
        f"{jobs['report']['national_s']:.1f} s; peak memory {peak_mb:.0f} MB"
    )
    ok = worst <= 2 and peak_mb <= MEMORY_LIMIT_MB
    print(
        "SUMMARY national "
        f"scale={'full' if full else SCALE} prefectures={PREFECTURES} records={load_rows} "
        f"cases={built['counts']['complaints_case']} answers={built['counts']['surveys_answer']} "
        f"build_s={t['total_s']:.0f} worst_ratio={worst:.2f} worst={worst_label.replace(' ', '_')} "
        f"network_pages_worst_ratio={network_worst[1][2]:.2f} max_mb={peak_mb:.0f} "
        f"db_gib={size['database'] / 2**30:.2f} public_rps_built={public_rps:.0f} public_rps_cached={cached_rps:.0f} "
        f"import_rows_s={import_rate:.0f} refresh_s={jobs['refresh']['national_s']:.2f} "
        f"refresh_all_s={whole['seconds']:.0f} report_s={jobs['report']['national_s']:.1f} "
        f"records_by_import_ratio={queries['records_by_import']:.2f} "
        f"answers_quarter_ratio={queries['answers_quarter']:.2f} "
        f"answers_quarter_candidate_ratio={queries['answers_quarter_candidate']:.2f} ok={ok}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs="+")
    arguments = parser.parse_args()
    if arguments.child:
        os.environ["DATABASE_URL"] = f"{SERVER}/{arguments.child[0]}"
        run_child(arguments.child[1:])
    else:
        sys.exit(main())
