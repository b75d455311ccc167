"""Benchmark: the public delays pages for 100 prefectures with three years of history.

Creates and uses its own PostgreSQL database (``qualipref_bench_delays_pages``) and Redis database
(``BENCH_REDIS``, default db 5): 100 prefectures, every title type, three sites each, a histogram
for 36 months, statistics refreshed from it in SQL, every month but the last published. Then it
serves the portal with gunicorn (2 sync workers, production settings) and measures requests per
second on a bare Django view (same middleware, ``HttpResponse("ok")``) and on the delays pages. The
clients say they accept gzip, as every browser does; the prefecture's page is also measured without.

Imported as a module, this file is the bench server's settings and URLconf (so that ``make bench``
finds only scripts in ``bench/``).

Usage: ``.venv/bin/python bench/delays_pages.py [--seconds 5] [--rounds 3]``
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DATABASE = "qualipref_bench_delays_pages"
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/5")

if __name__ != "__main__":
    # --- as the bench server's settings and URLconf ---------------------------------------------
    from config.settings import *  # noqa: F403

    ROOT_URLCONF = __name__
    STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
    SECURE_SSL_REDIRECT = False
    ALLOWED_HOSTS = ["127.0.0.1", "testserver"]

    def __getattr__(name):
        """``urlpatterns``, built on first use: the project's URLs need the apps loaded."""
        if name != "urlpatterns":
            raise AttributeError(name)
        from django.http import HttpResponse
        from django.urls import path

        from config.urls import urlpatterns as project_urlpatterns

        def bare(request):
            return HttpResponse("ok")

        return [path("bench/bare/", bare), *project_urlpatterns]


def setup():
    import subprocess

    subprocess.run(["psql", f"{SERVER}/postgres", "-q", "-c", f"DROP DATABASE IF EXISTS {DATABASE}"], check=True)
    subprocess.run(["psql", f"{SERVER}/postgres", "-q", "-c", f"CREATE DATABASE {DATABASE}"], check=True)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    import django

    django.setup()
    import datetime
    import time

    from django.db import connection, transaction
    from django.db.models import Max
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from delays.enums import PublicationStatus
    from delays.models import DelayHistogram, MonthlyDelay, MonthPublication, TitleType
    from delays.stats import _insert_statistics
    from qualipref.dates import add_months, month_start, months_ending
    from qualipref.models import Prefecture, Site

    prefectures = Prefecture.objects.bulk_create(
        [Prefecture(department_code=f"{n:03d}", name=f"Département {n}", slug=f"departement-{n}") for n in range(100)]
    )
    Site.objects.bulk_create([Site(prefecture=p, name=f"Site {i} de {p.name}") for p in prefectures for i in range(3)])
    last = add_months(month_start(timezone.localdate()), -1)
    months = months_ending(last, 36)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # Synthetic seeding: skip the foreign-key triggers of 2 million rows (this database only).
        cursor.execute("SET session_replication_role = replica")
        # 20 distinct delays per prefecture × title × site × month, counts varying by month and site.
        cursor.execute(
            f"""
            INSERT INTO {DelayHistogram._meta.db_table}
                (prefecture_id, title_type_id, site_id, month, delay_days, count)
            SELECT s.prefecture_id, t.id, s.id, m.month, (t.position / 2 + d * 3 + (s.id %% 7))::int,
                   (1 + (d * 7 + s.id + t.id + extract(month FROM m.month)::int) %% 20)::int
            FROM qualipref_site s CROSS JOIN {TitleType._meta.db_table} t
            CROSS JOIN unnest(%s::date[]) AS m(month) CROSS JOIN generate_series(1, 20) AS d
            """,
            [months],
        )
        histogram_rows = cursor.rowcount
        cursor.execute("SET session_replication_role = DEFAULT")
    print(f"histogram: {histogram_rows:,} bins in {time.perf_counter() - started:.1f} s")
    MonthPublication.objects.bulk_create(
        [MonthPublication(prefecture=p, month=m) for p in prefectures for m in months]
    )
    # The statistics step of ``refresh_statistics`` (the histogram has no records behind it here).
    now = timezone.now()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        _insert_statistics(prefectures[0].pk, months, now)
    print(
        f"statistics of one prefecture (36 months × 9 titles × 3 sites + totals) from its histogram: "
        f"{time.perf_counter() - started:.2f} s, {len(queries)} queries"
    )
    started = time.perf_counter()
    for prefecture in prefectures[1:]:
        with transaction.atomic():
            _insert_statistics(prefecture.pk, months, now)
    print(f"statistics of the other 99 prefectures: {time.perf_counter() - started:.1f} s")
    MonthPublication.objects.filter(month__lt=last).update(
        status=PublicationStatus.PUBLISHED, published_at=timezone.now()
    )
    print(
        f"{MonthlyDelay.objects.count():,} monthly figures, latest published month "
        f"{MonthPublication.objects.published().aggregate(m=Max('month'))['m']:%Y-%m}"
    )
    del datetime


