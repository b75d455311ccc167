"""Benchmark: a mixed load (public pages, complaint submissions, survey answers) against gunicorn on loopback.

    .venv/bin/python bench/load.py [--requests 4000] [--seconds 60] [--clients 16] [--workers 3]

What it does, in about a minute and a half:

1. (Re)creates its own PostgreSQL database (``qualipref_bench_load``), migrates it and loads a small
   demo-like prefecture: services, sites, an open survey with a point of distribution, a committee,
   two published months of delivery delays;
2. starts gunicorn on 127.0.0.1 (a free port, gthread workers as in the Dockerfile) with production
   settings (``DEBUG=false``), the rate limits lifted (``RATELIMIT_ENABLE=false``: every client is
   127.0.0.1), Redis as broker and cache (its own Redis database, emptied before and after: no worker
   runs, e-mail tasks just queue) or, with ``BENCH_REDIS_URL=""``, no Redis at all;
3. sends the mix from ``--clients`` threads until ``--requests`` requests or ``--seconds`` seconds:
   about 6 in 10 are public pages (home, prefecture, complaint form, surveys, delays, committee,
   site map), 1 in 4 a complaint (GET the form, POST it), the rest a survey answer (GET, POST), each
   submission with a unique marker;
4. measures a bare Django view (``GET /healthz``) with the same clients, for comparison;
5. checks the database: every accepted submission (the 302 the citizen saw) is there exactly once;
6. prints requests/s, p50 and p95 latency (all requests, then by kind), errors and lost submissions,
   and a ``SUMMARY load key=value …`` line. Exits 1 if anything failed, was lost or was stored twice.

Environment: ``BENCH_DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/qualipref_bench_load``),
``BENCH_REDIS_URL`` (default ``redis://127.0.0.1:6379/14``).
"""

import argparse
import os
import random
import re
import shutil
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from pathlib import Path

from harness import (
    COMPLAINT_TEXT,
    ROOT,
    Client,
    bench_prefecture,
    database_drop,
    database_recreate,
    environment,
    form_token,
    free_port,
    gunicorn_start,
    gunicorn_stop,
    percentile,
    redis_flush,
    redis_url,
    run_threads,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/qualipref_bench_load"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
SLUG = "bench-load"
SURVEY = "accueil"
QUESTION = re.compile(rb'name="(q\d+)"(?: type="radio"| value="(\d+)")?')
PAGES = [
    "/",
    f"/{SLUG}/",
    f"/{SLUG}/reclamations/nouvelle/",
    f"/{SLUG}/enquetes/",
    f"/{SLUG}/enquetes/{SURVEY}/",
    f"/{SLUG}/delais/",
    "/delais/",
    f"/{SLUG}/comite/",
    "/plan-du-site/",
]
MIX = [("page", 60), ("complaint", 25), ("survey", 15)]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=4000, help="stop after this many requests")
    parser.add_argument("--seconds", type=float, default=60, help="stop sending after this long")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (4 threads each)")
    parser.add_argument("--keep-db", action="store_true", help="keep the benchmark database afterwards")
    return parser.parse_args()


# --- setting up -------------------------------------------------------------------------------------


