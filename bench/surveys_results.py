#!/usr/bin/env python
"""Survey results at scale: the results pages with 1,000,000 answers against 1,000, and the answering path.

Runs on its own PostgreSQL database (``BENCH_SURVEYS_DATABASE_URL``, by default
``postgres://postgres@127.0.0.1:5432/qualipref_bench_surveys``, created if missing) so that it never
touches a developer's data. Two ten-question surveys (scales, NPS, yes/no, choices, free text) get
100,000 and 100 responses, that is 1,000,000 and 1,000 answers, inserted with INSERT … SELECT
generate_series, then counted into the answers' tally (``surveys.tally.tally_rebuild``, as after any bulk load).
Prints, for each page, the number of queries and the median time, then the ratio,
then the queries and median time of one submission on the answering page. Takes a minute or two.
"""

import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE_URL = os.environ.get(
    "BENCH_SURVEYS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qualipref_bench_surveys"
)
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ["DEBUG"] = "true"
os.environ["RATELIMIT_ENABLE"] = "false"  # hundreds of submissions from one address
os.environ.pop("REDIS_URL", None)  # the in-memory cache: the bench measures the database
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

BIG, SMALL = 100_000, 100  # responses; ten answers each
PAGE_RUNS = {BIG: 7, SMALL: 25}
SUBMISSIONS = 100


def ensure_database():
    import psycopg2

    url = urlparse(DATABASE_URL)
    name = url.path.lstrip("/")
    try:
        connection = psycopg2.connect(
            host=url.hostname, port=url.port or 5432, user=url.username, password=url.password, dbname="postgres"
        )
    except psycopg2.OperationalError as error:
        sys.exit(f"PostgreSQL is not reachable at {url.hostname}:{url.port}: {error}")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def build(prefecture_code, slug, responses):
    """A prefecture with one open, published ten-question survey and ``responses × 10`` answers."""
    import datetime

    from django.db import connection

    from qualipref.models import Prefecture, Site
    from surveys.enums import QuestionKind, SurveyStatus
    from surveys.models import Choice, DistributionPoint, Question, Survey
    from surveys.tally import tally_rebuild

    prefecture = Prefecture.objects.create(department_code=prefecture_code, name=f"Banc {slug}", slug=slug)
    today = prefecture.today()
    survey = Survey.objects.create(
        prefecture=prefecture,
        title="Accueil",
        slug="accueil",
        opens_on=today - datetime.timedelta(days=365),
        closes_on=today + datetime.timedelta(days=30),
        status=SurveyStatus.OPEN,
        results_public=True,
    )
    kinds = [QuestionKind.SATISFACTION] * 4 + [
        QuestionKind.RECOMMENDATION,
        QuestionKind.YES_NO,
        QuestionKind.SINGLE_CHOICE,
        QuestionKind.MULTIPLE_CHOICE,
        QuestionKind.FREE_TEXT,
        QuestionKind.SATISFACTION,
    ]
    choice_ids = {}
    for position, kind in enumerate(kinds, start=1):
        question = Question.objects.create(
            survey=survey, position=position, kind=kind, text=f"Question {position}", required=False
        )
        if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
            choices = [Choice.objects.create(question=question, position=n, label=f"Choix {n}") for n in range(1, 5)]
            choice_ids[question.pk] = [c.pk for c in choices]
    points = [
        DistributionPoint.objects.create(
            survey=survey, name=f"Guichet {n}", site=Site.objects.create(prefecture=prefecture, name=f"Site {n}")
        ).pk
        for n in range(1, 5)
    ]
    choice_case = " ".join(
        f"WHEN {question_id} THEN (ARRAY{ids})[1 + (r.id * 31 + q.id) %% {len(ids)}]"
        for question_id, ids in choice_ids.items()
    )
    with connection.cursor() as cursor:
        # Days spread over the whole year (37 is prime to 365) for 100 responses as for 100,000: both pages show the
        # same months, so that what differs between them is the number of answers.
        cursor.execute(
            f"""
            INSERT INTO surveys_response (survey_id, point_id, submitted_on)
            SELECT %s, (ARRAY{points})[1 + g %% 4], %s::date + (g * 37 %% 365)
            FROM generate_series(0, %s) AS g
            """,
            [survey.pk, survey.opens_on, responses - 1],
        )
        # One row per response and question: 10 × responses answers, values spread pseudo-randomly.
        cursor.execute(
            f"""
            INSERT INTO surveys_answer (response_id, question_id, point_id, submitted_on, value, choice_id, text)
            SELECT r.id, q.id, r.point_id, r.submitted_on,
                   CASE q.kind
                       WHEN 'satisfaction' THEN 1 + (r.id * 7919 + q.id * 104729) %% 5
                       WHEN 'recommendation' THEN (r.id * 7919 + q.id) %% 11
                       WHEN 'yes_no' THEN (r.id * 13 + q.id) %% 2
                   END,
                   CASE q.id {choice_case} END,
                   CASE WHEN q.kind = 'free_text' THEN 'Commentaire numéro ' || r.id ELSE '' END
            FROM surveys_response r CROSS JOIN surveys_question q
            WHERE r.survey_id = %s AND q.survey_id = %s
            """,
            [survey.pk, survey.pk],
        )
    tally_rebuild(survey)  # the answers went in by SQL, past the service that keeps the tally (surveys.tally)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE surveys_response; ANALYZE surveys_answer; ANALYZE surveys_answertally")
    return survey


