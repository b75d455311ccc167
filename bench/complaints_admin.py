"""The officers' case list with 20 cases and with 200,000 cases in the prefecture, on PostgreSQL.

Two databases of the same schema hold the same prefecture (La Réunion) and officer: one with 20
cases, one with 200,000. Requests to the two alternate, round after round, so that the load of a
shared machine weighs on both sizes alike. For each scenario it prints the number of SQL queries,
the median time of a request through Django's test client (middleware, admin, templates: all but
the network), the ratio between the sizes, and the medians of the Django process's CPU time and of
the time spent waiting for PostgreSQL. A bare Django view listing the same 100 cases (a page of the list) is measured
alongside, as the floor of what any page costs.

The peer, django-helpdesk 2.6.1, is measured in the same run when a checkout of its harness is found
(``QUALIPREF_PEER_HELPDESK``, see ``peer_helpdesk.py``): its Django admin changelist of 200,000 tickets, 100 rows a
page, through the test client in a process of its own environment, in rounds alternating with ours (the peer's, then
ours, ROUNDS times). It prints the ratio of the medians, the peer's time over ours (aim: at least 5), and both
pages' queries.

    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/qualipref_bench \\
        .venv/bin/python bench/complaints_admin.py

The databases are its own, dropped and created again: the one named in DATABASE_URL if its name
contains "bench" (else that name followed by "_bench", on the same server), and the same name
followed by "_small". Add --keep to leave them in place afterwards. Runs in about a minute and a half.
The peer's database (``peer_helpdesk``) is seeded only when missing, and kept.
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

import environ  # noqa: E402
import peer_helpdesk  # noqa: E402
import psycopg2  # noqa: E402
from psycopg2 import sql  # noqa: E402

TOTAL = 200_000
SMALL = 20
REPEAT = 24  # requests per scenario and size, in ROUNDS rounds
ROUNDS = 3
PEER_REQUESTS = 10  # the peer's changelist requests per round (after 3 of warm-up), as its harness's N
KEEP = "--keep" in sys.argv


def bench_database_names():
    config = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    if "postgresql" not in config["ENGINE"]:
        sys.exit("This benchmark measures PostgreSQL: set DATABASE_URL to a postgres:// address.")
    name = config["NAME"]
    if "bench" not in name:
        # Never the developer's own database: these are dropped.
        name = f"{name}_bench"
        os.environ["DATABASE_URL"] = urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}"))
    return config, name, f"{name}_small"


def recreate_databases(config, names):
    server = psycopg2.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
    )
    server.autocommit = True
    with server.cursor() as cursor:
        for name in names:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return server


def drop_databases(server, names):
    with server.cursor() as cursor:
        for name in names:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


CONFIG, BIG_NAME, SMALL_NAME = bench_database_names()
SERVER = recreate_databases(CONFIG, [BIG_NAME, SMALL_NAME])

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

# The second database, before any connection opens.
settings.DATABASES["small"] = {**settings.DATABASES["default"], "NAME": SMALL_NAME}

from django.contrib import admin  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.template import engines  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import path  # noqa: E402

from complaints.models import Case, CaseSequence  # noqa: E402
from qualipref.enums import Role  # noqa: E402
from qualipref.models import Membership, Prefecture, Service, Site, User  # noqa: E402

SIZES = {"small": SMALL, "default": TOTAL}  # database alias: number of cases


class BenchRouter:
    """Every read and write of the moment goes to one database: the size being measured."""

    alias = "default"

    def db_for_read(self, model, **hints):
        return BenchRouter.alias

    def db_for_write(self, model, **hints):
        return BenchRouter.alias

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, **hints):
        return True


# --- a bare Django view, as the floor: the same 100 cases, a five-line template --------------------------------

BARE_TEMPLATE = engines["django"].from_string(
    "<table>{% for case in cases %}<tr><td>{{ case.reference }}</td><td>{{ case.get_status_display }}</td>"
    "<td>{{ case.subject }}</td><td>{{ case.service }}</td><td>{{ case.due_on }}</td></tr>{% endfor %}</table>"
)


def bare_view(request):
    cases = Case.objects.for_user(request.user).select_related("service", "site", "assignee")[:100]
    return HttpResponse(BARE_TEMPLATE.render({"cases": cases}, request))


urlpatterns = [path("admin/", admin.site.urls), path("bare/", bare_view)]

# --- data ----------------------------------------------------------------------------------------------------

INSERT_CASES = """
INSERT INTO complaints_case (
    prefecture_id, reference, kind, channel, topic_id, service_id, site_id, subject, description,
    name, email, phone, consent_at, status, assignee_id, received_on, due_on, paused_working_days,
    created_at, rejection_reason, public_reply, rating_comment
)
SELECT
    %(prefecture)s,
    '974-' || extract(year FROM d.received)::int || '-' || lpad(n::text, 6, '0'),
    CASE WHEN n %% 10 = 0 THEN 'suggestion' ELSE 'complaint' END,
    (ARRAY['online', 'letter', 'email', 'phone', 'counter'])[1 + n %% 5],
    (%(topics)s::bigint[])[1 + n %% 8],
    (%(services)s::bigint[])[1 + n %% 5],
    (%(sites)s::bigint[])[1 + n %% 3],
    'Demande numéro ' || n,
    'Description de la demande numéro ' || n || ', telle que le citoyen l''a écrite.',
    'Citoyen ' || n,
    'citoyen' || n || '@example.org',
    '',
    d.received + time '09:00',
    CASE WHEN n %% 10 = 0
        THEN (ARRAY['received', 'under_review', 'forwarded_to_committee', 'accepted', 'declined'])[1 + (n / 10) %% 5]
        ELSE (ARRAY['new', 'acknowledged', 'in_progress', 'waiting_citizen', 'answered', 'closed', 'closed',
                    'closed', 'rejected'])[1 + n %% 9]
    END,
    CASE WHEN n %% 7 = 0 THEN %(officer)s END,
    d.received,
    d.received + 21,
    0,
    d.received + time '09:00' + make_interval(secs => n %% 36000),
    '', '', ''
