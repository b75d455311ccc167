"""Benchmark: complaint submissions from concurrent clients against gunicorn on loopback, on PostgreSQL.

    .venv/bin/python bench/complaints_submit.py [--submissions 2000] [--clients 16] [--seconds 120]

What it does, in about a minute or two:

1. (Re)creates a dedicated database (``qualipref_bench_submit``), migrates it and loads one
   prefecture with its services and a site;
2. starts gunicorn on 127.0.0.1 (a free port; gthread workers as in the Dockerfile), production
   settings (``DEBUG=false``) with the rate limit lifted, Redis as the Celery broker (a dedicated
   Redis database, emptied before and after: no worker runs, the e-mail tasks simply queue) or,
   with ``BENCH_REDIS_URL=""``, no broker and e-mails sent eagerly in the request;
3. sends the submissions: each client GETs the form (for the CSRF cookie and token), then POSTs
   it (urlencoded), with a unique marker in the subject; it stops after N submissions or T seconds;
4. measures a bare view (``GET /healthz``: one ``SELECT 1``, a cache and a broker round trip)
   with the same clients, for comparison;
5. checks the database: every accepted submission (a 302 to the confirmation page) is there
   exactly once, nothing else is, references are unique and numbered 1..N with no gap, the
   sequence row says N, and each case queued its acknowledgement e-mail;
6. stops gunicorn, drops the database (``--keep-db`` keeps it) and prints the figures. The exit
   status is 1 if any check fails.

Environment: ``BENCH_DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/qualipref_bench_submit``),
``BENCH_REDIS_URL`` (default ``redis://127.0.0.1:6379/15``).
"""

import argparse
import itertools
import os
import shutil
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
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

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/qualipref_bench_submit"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
SLUG = "bench-reunion"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=120, help="stop sending after this long")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (4 threads each)")
    parser.add_argument("--keep-db", action="store_true", help="keep the benchmark database afterwards")
    return parser.parse_args()


def latency(seconds):
    return f"p50 {percentile(seconds, 0.5) * 1000:.0f} ms, p95 {percentile(seconds, 0.95) * 1000:.0f} ms"


def submit_all(port, run_id, services, site, count, clients, seconds):
    """Send up to ``count`` submissions from ``clients`` threads. Returns the results and the elapsed time."""
    indexes = itertools.count()
    lock = threading.Lock()
    results = []  # (marker, outcome, post seconds, form seconds)
    deadline = time.monotonic() + seconds
    form_path = f"/{SLUG}/reclamations/nouvelle/"

    def worker(number):
        client = Client(port)
        while time.monotonic() < deadline:
            with lock:
                index = next(indexes)
            if index >= count:
                break
            marker = f"bench-{run_id}-{index:05d}"
            form_seconds = post_seconds = 0.0
            try:
                started = time.perf_counter()
                response, body = client.request("GET", form_path)
                form_seconds = time.perf_counter() - started
                if response.status != 200:
                    results.append((marker, f"form {response.status}", 0.0, form_seconds))
                    continue
                token, headers = form_token(response, body)
                fields = {
                    "csrfmiddlewaretoken": token,
                    "kind": "complaint",
                    "service": str(services[index % len(services)].pk),
                    "site": str(site.pk),
                    "topic": "counter",
                    "subject": marker,
                    "description": COMPLAINT_TEXT,
                    "name": f"Citoyen {number} {index}",
                    "email": f"citoyen{index}@example.org",
                    "phone": "0262 40 77 77",
                    "consent": "on",
                    "hp_website": "",
                }
                headers["Content-Type"] = "application/x-www-form-urlencoded"
                started = time.perf_counter()
                response, _body = client.request("POST", form_path, urllib.parse.urlencode(fields), headers)
                post_seconds = time.perf_counter() - started
                location = response.getheader("Location") or ""
                accepted = response.status == 302 and location.endswith(f"/{SLUG}/reclamations/confirmation/")
                results.append(
                    (marker, "accepted" if accepted else f"HTTP {response.status}", post_seconds, form_seconds)
                )
            except Exception as error:  # noqa: BLE001 (every failure is counted, none stops the run)
                results.append((marker, f"{type(error).__name__}", post_seconds, form_seconds))
                client = Client(port)

    return results, run_threads(worker, [(n,) for n in range(clients)])


def bare_view(port, clients, count, seconds):
    """``GET /healthz`` from ``clients`` threads: requests per second and latencies."""
    indexes, lock, latencies, failures = itertools.count(), threading.Lock(), [], Counter()
    deadline = time.monotonic() + seconds

    def worker():
        client = Client(port)
        while time.monotonic() < deadline:
            with lock:
                if next(indexes) >= count:
                    break
            started = time.perf_counter()
            try:
                response, _body = client.request("GET", "/healthz")
                if response.status != 200:
                    failures[response.status] += 1
            except Exception as error:  # noqa: BLE001
                failures[type(error).__name__] += 1
                client = Client(port)
            latencies.append(time.perf_counter() - started)

    return latencies, run_threads(worker, [()] * clients), failures


