"""Benchmark: complaint submissions from concurrent clients against gunicorn on loopback, on PostgreSQL, and the
peer's public form (django-helpdesk 2.6.1) measured in the same run.

    .venv/bin/python bench/complaints_submit.py [--clients 16] [--seconds 20] [--rounds 3]

What it does, in three to four minutes:

1. (Re)creates a dedicated database (``qualipref_bench_submit``), migrates it and loads one
   prefecture with its services and a site;
2. starts gunicorn on 127.0.0.1 (a free port; gthread workers with 4 threads as in the Dockerfile, 2 workers
   like the peer's), production settings (``DEBUG=false``) with the rate limit lifted, Redis as the Celery broker
   (a dedicated Redis database, emptied before and after: no worker runs, the e-mail tasks simply queue) or,
   with ``BENCH_REDIS_URL=""``, no broker and e-mails sent eagerly in the request;
3. if a checkout of the peer harness is found (``QUALIPREF_PEER_HELPDESK``, see ``peer_helpdesk.py``): prepares
   its environment and database (200,000 tickets, reused from one run to the next) and starts its gunicorn
   (2 sync workers);
4. runs ``--rounds`` rounds, each the peer's then ours, with the same load: ``--clients`` clients for
   ``--seconds`` seconds. Ours: each client GETs the form (for the CSRF cookie and token), then POSTs it
   (urlencoded), with a unique marker in the subject. The peer's: its own ``submit_load.py`` (a new session per
   loop, GET its form, POST a ticket), then what arrived in its database is counted;
5. measures a bare view (``GET /healthz``: one ``SELECT 1``, a cache and a broker round trip)
   with the same clients, for comparison;
6. checks the database: every accepted submission (a 302 to the confirmation page) is there
   exactly once, nothing else is, references are unique and numbered 1..N with no gap, the
   sequence row says N, and each case queued its acknowledgement e-mail;
7. stops both gunicorns, deletes the peer's new tickets, drops our database (``--keep-db`` keeps it) and prints
   the figures: the medians of the rounds' accepted submissions per second, and their ratio (ours / the
   peer's; aim: at least 2). The exit status is 1 if any of our checks fails.

Environment: ``BENCH_DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/qualipref_bench_submit``),
``BENCH_REDIS_URL`` (default ``redis://127.0.0.1:6379/15``), ``QUALIPREF_PEER_HELPDESK`` (the peer harness).
"""

import argparse
import contextlib
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

import peer_helpdesk
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
    parser.add_argument("--clients", type=int, default=16, help="clients in parallel, ours and the peer's")
    parser.add_argument("--seconds", type=float, default=20, help="length of a round, ours and the peer's")
    parser.add_argument("--rounds", type=int, default=3, help="rounds: the peer's, then ours, this many times")
    parser.add_argument("--submissions", type=int, default=100_000, help="stop a round of ours after this many")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (4 threads each), as the peer's 2")
    parser.add_argument("--keep-db", action="store_true", help="keep the benchmark database afterwards")
    return parser.parse_args()


def latency(seconds):
    return f"p50 {percentile(seconds, 0.5) * 1000:.0f} ms, p95 {percentile(seconds, 0.95) * 1000:.0f} ms"


def submit_all(port, run_id, services, site, count, clients, seconds):
    """Send up to ``count`` submissions from ``clients`` threads for ``seconds`` s. Returns the results and the
    elapsed time. ``run_id`` is "<run>-<round>": the database check finds every round's cases by the run's prefix."""
    indexes = itertools.count()
    lock = threading.Lock()
    results = []  # (marker, outcome, post seconds, form seconds)
    deadline = time.monotonic() + seconds
    form_path = f"/{SLUG}/reclamations/nouvelle/"

    def worker(number):
        while time.monotonic() < deadline:
            with lock:
                index = next(indexes)
            if index >= count:
                break
            # Each citizen comes on a connection of their own (as the peer's clients, a new session each loop),
            # kept for their form and its POST: connections spread over the workers as visitors do.
            client = Client(port)
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
            finally:
                client.close()

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


def peer_rounds_summary(rounds):
    """The peer's figures over its rounds: medians, sums, and what it lost (accepted but not in its database)."""
    return {
        "per_s": peer_helpdesk.median([r["per_s"] for r in rounds]),
        "post_p50_ms": peer_helpdesk.median([r["post_p50_ms"] for r in rounds]),
        "post_p95_ms": peer_helpdesk.median([r["post_p95_ms"] for r in rounds]),
        "get_p50_ms": peer_helpdesk.median([r["get_p50_ms"] for r in rounds]),
        "sent": sum(r["sent"] for r in rounds),
        "accepted": sum(r["accepted"] for r in rounds),
        "failed": sum(r["failed"] for r in rounds),
        "arrived": sum(r["arrived"] for r in rounds),
        "lost": sum(max(0, r["accepted"] - r["arrived"]) for r in rounds),
    }