def load_demo_like_data():
    """One prefecture as a citizen finds it: services, sites, an open survey, a committee, published delays."""
    import datetime
    import io

    from committee.models import Committee, Member
    from delays.models import MonthPublication
    from delays.services import delivery_import_check, delivery_import_create, month_publish
    from qualipref.dates import add_months, months_ending
    from qualipref.models import Site
    from surveys.models import Choice, DistributionPoint, Question, Survey

    prefecture, services, site = bench_prefecture(SLUG)
    Site.objects.create(prefecture=prefecture, name="Sous-préfecture de Saint-Pierre", kind="sub_prefecture")

    today = prefecture.today()
    survey = Survey.objects.create(
        prefecture=prefecture,
        slug=SURVEY,
        title="Votre avis sur l'accueil",
        opens_on=today - datetime.timedelta(days=30),
        closes_on=today + datetime.timedelta(days=60),
        status="open",
    )
    for position, kind, text, required in [
        (1, "satisfaction", "Êtes-vous satisfait de l'accueil ?", True),
        (2, "recommendation", "Nous recommanderiez-vous ?", False),
        (3, "single_choice", "Pour quelle démarche ?", False),
        (4, "yes_no", "Votre démarche a-t-elle abouti ?", False),
        (5, "free_text", "Une remarque ?", False),
    ]:
        question = Question.objects.create(survey=survey, position=position, kind=kind, text=text, required=required)
        if kind == "single_choice":
            for n, label in enumerate(["Titre de séjour", "Permis de conduire", "Autre"], start=1):
                Choice.objects.create(question=question, position=n, label=label)
    DistributionPoint.objects.create(survey=survey, name="Guichet 3", site=site)

    committee = Committee.objects.create(prefecture=prefecture, introduction="Le comité des usagers de La Réunion.")
    Member.objects.create(
        committee=committee, first_name="Josiane", last_name="Técher", category="association",
        organisation="Association des usagers", term_start=today - datetime.timedelta(days=400),
    )  # fmt: skip

    months = months_ending(add_months(today, -1), 2)
    lines = ["departement;code_titre;site;date_depot;date_delivrance"]
    for month in months:
        for n in range(400):
            delivered = month.replace(day=1 + n % 28)
            filed = delivered - datetime.timedelta(days=5 + n % 60)
            lines.append(f"974;TS-PREMIERE;;{filed.isoformat()};{delivered.isoformat()}")
    data = ("\n".join(lines) + "\n").encode()
    created = delivery_import_create(
        prefecture=prefecture, fileobj=io.BytesIO(data), name="demo.csv", store_file=False
    )
    delivery_import_check(import_id=created.pk, fileobj=io.BytesIO(data), auto_accept=True)
    for publication in MonthPublication.objects.filter(prefecture=prefecture):
        month_publish(publication=publication, by=None)
    return prefecture, services, site, survey


# --- the load -----------------------------------------------------------------------------------------


class Run:
    def __init__(self, port, requests, seconds):
        self.port, self.budget = port, requests
        self.deadline = time.monotonic() + seconds
        self.lock = threading.Lock()
        self.sent = 0
        self.latencies = defaultdict(list)  # kind → seconds, every request
        self.errors = Counter()
        self.accepted = {"complaint": set(), "survey": set()}

    def take(self, count):
        """Reserve ``count`` requests of the budget; False once it or the time is spent."""
        with self.lock:
            if self.sent + count > self.budget or time.monotonic() > self.deadline:
                return False
            self.sent += count
            return True

    def timed(self, client, kind, method, path, body=None, headers=None, expect=200):
        started = time.perf_counter()
        response, content = client.request(method, path, body, headers)
        elapsed = time.perf_counter() - started
        with self.lock:
            self.latencies[kind].append(elapsed)
        if response.status != expect:
            raise RuntimeError(f"{method} {path.split('?')[0]}: HTTP {response.status}")
        return response, content


def complaint(run, client, marker, services, site):
    path = f"/{SLUG}/reclamations/nouvelle/"
    token, headers = form_token(*run.timed(client, "complaint form", "GET", path))
    fields = {
        "csrfmiddlewaretoken": token,
        "kind": "complaint",
        "service": str(random.choice(services).pk),
        "site": str(site.pk),
        "topic": "counter",
        "subject": marker,
        "description": COMPLAINT_TEXT,
        "name": "Marie Hoarau",
        "email": f"{marker}@example.org",
        "consent": "on",
        "hp_website": "",
    }
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    response, _ = run.timed(client, "complaint POST", "POST", path, urllib.parse.urlencode(fields), headers, 302)
    if not (response.getheader("Location") or "").endswith(f"/{SLUG}/reclamations/confirmation/"):
        raise RuntimeError("complaint POST: not sent to the confirmation")


