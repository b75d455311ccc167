#!/usr/bin/env python
"""The engagements' indicators at network scale: 100 prefectures × 36 months, 2,000,000 cases, 5,000,000 answers.

Runs on its own PostgreSQL database (``BENCH_INDICATORS_DATABASE_URL``, by default
``postgres://postgres@127.0.0.1:5432/qualipref_bench_indicators``, recreated each run). Rows are inserted
with INSERT … SELECT generate_series. Then it measures, with the number of queries and the time:

1. every engagement of ONE prefecture for ONE month, computed from the raw rows (the indicator engine);
2. every engagement of ONE prefecture for 36 months in one go: one query per engagement, grouped by month,
   so it costs one pass over the prefecture's rows, about as much as a few single months; then the survey
   satisfaction engagement alone (it adds up the answers' tally, ``surveys.tally``);
3. the materialisation of all 100 prefectures × 36 months (``monthly_indicators_refresh``);
4. the public pages, which read the materialised figures only: the network page and a prefecture's results.

``BENCH_PREFECTURES``, ``BENCH_CASES`` and ``BENCH_RESPONSES`` scale it down (``scale=reduced`` in the
summary). Prints a ``SUMMARY indicators key=value …`` line at the end. Takes about seven minutes at full
scale on two shared cores: four and a half to build the rows, two to materialise every figure.
"""

import os
import sys
import time
from pathlib import Path

from harness import database_recreate, timed

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE_URL = os.environ.get(
    "BENCH_INDICATORS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qualipref_bench_indicators"
)
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ["DEBUG"] = "true"
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

PREFECTURES = int(os.environ.get("BENCH_PREFECTURES", 100))
MONTHS = 36
CASES = int(os.environ.get("BENCH_CASES", 2_000_000))
RESPONSES = int(os.environ.get("BENCH_RESPONSES", 1_000_000))  # five satisfaction answers each
QUESTIONS = 5


