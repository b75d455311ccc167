"""Benchmark: the memory a delivery file takes to check, for files with one very long line and for a normal large one.

Issue 14, finding 7: a file whose third line was 50 MB long took the worker child to 434 MB (RSS), one of 200 MB to
1.36 GB, past the worker's 400 MB limit (``--max-memory-per-child``). Every reading of the file now goes through one
bounded line reader (``delays.csvformat.LineBound``, ``DELAYS_IMPORT_MAX_LINE_BYTES``): such a file is refused,
naming the line, and memory stays flat.

For each file, a child process (its own peak RSS) does what the portal does with an upload:

* ``upload``: the upload's check (``delivery_import_create``: hash, encoding, header, line lengths);
* ``import``: the worker's check of the rows (``delivery_import_check``), as for a file recorded before the bound
  (the upload's check passed with the bound lifted): the finding's path.

Files: a 50 MB and a 200 MB line (third line), and a normal file of 1,000,000 rows (about 48 MB), checked whole.
Creates and uses its own PostgreSQL database (``qualipref_bench_long_lines``, dropped and created again).

Usage: ``.venv/bin/python bench/delays_long_lines.py [--rows 1000000] [--long-mb 50 --long-mb 200]``
Environment: ``BENCH_PG`` (default ``postgres://postgres@127.0.0.1:5432``), ``BENCH_DB``.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from delays_import import SITES, generate  # noqa: E402  (the same generated rows as bench/delays_import.py)

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DATABASE = os.environ.get("BENCH_DB", "qualipref_bench_long_lines")
HEADER = b"departement;code_titre;site;date_depot;date_delivrance\n"
ROW = b"974;TS-PREMIERE;;2026-01-05;2026-02-09\n"
MB = 1 << 20


def long_line_file(path, megabytes):
    """A header, a row, then a third line of ``megabytes`` MB (a site's name that never ends), then a row."""
    with open(path, "wb") as out:
        out.write(HEADER + ROW + b"974;TS-PREMIERE;")
        block = b"x" * MB
        for _ in range(megabytes):
            out.write(block)
        out.write(b";2026-01-05;2026-02-09\n" + ROW)


def psql(sql, database="postgres"):
    subprocess.run(["psql", f"{SERVER}/{database}", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True)


def setup_database():
    psql(f"DROP DATABASE IF EXISTS {DATABASE}")
    psql(f"CREATE DATABASE {DATABASE}")
    env = {**os.environ, "DATABASE_URL": f"{SERVER}/{DATABASE}", "DEBUG": "true", "REDIS_URL": ""}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(path, mode):
    """Runs in a child process: its peak RSS is Django's start plus this check alone."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.test import override_settings

    from delays.enums import ImportSource
    from delays.models import DeliveryImport
    from delays.services import ImportRefused, delivery_import_check, delivery_import_create
    from qualipref.models import Prefecture, Site

    prefecture, _ = Prefecture.objects.get_or_create(
        department_code="974", defaults={"name": "La Réunion", "slug": "la-reunion", "time_zone": "Indian/Reunion"}
    )
    for name in SITES[:2]:
        Site.objects.get_or_create(prefecture=prefecture, name=name)
    DeliveryImport.objects.all().delete()
    started_mb, started = rss_mb(), time.perf_counter()
    outcome = ""
    with open(path, "rb") as fileobj:
        lifted = override_settings(DELAYS_IMPORT_MAX_LINE_BYTES=1 << 40) if mode == "import" else override_settings()
        try:
            with lifted:
                delivery_import = delivery_import_create(
                    prefecture=prefecture,
                    fileobj=fileobj,
                    name=path.name,
                    source=ImportSource.COMMAND,
                    store_file=False,
                )
        except ImportRefused as refused:
            outcome = f"refused at upload: {refused.message[:60]}"
        else:
            if mode == "import":
                started_mb, started = rss_mb(), time.perf_counter()
                delivery_import = delivery_import_check(import_id=delivery_import.pk, fileobj=fileobj)
                outcome = f"{delivery_import.status}: {delivery_import.message[:60]}" + (
                    f" {delivery_import.valid_rows:,} valid rows" if delivery_import.valid_rows else ""
                )
            else:
                outcome = "accepted at upload"
    seconds = time.perf_counter() - started
    print(json.dumps({"before_mb": started_mb, "peak_mb": rss_mb(), "seconds": seconds, "outcome": outcome}))


def measure(path, mode):
    env = {**os.environ, "DATABASE_URL": f"{SERVER}/{DATABASE}", "DEBUG": "false", "REDIS_URL": ""}
    env.setdefault("SECRET_KEY", "bench-only-not-a-secret-" + "x" * 40)
    result = subprocess.run(
        [sys.executable, __file__, "--child", str(path), "--mode", mode],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return json.loads(result.stdout.decode().strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--long-mb", type=int, action="append")
    parser.add_argument("--child", type=Path)
    parser.add_argument("--mode", choices=["upload", "import"])
    args = parser.parse_args()
    if args.child:
        child(args.child, args.mode)
        return
    setup_database()
    summary = []
    worst = 0.0
    with tempfile.TemporaryDirectory() as folder:
        files = []
        for megabytes in args.long_mb or [50, 200]:
            path = Path(folder) / f"ligne-{megabytes}-mo.csv"
            long_line_file(path, megabytes)
            files.append((f"line_{megabytes}mb", path))
        path = Path(folder) / f"livraisons-{args.rows}.csv"
        generate(path, args.rows)
        files.append((f"rows_{args.rows}", path))
        for name, path in files:
            size = path.stat().st_size / MB
            for mode in ("upload", "import"):
                figures = measure(path, mode)
                worst = max(worst, figures["peak_mb"])
                print(
                    f"{path.name} ({size:.0f} MB), {mode} check: {figures['seconds']:.1f} s, "
                    f"peak RSS {figures['peak_mb']:.0f} MB "
                    f"(Django started: {figures['before_mb']:.0f} MB) — {figures['outcome']}",
                    flush=True,
                )
                summary.append(f"{name}_{mode}_peak_mb={figures['peak_mb']:.0f}")
    print(f"SUMMARY delays_long_lines {' '.join(summary)} worker_limit_mb=400")
    sys.exit(0 if worst < 400 * 1000 / 1024 else 1)


if __name__ == "__main__":
    main()