def survey_answer(run, client, marker):
    path = f"/{SLUG}/enquetes/{SURVEY}/"
    response, content = run.timed(client, "survey form", "GET", path)
    token, headers = form_token(response, content)
    names = list(dict.fromkeys(name.decode() for name, _value in QUESTION.findall(content)))
    satisfaction, recommendation, single, yes_no, free = names
    choices = [int(v) for name, v in QUESTION.findall(content) if name.decode() == single and v]
    fields = {
        "csrfmiddlewaretoken": token,
        satisfaction: str(random.randint(1, 5)),
        recommendation: str(random.randint(0, 10)),
        single: str(random.choice(choices)) if choices else "",
        yes_no: random.choice(["0", "1"]),
        free: marker,
        "hp_website": "",
    }
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    response, _ = run.timed(client, "survey POST", "POST", path, urllib.parse.urlencode(fields), headers, 302)
    if not (response.getheader("Location") or "").endswith("/merci/"):
        raise RuntimeError("survey POST: not sent to the thank-you page")


def mixed_load(port, args, services, site, run_id):
    run = Run(port, args.requests, args.seconds)
    kinds, weights = zip(*MIX, strict=True)
    counter = iter(range(10**9))

    def worker(number):
        rng = random.Random(number)
        client = Client(port)
        while True:
            kind = rng.choices(kinds, weights)[0]
            if not run.take(1 if kind == "page" else 2):
                break
            with run.lock:
                marker = f"load-{run_id}-{next(counter):06d}"
            try:
                if kind == "page":
                    run.timed(client, "page", "GET", rng.choice(PAGES))
                elif kind == "complaint":
                    complaint(run, client, marker, services, site)
                else:
                    survey_answer(run, client, marker)
                if kind != "page":  # the citizen saw the confirmation: it must be in the database
                    with run.lock:
                        run.accepted[kind].add(marker)
            except Exception as error:  # noqa: BLE001 (every failure is counted, none stops the run)
                with run.lock:
                    run.errors[str(error) if isinstance(error, RuntimeError) else type(error).__name__] += 1
                client = Client(port)

    return run, run_threads(worker, [(n,) for n in range(args.clients)])


def bare_view(port, clients, count, seconds):
    """``GET /healthz`` from ``clients`` threads: requests per second and latencies."""
    run = Run(port, count, seconds)

    def worker():
        client = Client(port)
        while run.take(1):
            try:
                run.timed(client, "healthz", "GET", "/healthz")
            except Exception as error:  # noqa: BLE001
                run.errors[str(error)] += 1
                client = Client(port)

    return run, run_threads(worker, [()] * clients)


# --- checking and reporting ------------------------------------------------------------------------------


def check_database(prefecture, survey, run_id, accepted):
    """Each accepted submission stored exactly once; nothing stored that the citizen was not told about."""
    from django.db import connections

    from complaints.models import Case
    from surveys.models import Answer

    connections.close_all()
    prefix = f"load-{run_id}-"
    cases = Counter(
        Case.objects.filter(prefecture=prefecture, subject__startswith=prefix).values_list("subject", flat=True)
    )
    answers = Counter(
        Answer.objects.filter(response__survey=survey, text__startswith=prefix).values_list("text", flat=True)
    )
    checks = {}
    for kind, stored in (("complaint", cases), ("survey", answers)):
        checks[kind] = {
            "stored": sum(stored.values()),
            "lost": len(accepted[kind] - set(stored)),
            "duplicates": sum(n - 1 for n in stored.values() if n > 1),
            "unexpected": len(set(stored) - accepted[kind]),
        }
    return checks


def ms(values, fraction):
    return percentile(values, fraction) * 1000


