"""How long the lost-link form takes to answer when the reference and the address match a case, and when they do
not (issue 14, finding 10: 13.6 ms against 8.8 ms median before the lookup moved into a Celery task).

The view is driven through Django's test client (middleware, form, templates: all but the network) on PostgreSQL,
the two kinds of request alternating round after round so that a shared machine's load weighs on both alike. The
Celery task is sent to an in-memory broker nobody reads, as a worker would only read it after the answer.

    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/qualipref_bench \\
        .venv/bin/python bench/lost_link_timing.py

Its database is its own, created and dropped: ``test_<name>`` of DATABASE_URL (a name containing "bench").
Runs in about a minute.
"""

import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qualipref_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["REDIS_URL"] = ""  # a memory cache and broker: nothing of the developer's Redis is touched
if "bench" not in urlsplit(os.environ["DATABASE_URL"]).path:
    parts = urlsplit(os.environ["DATABASE_URL"])
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"{parts.path}_bench"))

ROUNDS = 300


def main():
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from complaints.services import case_submit
    from config.celery import app
    from tests.qualipref.factories import PrefectureFactory

    if connection.vendor != "postgresql":
        sys.exit("This benchmark measures PostgreSQL: set DATABASE_URL to a postgres:// address.")
    setup_test_environment()
    settings.RATELIMIT_ENABLE = False
    app.conf.update(task_always_eager=False, broker_url="memory://localhost/")
    own_name = settings.DATABASES["default"]["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        prefecture = PrefectureFactory(reunion=True)
        data = {"kind": "complaint", "topic": "counter", "subject": "Attente", "description": "Trois heures."}
        case, _token = case_submit(prefecture=prefecture, data={**data, "name": "M. H.", "email": "m@example.org"})
        url = f"/{prefecture.slug}/reclamations/lien-perdu/"
        kinds = {
            "match": {"reference": case.reference, "email": case.email},
            "no match": {"reference": case.reference, "email": "intrus@example.org"},
        }
        client = Client()
        times = {kind: [] for kind in kinds}
        for round_ in range(ROUNDS + 20):
            for kind, form in kinds.items():
                started = time.perf_counter()
                response = client.post(url, form)
                elapsed = time.perf_counter() - started
                assert response.status_code == 200, response.status_code
                if round_ >= 20:  # warm-up rounds left out
                    times[kind].append(elapsed * 1000)
        medians = {kind: statistics.median(values) for kind, values in times.items()}
        for kind, values in times.items():
            p90 = statistics.quantiles(values, n=10)[-1]
            print(f"{kind:>9}: median {medians[kind]:.2f} ms, p90 {p90:.2f} ms ({len(values)} requests)")
        difference = medians["match"] - medians["no match"]
        print(f"difference of the medians: {difference:+.2f} ms")
        print(
            f"SUMMARY lost_link_timing match_ms={medians['match']:.2f} no_match_ms={medians['no match']:.2f} "
            f"difference_ms={difference:+.2f}"
        )
    finally:
        connection.creation.destroy_test_db(own_name, verbosity=0)


if __name__ == "__main__":
    main()