def main():
    args = parse_args()
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    broker_url = redis_url(DEFAULT_REDIS_URL, without="tasks run eagerly in the web process")
    work_dir = Path(tempfile.mkdtemp(prefix="qualipref-bench-"))
    env = environment(database_url, broker_url, work_dir)
    os.environ.update({key: env[key] for key in env if key != "PYTHONPATH"})
    sys.path[:0] = [str(work_dir), str(ROOT)]

    peer = peer_helpdesk.find()
    peer_note = peer_helpdesk.NOT_FOUND
    if peer is not None:
        peer_seconds = peer.prepare()
        peer_note = f"peer: {peer_helpdesk.NAME} ({peer.path}), 2 sync workers; ready in {peer_seconds:.0f} s"

    started = time.monotonic()
    url, name = database_recreate(database_url)
    import django

    django.setup()
    prefecture, services, site = bench_prefecture(SLUG)
    redis_flush(broker_url)
    setup_seconds = time.monotonic() - started

    port = free_port()
    gunicorn = gunicorn_start(env, port, args.workers, work_dir / "gunicorn.log")
    run_id = f"{int(time.time()):x}"
    results, rounds, peer_rounds = [], [], []
    try:
        with contextlib.ExitStack() as stack:
            if peer is not None:
                stack.enter_context(peer.server(free_port(), workers=2, log_path=work_dir / "peer-gunicorn.log"))
            bare_view(port, args.clients, 200, 10)  # warm-up: every worker imports, connects and caches
            for number in range(1, args.rounds + 1):
                if peer is not None:
                    peer_rounds.append(peer.submit_round(f"peer-{run_id}-{number}", args.clients, args.seconds))
                    print(
                        "  round {}: peer {per_s:.1f}/s ({accepted} accepted, {failed} failed, {arrived} in its "
                        "database)".format(number, **peer_rounds[-1]),
                        flush=True,
                    )
                round_results, elapsed = submit_all(
                    port, f"{run_id}-{number}", services, site, args.submissions, args.clients, args.seconds
                )
                results += round_results
                accepted_here = sum(1 for _m, outcome, _p, _f in round_results if outcome == "accepted")
                rounds.append({"accepted": accepted_here, "sent": len(round_results), "elapsed": elapsed})
                print(f"  round {number}: ours {accepted_here / elapsed:.1f}/s ({accepted_here} accepted)", flush=True)
            healthz_latencies, healthz_elapsed, healthz_failures = bare_view(port, args.clients, 100_000, 15)
    finally:
        gunicorn_stop(gunicorn)
        redis_flush(broker_url)
        if peer is not None:
            peer.cleanup()

    accepted = {marker for marker, outcome, _post, _form in results if outcome == "accepted"}
    errors = Counter(outcome for _marker, outcome, _post, _form in results if outcome != "accepted")
    checks = check_database(prefecture, run_id, accepted)
    post_latencies = [post for _marker, outcome, post, _form in results if outcome == "accepted"]
    form_latencies = [form for _marker, _outcome, _post, form in results if form]
    per_s = peer_helpdesk.median([r["accepted"] / r["elapsed"] for r in rounds])

    from django.db import connections

    connections.close_all()
    if not args.keep_db:
        database_drop(url, name)

    broker = "Redis (e-mails queued)" if broker_url else "none (e-mails sent eagerly)"
    load = f"{args.clients} clients × {args.seconds:.0f} s, {args.rounds} rounds"
    print(f"Complaint submissions against gunicorn ({args.workers} workers × 4 threads) on 127.0.0.1, PostgreSQL")
    print(f"  broker: {broker}; setup {setup_seconds:.1f} s; {load}")
    print(f"  {peer_note}")
    print(f"  submissions sent:      {len(results)} in {sum(r['elapsed'] for r in rounds):.1f} s")
    print(f"  accepted (302):        {len(accepted)}")
    rates = ", ".join(f"{r['accepted'] / r['elapsed']:.1f}" for r in rounds)
    print(f"  throughput:            {per_s:.1f} submissions/s, median of the rounds ({rates}; form GET + POST each)")
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
    peer_figures, ratio = "peer=not_measured", None
    if peer_rounds:
        p = peer_rounds_summary(peer_rounds)
        ratio = per_s / p["per_s"] if p["per_s"] else float("inf")
        peer_rates = ", ".join(f"{r['per_s']:.1f}" for r in peer_rounds)
        print(f"  peer ({peer_helpdesk.NAME}, the same load):")
        print(f"    throughput:          {p['per_s']:.1f} submissions/s, median of the rounds ({peer_rates})")
        print(f"    POST latency:        p50 {p['post_p50_ms']:.0f} ms, p95 {p['post_p95_ms']:.0f} ms (medians)")
        print(f"    form GET latency:    p50 {p['get_p50_ms']:.0f} ms")
        print(
            f"    sent / accepted / failed / in its database: {p['sent']} / {p['accepted']} / {p['failed']} / "
            f"{p['arrived']}"
        )
        print(f"  ratio ours / peer:     {ratio:.2f}× accepted submissions per second (aim ≥ 2×)")
        peer_figures = (
            f"peer_per_s={p['per_s']:.1f} peer_post_p50_ms={p['post_p50_ms']:.0f} peer_failed={p['failed']} "
            f"peer_lost={p['lost']} ratio={ratio:.2f}"
        )
    else:
        print(f"  {peer_helpdesk.NOT_FOUND}")
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
        f"SUMMARY complaints_submit submissions={len(accepted)} per_s={per_s:.1f} "
        f"post_p50_ms={percentile(post_latencies, 0.5) * 1000:.0f} "
        f"post_p95_ms={percentile(post_latencies, 0.95) * 1000:.0f} "
        f"errors={sum(errors.values())} lost={checks['lost']} "
        f"duplicates={checks['duplicates'] + checks['unexpected']} "
        f"gaps={len(checks['gaps'])} healthz_per_s={healthz_rate:.0f} {peer_figures}"
    )
    if failed:
        print(f"FAILED (gunicorn's log: {work_dir / 'gunicorn.log'})")
        return 1
    shutil.rmtree(work_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