def main():
    args = parse_args()
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    broker_url = redis_url(DEFAULT_REDIS_URL, without="no broker, cache in memory")
    work_dir = Path(tempfile.mkdtemp(prefix="qualipref-load-"))
    env = environment(database_url, broker_url, work_dir)
    os.environ.update({key: env[key] for key in env if key != "PYTHONPATH"})
    sys.path[:0] = [str(work_dir), str(ROOT)]

    started = time.monotonic()
    url, name = database_recreate(database_url)
    import django

    django.setup()
    prefecture, services, site, survey = load_demo_like_data()
    redis_flush(broker_url)
    setup_seconds = time.monotonic() - started

    port = free_port()
    gunicorn = gunicorn_start(env, port, args.workers, work_dir / "gunicorn.log")
    try:
        bare_view(port, args.clients, 200, 10)  # warm-up: every worker imports, connects and caches
        run_id = f"{int(time.time()):x}"
        run, elapsed = mixed_load(port, args, services, site, run_id)
        bare, bare_elapsed = bare_view(port, args.clients, max(2000, args.requests // 2), 20)
    finally:
        gunicorn_stop(gunicorn)
        redis_flush(broker_url)

    checks = check_database(prefecture, survey, run_id, run.accepted)
    from django.db import connections

    connections.close_all()
    if not args.keep_db:
        database_drop(url, name)

    every = [seconds for latencies in run.latencies.values() for seconds in latencies]
    requests = len(every)
    errors = sum(run.errors.values()) + sum(bare.errors.values())
    lost = sum(check["lost"] for check in checks.values())
    duplicates = sum(check["duplicates"] + check["unexpected"] for check in checks.values())
    healthz = bare.latencies["healthz"]
    rate, healthz_rate = requests / elapsed, len(healthz) / bare_elapsed

    redis = "Redis (broker and cache)" if broker_url else "no Redis (cache in memory, e-mails sent in the request)"
    print(f"Mixed load against gunicorn ({args.workers} workers × 4 threads) on 127.0.0.1, PostgreSQL, {redis}")
    print(f"  setup {setup_seconds:.1f} s; {args.clients} clients; {requests} requests in {elapsed:.1f} s")
    print(f"  throughput:        {rate:.1f} requests/s")
    print(f"  latency, all:      p50 {ms(every, 0.5):.0f} ms, p95 {ms(every, 0.95):.0f} ms")
    for kind in ("page", "complaint form", "complaint POST", "survey form", "survey POST"):
        values = run.latencies[kind]
        print(f"    {kind:16} {len(values):6} × p50 {ms(values, 0.5):5.0f} ms, p95 {ms(values, 0.95):5.0f} ms")
    for kind, check in checks.items():
        print(
            f"  {kind + 's':11} accepted {len(run.accepted[kind])}, stored {check['stored']}, lost {check['lost']}, "
            f"stored twice {check['duplicates']}, stored unconfirmed {check['unexpected']}"
        )
    print(f"  errors:            {errors} {dict(run.errors + bare.errors) if errors else ''}")
    print(f"  lost submissions:  {lost}")
    print(
        f"  bare view GET /healthz: {healthz_rate:.0f} requests/s, p50 {ms(healthz, 0.5):.0f} ms, "
        f"p95 {ms(healthz, 0.95):.0f} ms (the mix runs at {rate / healthz_rate:.2f} × its rate)"
    )
    print(
        f"SUMMARY load requests={requests} seconds={elapsed:.1f} requests_per_s={rate:.1f} "
        f"p50_ms={ms(every, 0.5):.0f} p95_ms={ms(every, 0.95):.0f} "
        f"complaints={len(run.accepted['complaint'])} surveys={len(run.accepted['survey'])} "
        f"errors={errors} lost={lost} duplicates={duplicates} healthz_per_s={healthz_rate:.0f}"
    )
    if errors or lost or duplicates:
        print(f"FAILED (gunicorn's log: {work_dir / 'gunicorn.log'})")
        return 1
    shutil.rmtree(work_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