def check_database(prefecture, run_id, accepted):
    """What the database holds, against what the clients were told."""
    from django.db import connections
    from django.db.models import Count

    from complaints.models import Case, CaseSequence
    from qualipref.mail import OutgoingEmail

    connections.close_all()
    rows = list(
        Case.objects.filter(prefecture=prefecture, subject__startswith=f"bench-{run_id}-").values_list(
            "subject", "reference", "received_on"
        )
    )
    stored = Counter(subject for subject, _reference, _received in rows)
    references = Counter(reference for _subject, reference, _received in rows)
    numbers_by_year = {}
    for _subject, reference, _received in rows:
        _code, year, number = reference.rsplit("-", 2)
        numbers_by_year.setdefault(int(year), []).append(int(number))
    gaps = []
    for year, numbers in sorted(numbers_by_year.items()):
        if sorted(numbers) != list(range(1, len(numbers) + 1)):
            gaps.append(f"{year}: {len(numbers)} cases, numbers {min(numbers)}..{max(numbers)}")
        sequence = CaseSequence.objects.get(prefecture=prefecture, year=year).last_number
        if sequence != len(numbers):
            gaps.append(f"{year}: sequence at {sequence} for {len(numbers)} cases")
    return {
        "stored": len(rows),
        "lost": len(accepted - set(stored)),
        "duplicates": sum(n - 1 for n in stored.values() if n > 1),
        "unexpected": len(set(stored) - accepted),
        "duplicate_references": sum(n - 1 for n in references.values() if n > 1)
        + Case.objects.values("reference").annotate(n=Count("pk")).filter(n__gt=1).count(),
        "gaps": gaps,
        "acknowledgements": OutgoingEmail.objects.filter(purpose="acknowledgement", prefecture=prefecture).count(),
    }


def main():
    args = parse_args()
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    broker_url = redis_url(DEFAULT_REDIS_URL, without="tasks run eagerly in the web process")
    work_dir = Path(tempfile.mkdtemp(prefix="qualipref-bench-"))
    env = environment(database_url, broker_url, work_dir)
    os.environ.update({key: env[key] for key in env if key != "PYTHONPATH"})
    sys.path[:0] = [str(work_dir), str(ROOT)]

    started = time.monotonic()
    url, name = database_recreate(database_url)
    import django

    django.setup()
    prefecture, services, site = bench_prefecture(SLUG)
    redis_flush(broker_url)
    setup_seconds = time.monotonic() - started

    port = free_port()
    gunicorn = gunicorn_start(env, port, args.workers, work_dir / "gunicorn.log")
    try:
        bare_view(port, args.clients, 200, 10)  # warm-up: every worker imports, connects and caches
        run_id = f"{int(time.time()):x}"
        results, elapsed = submit_all(port, run_id, services, site, args.submissions, args.clients, args.seconds)
        healthz_latencies, healthz_elapsed, healthz_failures = bare_view(port, args.clients, args.submissions, 30)
    finally:
        gunicorn_stop(gunicorn)
        redis_flush(broker_url)

    accepted = {marker for marker, outcome, _post, _form in results if outcome == "accepted"}
    errors = Counter(outcome for _marker, outcome, _post, _form in results if outcome != "accepted")
    checks = check_database(prefecture, run_id, accepted)
    post_latencies = [post for _marker, outcome, post, _form in results if outcome == "accepted"]
    form_latencies = [form for _marker, _outcome, _post, form in results if form]

    from django.db import connections

    connections.close_all()
    if not args.keep_db:
        database_drop(url, name)

    broker = "Redis (e-mails queued)" if broker_url else "none (e-mails sent eagerly)"
    print(f"Complaint submissions against gunicorn ({args.workers} workers × 4 threads) on 127.0.0.1, PostgreSQL")
    print(f"  broker: {broker}; setup {setup_seconds:.1f} s")
    print(f"  clients:               {args.clients}")
    print(f"  submissions sent:      {len(results)} of {args.submissions} in {elapsed:.1f} s")
    print(f"  accepted (302):        {len(accepted)}")
    print(f"  throughput:            {len(accepted) / elapsed:.1f} submissions/s (form GET + POST each)")
    print(f"  POST latency:          {latency(post_latencies)}")
    print(f"  form GET latency:      {latency(form_latencies)}")
    print(f"  errors:                {sum(errors.values())} {dict(errors) if errors else ''}")
    print(f"  lost:                  {checks['lost']}")
    print(f"  duplicates:            {checks['duplicates']} stored twice, {checks['unexpected']} stored unconfirmed")
    print(f"  duplicate references:  {checks['duplicate_references']}")
    print(f"  references 1..N:       {'no gap' if not checks['gaps'] else '; '.join(checks['gaps'])}")
    print(f"  acknowledgements:      {checks['acknowledgements']} e-mails queued for {checks['stored']} cases")
    healthz_rate = len(healthz_latencies) / healthz_elapsed
    print(
        f"  bare view GET /healthz: {healthz_rate:.0f} requests/s, {latency(healthz_latencies)}"
        f"{f', failures {dict(healthz_failures)}' if healthz_failures else ''}"
    )
    failed = (
        errors
        or checks["lost"]
        or checks["duplicates"]
        or checks["unexpected"]
        or checks["duplicate_references"]
        or checks["gaps"]
        or checks["acknowledgements"] != checks["stored"]
    )
    print(
        f"SUMMARY complaints_submit submissions={len(accepted)} per_s={len(accepted) / elapsed:.1f} "
        f"post_p50_ms={percentile(post_latencies, 0.5) * 1000:.0f} "
        f"post_p95_ms={percentile(post_latencies, 0.95) * 1000:.0f} "
        f"errors={sum(errors.values())} lost={checks['lost']} "
        f"duplicates={checks['duplicates'] + checks['unexpected']} "
        f"healthz_per_s={healthz_rate:.0f}"
    )
    if len(results) < args.submissions:
        print(f"  (stopped by the time limit, {args.seconds:.0f} s, before {args.submissions} submissions)")
    if failed:
        print(f"FAILED (gunicorn's log: {work_dir / 'gunicorn.log'})")
        return 1
    shutil.rmtree(work_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