FROM generate_series(1, %(count)s) AS n
CROSS JOIN LATERAL (SELECT date '2025-01-01' + (n %% 690) AS received) AS d
"""


def populate(alias):
    """The prefecture, its services and sites, an officer, and ``SIZES[alias]`` cases; returns a logged-in client."""
    BenchRouter.alias = alias
    call_command("migrate", database=alias, verbosity=0)
    reunion = Prefecture.objects.create(
        department_code="974",
        name="La Réunion",
        slug="la-reunion",
        time_zone="Indian/Reunion",
        holiday_subdivision="974",
    )
    services = [Service.objects.create(prefecture=reunion, name=f"Service {i}") for i in range(5)]
    sites = [Site.objects.create(prefecture=reunion, name=f"Site {i}") for i in range(3)]
    officer = User.objects.create_user(email="qualite.974@example.org", password=None, is_staff=True)
    Membership.objects.create(user=officer, prefecture=reunion, role=Role.QUALITY_OFFICER)
    for year in (2025, 2026):
        CaseSequence.objects.create(prefecture=reunion, year=year, last_number=SIZES[alias])
    started = time.perf_counter()
    with connections[alias].cursor() as cursor:
        cursor.execute(
            INSERT_CASES,
            {
                "prefecture": reunion.pk,
                "services": [s.pk for s in services],
                "topics": list(reunion.topics.order_by("position").values_list("pk", flat=True)),
                "sites": [s.pk for s in sites],
                "officer": officer.pk,
                "count": SIZES[alias],
            },
        )
        # What autovacuum does in production after a bulk load: statistics and the visibility map.
        cursor.execute("VACUUM ANALYZE complaints_case")
    load_seconds = time.perf_counter() - started
    assert Case.objects.filter(prefecture=reunion).count() == SIZES[alias]
    client = Client()
    client.force_login(officer)
    return client, load_seconds


# --- measures ------------------------------------------------------------------------------------------------

SCENARIOS = [
    ("case list", "/admin/complaints/case/", {}),
    ("overdue filter", "/admin/complaints/case/", {"overdue": "yes"}),
    ("assigned to me", "/admin/complaints/case/", {"assigned": "me"}),
    ("search a reference", "/admin/complaints/case/", {"q": "974-2025-000017"}),
    ("search an e-mail", "/admin/complaints/case/", {"q": "citoyen17@example.org"}),
    ("page 3", "/admin/complaints/case/", {"p": "3"}),
    ("bare Django view", "/bare/", {}),
]


class SqlTimer:
    """Counts the queries of a request and the time spent waiting for PostgreSQL."""

    def __init__(self):
        self.count, self.seconds = 0, 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


def request_once(alias, client, address, params):
    BenchRouter.alias = alias
    timer = SqlTimer()
    wall, cpu = time.perf_counter(), time.process_time()
    with connections[alias].execute_wrapper(timer):
        response = client.get(address, params)
    assert response.status_code == 200, (alias, address, params, response.status_code)
    return timer.count, (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000, timer.seconds * 1000


def measure(clients, peer=None):
    """Median figures per database and scenario, the two sizes alternating request by request; the peer's admin
    changelist measured before each of the ROUNDS rounds."""
    for alias, client in clients.items():  # warm caches: permissions, templates, PostgreSQL's buffers
        for _name, address, params in SCENARIOS:
            for _ in range(3):
                request_once(alias, client, address, params)
    samples = {(alias, name): [] for alias in clients for name, _address, _params in SCENARIOS}
    peer_samples = []
    for _round in range(ROUNDS):
        if peer is not None:
            peer_samples += peer.admin_list(PEER_REQUESTS)
        for _ in range(REPEAT // ROUNDS):
            for name, address, params in SCENARIOS:
                for alias, client in clients.items():
                    samples[alias, name].append(request_once(alias, client, address, params))
    figures = {
        key: {
            "queries": max(sample[0] for sample in rows),
            "ms": statistics.median(sample[1] for sample in rows),
            "cpu": statistics.median(sample[2] for sample in rows),
            "sql": statistics.median(sample[3] for sample in rows),
        }
        for key, rows in samples.items()
    }
    if peer_samples:
        figures["peer"] = {
            "ms": statistics.median(ms for ms, _queries, _rows in peer_samples),
            "min": min(ms for ms, _queries, _rows in peer_samples),
            "max": max(ms for ms, _queries, _rows in peer_samples),
            "queries": max(queries for _ms, queries, _rows in peer_samples),
            "rows": max(rows for _ms, _queries, rows in peer_samples),
            "requests": len(peer_samples),
        }
    return figures


def rows_shown(client):
    """The number of rows on the first page of the 200,000-case list (checkboxes of the action form)."""
    BenchRouter.alias = "default"
    return client.get("/admin/complaints/case/").content.count(b'name="_selected_action"')


def main():
    started = time.perf_counter()
    peer = peer_helpdesk.find()
    if peer is not None:
        print(f"Peer: {peer_helpdesk.NAME} ({peer.path}); ready in {peer.prepare():.0f} s")
    # No setup_test_environment(): its template instrumentation (a signal and a context copy per
    # template rendered) would weigh on the admin's per-row rendering and not on a real server.
    with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"], DATABASE_ROUTERS=[BenchRouter()]):
        clients, load_seconds = {}, {}
        for alias in SIZES:
            clients[alias], load_seconds[alias] = populate(alias)
        figures = measure(clients, peer)
        rows = rows_shown(clients["default"])

    print(f"\nPostgreSQL {connections['default'].pg_version // 10000}: La Réunion with {SMALL} cases ({SMALL_NAME})")
    print(f"and with {TOTAL:,} cases ({BIG_NAME}; bulk insert and VACUUM ANALYZE: {load_seconds['default']:.1f} s)\n")
    line = "{:<20} {:>11} {:>15} {:>6} {:>15} {:>13}"
    sizes = f"{SMALL} / 200k"
    print(line.format("", "queries", "median ms", "ratio", "Django CPU ms", "SQL ms"))
    print(line.format("scenario", sizes, sizes, "", sizes, sizes))
    print("-" * 85)
    for name, *_rest in SCENARIOS:
        a, b = figures["small", name], figures["default", name]
        print(
            f"{name:<20} {a['queries']:>5} / {b['queries']:<3} {a['ms']:>6.1f} / {b['ms']:<6.1f} "
            f"{b['ms'] / a['ms']:>5.2f}× {a['cpu']:>6.1f} / {b['cpu']:<6.1f} {a['sql']:>5.1f} / {b['sql']:<5.1f}"
        )
    a, b = figures["small", "case list"], figures["default", "case list"]
    print(
        f"\nCase list: {b['queries']} queries with 200,000 cases ({a['queries']} with {SMALL}); "
        f"median {b['ms']:.1f} ms against {a['ms']:.1f} ms: ratio {b['ms'] / a['ms']:.2f}× (aim ≤ 2×)."
    )
    print(
        f"The page shows {SMALL} rows in the first case and 100 in the second: most of the difference is "
        "rendering rows, not the table's size."
    )
    peer_figures = "peer=not_measured"
    if "peer" in figures:
        p = figures["peer"]
        ratio = p["ms"] / b["ms"]
        print(
            f"\nPeer, {peer_helpdesk.NAME}: its Django admin changelist of {peer_helpdesk.TICKETS:,} tickets, "
            f"{p['rows']} rows: median {p['ms']:.1f} ms ({p['min']:.0f}–{p['max']:.0f}, {p['requests']} requests "
            f"in {ROUNDS} rounds between ours), {p['queries']} queries."
        )
        print(
            f"Ours, 200,000 cases, {rows} rows: median {b['ms']:.1f} ms, {b['queries']} queries. "
            f"Ratio peer / ours: {ratio:.1f}× (aim ≥ 5×; queries aim ≤ 12)."
        )
        peer_figures = (
            f"peer_changelist_ms={p['ms']:.1f} peer_changelist_queries={p['queries']} peer_rows={p['rows']} "
            f"rows={rows} peer_ratio={ratio:.1f}"
        )
    else:
        print(f"\n{peer_helpdesk.NOT_FOUND}")
    print(f"Total run time: {time.perf_counter() - started:.0f} s")
    print(
        "SUMMARY complaints_admin "
        f"case_list_queries={b['queries']} case_list_small_ms={a['ms']:.1f} "
        f"case_list_ratio={b['ms'] / a['ms']:.2f} "
        + " ".join(f"{name.replace(' ', '_')}_ms={figures['default', name]['ms']:.1f}" for name, *_rest in SCENARIOS)
        + f" {peer_figures}"
    )


if __name__ == "__main__":
    try:
        main()
    finally:
        connections.close_all()
        if not KEEP:
            drop_databases(SERVER, [BIG_NAME, SMALL_NAME])
        SERVER.close()