def measure(client, url, runs, *, fresh=True):
    """Max queries and median seconds of ``runs`` requests; ``fresh``: the page cache emptied before each."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm the caches: templates, translations, the database's buffers
    timings, queries = [], set()
    for _ in range(runs):
        if fresh:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        queries.add(len(captured))
    return max(queries), statistics.median(timings)


def main():
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse

    from qualipref.models import Prefecture, User
    from surveys.models import Answer

    setup_test_environment()
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:  # a fresh start each run, in this database only
        cursor.execute(
            "TRUNCATE surveys_answer, surveys_response, surveys_choice, surveys_question, "
            "surveys_distributionpoint, surveys_survey RESTART IDENTITY CASCADE"
        )
    Prefecture.objects.filter(department_code__in=["B1", "B2"]).delete()
    big = build("B1", "banc-million", BIG)
    small = build("B2", "banc-mille", SMALL)
    counts = {s.pk: Answer.objects.filter(question__survey=s).count() for s in (big, small)}
    print(f"data: {counts[big.pk]:,} and {counts[small.pk]:,} answers, built in {time.perf_counter() - started:.0f} s")

    officer = User.objects.filter(email="bench@example.org").first() or User.objects.create_superuser(
        email="bench@example.org", password="bench-surveys-password"
    )
    client = Client()
    client.force_login(officer)
    public = Client()

    rows = []
    for label, survey in (("1,000,000", big), ("1,000", small)):
        officer_page = reverse("admin:surveys_survey_results", args=[survey.pk])
        public_page = reverse("surveys:results", kwargs={"slug": survey.prefecture.slug})
        runs = PAGE_RUNS[BIG if survey is big else SMALL]
        rows.append(
            (
                label,
                measure(client, officer_page, runs),
                measure(public, public_page, runs),
                measure(public, public_page, runs, fresh=False),
            )
        )

    print(f"{'answers':>10} | {'officer results page':>28} | {'public results page, built':>28} | cached")
    for label, (officer_queries, officer_time), (public_queries, public_time), (cached_queries, cached) in rows:
        print(
            f"{label:>10} | {officer_queries:>3} queries, median {officer_time * 1000:8.1f} ms | "
            f"{public_queries:>3} queries, median {public_time * 1000:8.1f} ms | "
            f"{cached_queries} queries, median {cached * 1000:.1f} ms"
        )
    (_, (_, officer_big), (_, public_big), (_, cached_big)), (_, (_, officer_small), (_, public_small), _c) = rows
    print(
        f"ratio 1,000,000 / 1,000: officer page ×{officer_big / officer_small:.1f}, "
        f"public page ×{public_big / public_small:.1f} when built; "
        f"cached public page at 1,000,000 answers: {public_big / cached_big:.0f}× faster than built"
    )

    # The answering path: one submission, as a phone at the counter sends it.
    questions = list(big.questions.prefetch_related("choices"))
    data = {"lieu": big.points.first().code}
    for question in questions:
        choices = list(question.choices.all())
        data[f"q{question.pk}"] = {
            "satisfaction": "4",
            "recommendation": "9",
            "yes_no": "1",
            "single_choice": str(choices[0].pk) if choices else "",
            "multiple_choice": [str(c.pk) for c in choices[:2]],
            "free_text": "Très bon accueil.",
        }[question.kind]
    url = reverse("surveys:answer", kwargs={"slug": big.prefecture.slug, "survey_slug": big.slug})
    timings, queries = [], []
    for _ in range(SUBMISSIONS):
        citizen = Client()  # a new browser each time: no one-response cookie yet
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = citizen.post(url, data)
            timings.append(time.perf_counter() - started)
        assert response.status_code == 302, response.status_code
        queries.append(len(captured))
    print(
        f"answering path ({SUBMISSIONS} submissions on the 1,000,000-answer survey): "
        f"{statistics.median(queries):.0f} queries per submission, BEGIN and COMMIT included "
        f"({max(queries)} for the first, which reads the questions into the cache), "
        f"median {statistics.median(timings) * 1000:.1f} ms"
    )
    print(
        f"SUMMARY surveys_results officer_page_1m_ms={officer_big * 1000:.0f} "
        f"public_page_1m_ms={public_big * 1000:.0f} public_page_cached_1m_ms={cached_big * 1000:.1f} "
        f"officer_page_1k_ms={officer_small * 1000:.0f} public_page_1k_ms={public_small * 1000:.0f} "
        f"answer_queries={statistics.median(queries):.0f} answer_ms={statistics.median(timings) * 1000:.1f}"
    )


if __name__ == "__main__":
    main()