def hammer(url, seconds, port, results, gzip=True):
    """One client: a new connection per request; ``gzip``: it says it accepts gzip, as every browser does."""
    import http.client
    import time

    headers = {"Accept-Encoding": "gzip, deflate, br"} if gzip else {}
    count, errors = 0, 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", url, headers=headers)
        response = connection.getresponse()
        response.read()
        connection.close()
        if response.status == 200:
            count += 1
        else:
            errors += 1
    results.put((count, errors))


def measure(url, seconds, port, clients=4, gzip=True):
    import multiprocessing

    results = multiprocessing.Queue()
    hammer(url, 1, port, results, gzip)  # warm up (fills the cache)
    results.get()
    processes = [
        multiprocessing.Process(target=hammer, args=(url, seconds, port, results, gzip)) for _ in range(clients)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    totals = [results.get() for _ in processes]
    ok, errors = sum(t[0] for t in totals), sum(t[1] for t in totals)
    return ok / seconds, errors


def main():
    import argparse
    import statistics
    import subprocess
    import time
    import urllib.request

    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=5, help="per measure (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of bare view then pages (default 3)")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    args = parser.parse_args()
    if not args.port:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            args.port = probe.getsockname()[1]
    os.environ.update(
        {
            "DATABASE_URL": f"{SERVER}/{DATABASE}",
            "REDIS_URL": REDIS,
            "DEBUG": "false",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-not-a-secret-" + "x" * 40),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "DJANGO_SETTINGS_MODULE": "delays_pages",
        }
    )
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    client = Client()
    for url in ("/departement-1/delais/", "/delais/"):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
        print(
            f"{url}: uncached {elapsed * 1000:.0f} ms, {len(queries)} queries, {len(response.content) / 1024:.0f} KB"
        )
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        print(f"{url}: cached, {len(queries)} queries")
    cache.clear()
    connection.close()

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "delays_pages", "PYTHONPATH": f"{ROOT / 'bench'}:{ROOT}"}
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(50):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{args.port}/bench/bare/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("the bench server did not start")
        # Rounds interleave the bare view and the pages, each round's ratios against its own bare figure:
        # the machine is shared, and a burst of other work then weighs on both sides of a ratio alike.
        pages = (
            ("/<prefecture>/delais/ (cached)", "/departement-1/delais/", True, "prefecture_page"),
            ("/delais/ (cached)", "/delais/", True, "network_page"),
            ("/<prefecture>/delais/ (cached, no gzip)", "/departement-1/delais/", False, "prefecture_page_no_gzip"),
        )
        ratios = {name: [] for name, *_rest in pages}
        for round_number in range(1, args.rounds + 1):
            bare, errors = measure("/bench/bare/", args.seconds, args.port)
            print(f"round {round_number}: bare view {bare:.0f} requests/s" + (f" ({errors} errors)" if errors else ""))
            for name, url, gzip, _key in pages:
                rate, errors = measure(url, args.seconds, args.port, gzip=gzip)
                ratios[name].append(rate / (bare or float("nan")))
                print(
                    f"  {name:40} {rate:6.0f} requests/s, {rate / bare:.2f} × the bare view"
                    + (f" ({errors} errors)" if errors else "")
                )
        summary = []
        for name, _url, _gzip, key in pages:
            median = statistics.median(ratios[name])
            low, high = min(ratios[name]), max(ratios[name])
            print(f"{name:40} median {median:.2f} × the bare view ({low:.2f}–{high:.2f}; aim: at least 0.5)")
            summary.append(f"{key}_vs_bare={median:.2f}")
        print("SUMMARY delays_pages " + " ".join(summary))
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