def build(first_month):
    import datetime

    from django.db import connection

    from committee.models import Committee
    from qualipref.dates import add_months
    from qualipref.models import Prefecture
    from surveys.models import Question, Survey
    from surveys.tally import tally_rebuild

    start = time.perf_counter()
    prefectures = Prefecture.objects.bulk_create(
        [
            Prefecture(
                department_code=f"{i:03d}",
                name=f"Préfecture {i}",
                slug=f"prefecture-{i}",
                label="qualipref" if i % 3 else "marianne",
                label_awarded_on=datetime.date(2020 + i % 5, 1 + i % 12, 1),
            )
            for i in range(1, PREFECTURES + 1)
        ]
    )
    Committee.objects.bulk_create([Committee(prefecture=p) for p in prefectures])
    end = add_months(first_month, MONTHS) - datetime.timedelta(days=1)
    surveys = Survey.objects.bulk_create(
        [
            Survey(
                prefecture=p,
                title="Accueil",
                slug="accueil",
                opens_on=first_month,
                closes_on=end,
                status="open",
                results_public=True,
            )
            for p in prefectures
        ]
    )
    Question.objects.bulk_create(
        [
            Question(survey=s, position=q, kind="satisfaction", text=f"Question {q}", is_public=True)
            for s in surveys
            for q in range(1, QUESTIONS + 1)
        ]
    )
    days = (end - first_month).days + 1
    first_id = prefectures[0].pk
    with connection.cursor() as cursor:
        # Cases: spread evenly over prefectures and days; channels, answers, ratings and delays vary with g.
        cursor.execute(
            """
            INSERT INTO complaints_case (
                prefecture_id, reference, kind, channel, topic, subject, description, name, email, phone,
                status, received_on, due_on, paused_working_days, created_at, answered_at,
                rejection_reason, public_reply, rating, rating_comment, rated_at)
            SELECT %(first)s + g %% %(n)s, 'B-' || g, 'complaint',
                   (ARRAY['online','letter','email','phone','counter'])[1 + g %% 5], 'other', 'Objet', 'Texte',
                   '', 'x@example.org', '',
                   CASE WHEN g %% 50 = 0 THEN 'in_progress' ELSE 'answered' END,
                   day, day + 21, 0, day::timestamp,
                   CASE WHEN g %% 50 = 0 THEN NULL ELSE (day + (g %% 30))::timestamp + interval '10 hours' END,
                   '', '', CASE WHEN g %% 4 = 0 THEN 1 + g %% 5 END, '',
                   CASE WHEN g %% 4 = 0 THEN (day + (g %% 30) + 2)::timestamp + interval '12 hours' END
            FROM (SELECT g, %(start)s::date + (g / %(n)s) %% %(days)s AS day
                  FROM generate_series(0, %(count)s - 1) AS g) AS s
            """,
            {"first": first_id, "n": PREFECTURES, "start": first_month, "days": days, "count": CASES},
        )
        cursor.execute(
            """
            INSERT INTO surveys_response (survey_id, submitted_on)
            SELECT s.id, %(start)s::date + (g / %(n)s) %% %(days)s
            FROM generate_series(0, %(count)s - 1) AS g
            JOIN surveys_survey s ON s.id = (SELECT min(id) FROM surveys_survey) + g %% %(n)s
            """,
            {"start": first_month, "n": PREFECTURES, "days": days, "count": RESPONSES},
        )
        cursor.execute(
            """
            INSERT INTO surveys_answer (response_id, question_id, submitted_on, value, text)
            SELECT r.id, q.id, r.submitted_on, 1 + (r.id + q.id) %% 5, ''
            FROM surveys_response r JOIN surveys_question q ON q.survey_id = r.survey_id
            """,
            [],
        )
    tally_rebuild()  # the answers went in by SQL, past the service that keeps the tally (surveys.tally)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO committee_meeting (committee_id, title, date, start_time, place, video_url, status, sequence,
                                           minutes, public_summary, summary_published, created_at)
            SELECT c.id, 'Réunion', %(start)s::date + m * 91, '09:30', '', '', 'held', 0, '', '', false, now()
            FROM committee_committee c, generate_series(0, %(quarters)s - 1) AS m
            """,
            {"start": first_month, "quarters": MONTHS // 3},
        )
        cursor.execute("ANALYZE")
    counts = {}
    with connection.cursor() as cursor:
        for table in ("complaints_case", "surveys_answer"):
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
    elapsed = time.perf_counter() - start
    print(
        f"built {PREFECTURES} prefectures, {counts['complaints_case']:,} cases, {counts['surveys_answer']:,} "
        f"answers in {elapsed:.1f} s"
    )
    return prefectures, counts, elapsed


def main():
    database_recreate(DATABASE_URL)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    settings.DEBUG = True  # query logging
    call_command("migrate", verbosity=0)
    setup_test_environment()

    from engagements.indicators import compute
    from engagements.periods import Period
    from engagements.services import monthly_indicators_refresh
    from qualipref.dates import add_months, month_start, months_from
    from qualipref.models import Prefecture

    current = month_start(Prefecture(time_zone="Europe/Paris").today())
    first_month = add_months(current, -MONTHS)
    prefectures, counts, build_seconds = build(first_month)
    months = months_from(first_month, MONTHS)
    one = Prefecture.objects.get(pk=prefectures[0].pk)
    compute(one, [Period.month(m) for m in months])  # warm: the calendar table is written once, caches filled

    _r, one_queries, one_seconds = timed(
        "one prefecture × one month, from the rows", lambda: compute(one, [Period.month(months[-1])])
    )
    _r, year_queries, year_seconds = timed(
        "one prefecture × 36 months, from the rows", lambda: compute(one, [Period.month(m) for m in months])
    )

    from engagements.enums import Source
    from engagements.models import Engagement

    satisfaction = Engagement.objects.filter(source=Source.SURVEY_SATISFACTION, is_active=True)
    survey_figures, survey_queries, survey_seconds = timed(
        "one prefecture × 36 months, survey satisfaction alone",
        lambda: compute(one, [Period.month(m) for m in months], engagements=satisfaction),
    )
    counted = [figure for figures_ in survey_figures.values() for figure in figures_ if figure.has_value]
    rated, satisfied = sum(f.denominator for f in counted), sum(f.numerator for f in counted)
    print(f"  ({rated:,.0f} satisfaction answers counted over the 36 months, {satisfied:,.0f} satisfied)")

    def materialise():
        total = 0
        for prefecture in Prefecture.objects.order_by("pk"):
            total += monthly_indicators_refresh(prefecture=prefecture, months=months)
        return total

    figures, all_queries, all_seconds = timed(
        f"all {PREFECTURES} prefectures × {MONTHS} months, materialised", materialise
    )
    client = Client()
    _r, network_queries, network_seconds = timed("network page (/reseau/)", lambda: client.get("/reseau/"))
    _r, page_queries, page_seconds = timed(
        "a prefecture's results page", lambda: client.get(f"/{one.slug}/resultats/")
    )
    full = (PREFECTURES, CASES, RESPONSES) == (100, 2_000_000, 1_000_000)
    print(
        "SUMMARY indicators "
        f"scale={'full' if full else 'reduced'} "
        f"prefectures={PREFECTURES} months={MONTHS} cases={counts['complaints_case']} "
        f"answers={counts['surveys_answer']} build_s={build_seconds:.1f} "
        f"one_month_queries={one_queries} one_month_s={one_seconds:.3f} "
        f"one_prefecture_36_months_queries={year_queries} one_prefecture_36_months_s={year_seconds:.3f} "
        f"survey_satisfaction_36_months_queries={survey_queries} "
        f"survey_satisfaction_36_months_s={survey_seconds:.3f} survey_satisfaction_answers={rated:.0f} "
        f"survey_satisfied={satisfied:.0f} "
        f"all_materialised_figures={figures} all_queries={all_queries} all_s={all_seconds:.1f} "
        f"queries_per_prefecture_month={all_queries / (PREFECTURES * MONTHS):.2f} "
        f"s_per_prefecture_month={all_seconds / (PREFECTURES * MONTHS):.4f} "
        f"all_vs_one_month_time={all_seconds / one_seconds:.0f} "
        f"network_page_queries={network_queries} network_page_s={network_seconds:.3f} "
        f"results_page_queries={page_queries} results_page_s={page_seconds:.3f}"
    )


if __name__ == "__main__":
    main()
