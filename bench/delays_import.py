"""Benchmark: import N delivery records through the project's path vs a bare COPY of the same file.

Creates and uses its own PostgreSQL database (``qualipref_bench_delays``, dropped and created again),
generates the CSV, then:

* runs the project's import in a child process (file check, then each row checked in Python while
  the valid ones stream into ``DeliveryRecord`` through a binary ``COPY``; then the officer's
  acceptance, which counts the import into the histogram and refreshes the months touched), and
  reports its rows/s and the child's peak memory (max RSS);
* loads the same file with a bare ``COPY`` into an unindexed table of the same columns, once before
  and once after our import, and keeps the faster (the machine is shared: the ratio errs against us).

Usage: ``.venv/bin/python bench/delays_import.py [--rows 1000000] [--rows 5000000]``
Environment: ``BENCH_PG`` (default ``postgres://postgres@127.0.0.1:5432``), ``BENCH_DB`` (the database to
drop and create, default ``qualipref_bench_delays``).
"""

import argparse
import datetime
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DATABASE = os.environ.get("BENCH_DB", "qualipref_bench_delays")
TITLES = ["TS-PREMIERE", "TS-RENOUVELLEMENT", "NATURALISATION", "PERMIS-ECHANGE", "IMMATRICULATION"]
SITES = ["Préfecture de Saint-Denis", "Sous-préfecture de Saint-Pierre", ""]


def generate(path, rows):
    """Three years of deliveries for La Réunion; half the dates in the French format."""
    rng = random.Random(974)
    start = datetime.date(2023, 1, 1)
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("departement;code_titre;site;date_depot;date_delivrance\n")
        lines = []
        for i in range(rows):
            delivered = start + datetime.timedelta(days=rng.randrange(1095))
            filed = delivered - datetime.timedelta(days=int(rng.gammavariate(2, 40)))
            fmt = "%d/%m/%Y" if i % 2 else "%Y-%m-%d"
            lines.append(f"974;{rng.choice(TITLES)};{rng.choice(SITES)};{filed:{fmt}};{delivered:{fmt}}\n")
            if len(lines) == 10000:
                out.writelines(lines)
                lines = []
        out.writelines(lines)


def psql(sql, database="postgres"):
    subprocess.run(["psql", f"{SERVER}/{database}", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True)


def setup_database():
    psql(f"DROP DATABASE IF EXISTS {DATABASE}")
    psql(f"CREATE DATABASE {DATABASE}")
    env = {**os.environ, "DATABASE_URL": f"{SERVER}/{DATABASE}", "DEBUG": "true", "REDIS_URL": ""}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)


def child(path):
    """Runs in a child process, so that its peak memory is the import's alone."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from delays.enums import ImportSource
    from delays.services import delivery_import_accept, delivery_import_check, delivery_import_create
    from qualipref.models import Prefecture, Site

    prefecture, _ = Prefecture.objects.get_or_create(
        department_code="974", defaults={"name": "La Réunion", "slug": "la-reunion", "time_zone": "Indian/Reunion"}
    )
    for name in SITES[:2]:
        Site.objects.get_or_create(prefecture=prefecture, name=name)
    connection.cursor().execute("CHECKPOINT")  # as before the bare COPY
    started = time.perf_counter()
    with open(path, "rb") as fileobj:
        delivery_import = delivery_import_create(
            prefecture=prefecture, fileobj=fileobj, name=path.name, source=ImportSource.COMMAND, store_file=False
        )
        delivery_import = delivery_import_check(import_id=delivery_import.pk, fileobj=fileobj, auto_accept=False)
    checked = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        delivery_import = delivery_import_accept(delivery_import=delivery_import, by=None)
    accepted = time.perf_counter()
    print(
        json.dumps(
            {
                "valid": delivery_import.valid_rows,
                "bad": delivery_import.bad_rows,
                "months": len(delivery_import.months),
                "check_seconds": checked - started,
                "refresh_seconds": accepted - checked,
                "refresh_queries": len(queries),
            }
        )
    )


def bare_copy(path):
    import psycopg2

    connection = psycopg2.connect(f"{SERVER}/{DATABASE}")
    with connection, connection.cursor() as cursor:
        cursor.execute("SET datestyle = 'ISO, DMY'")
        cursor.execute(
            "DROP TABLE IF EXISTS bare_deliveries; CREATE TABLE bare_deliveries "
            "(departement text, code_titre text, site text, date_depot date, date_delivrance date)"
        )
        cursor.execute("CHECKPOINT")  # the WAL of what came before is not written during the timed COPY
    started = time.perf_counter()
    with connection, connection.cursor() as cursor, open(path, "rb") as fileobj:
        cursor.copy_expert("COPY bare_deliveries FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER ';')", fileobj)
        loaded = cursor.rowcount
    elapsed = time.perf_counter() - started
    connection.close()
    return loaded, elapsed


def run(rows):
    setup_database()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"livraisons-{rows}.csv"
        started = time.perf_counter()
        generate(path, rows)
        print(f"generated {rows:,} rows ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.1f} s")
        _loaded, bare_before = bare_copy(path)
        env = {**os.environ, "DATABASE_URL": f"{SERVER}/{DATABASE}", "DEBUG": "false", "REDIS_URL": ""}
        env.setdefault("SECRET_KEY", "bench-only-not-a-secret-" + "x" * 40)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, __file__, "--child", str(path)], cwd=ROOT, env=env, check=True, capture_output=True
        )
        ours_total = time.perf_counter() - started
        peak_mb = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
        figures = json.loads(result.stdout.decode().strip().splitlines()[-1])
        psql("CHECKPOINT", DATABASE)
        loaded, bare_after = bare_copy(path)
    bare_seconds = min(bare_before, bare_after)
    ours_rate = rows / figures["check_seconds"]
    bare_rate = loaded / bare_seconds
    print(f"== {rows:,} records")
    print(
        f"  ours (file check and hash, rows checked and stored; no refresh): {figures['check_seconds']:.2f} s, "
        f"{ours_rate:,.0f} rows/s ({figures['valid']:,} valid, {figures['bad']:,} bad)"
    )
    print(
        f"  bare COPY into an unindexed table: {bare_seconds:.2f} s, {bare_rate:,.0f} rows/s "
        f"(best of {bare_before:.2f} s before ours and {bare_after:.2f} s after)"
    )
    print(f"  ratio ours / bare COPY: {ours_rate / bare_rate:.2f} (aim: at least 0.5)")
    print(
        f"  statistics refresh after accepting ({figures['months']} months): {figures['refresh_seconds']:.2f} s, "
        f"{figures['refresh_queries']} queries"
    )
    print(f"  whole child process (Django start, import, refresh): {ours_total:.1f} s; peak memory {peak_mb:.0f} MB")
    print(
        f"SUMMARY delays_import rows={rows} rows_per_s={ours_rate:.0f} bare_copy_rows_per_s={bare_rate:.0f} "
        f"ratio_to_copy={ours_rate / bare_rate:.2f} refresh_s={figures['refresh_seconds']:.2f} "
        f"peak_mb={peak_mb:.0f}"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, action="append")
    parser.add_argument("--child", type=Path)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    for rows in args.rows or [1_000_000]:
        run(rows)


if __name__ == "__main__":
    main()
