"""Demo data of the measures: La Réunion's last complete month of calls and counter tickets, through the real import
path (generated CSV files), and a mystery-shopper visit at each of its first two sites with the whole grid.

Idempotent: the generated files are the same on each run (a seeded generator), so a second run finds them already
imported; a visit is found by prefecture, site, day and channel.
"""

import datetime
import io
import random

from qualipref import csvfiles
from qualipref.dates import add_months, month_start
from qualipref.models import Prefecture

from .enums import Channel, CriterionResult, ImportKind
from .models import MysteryCriterion, MysteryVisit
from .services import already_imported, inspect_upload, measure_import_check, measure_import_create, mystery_visit_save

DEMO_PREFECTURE = "974"


def _working_days(month):
    day = month
    while day.month == month.month:
        if day.weekday() < 5:
            yield day
        day += datetime.timedelta(days=1)


def demo_calls(sites, month, rng):
    buffer = io.StringIO()
    writer = csvfiles.writer(buffer)
    writer.writerow(["date_appel", "site", "duree_sonnerie", "issue"])
    for day in _working_days(month):
        for site, weight in zip(sites, (40, 15, 10, 8), strict=False):
            for _call in range(weight + rng.randint(-5, 5)):
                moment = datetime.datetime.combine(day, datetime.time(8)) + datetime.timedelta(
                    seconds=rng.randint(0, 8 * 3600)
                )
                ring = int(rng.expovariate(1 / 14))
                draw = rng.random()
                outcome = "repondu" if draw < 0.88 else ("perdu" if draw < 0.95 else "abandonne")
                writer.writerow([f"{moment:%Y-%m-%d %H:%M:%S}", site, min(ring, 300), outcome])
    return buffer.getvalue().encode()


def demo_tickets(sites, month, rng):
    buffer = io.StringIO()
    writer = csvfiles.writer(buffer)
    writer.writerow(["site", "ticket", "arrivee", "appel", "fin"])
    for day in _working_days(month):
        for site, weight in zip(sites, (30, 12, 8, 6), strict=False):
            for number in range(weight + rng.randint(-3, 3)):
                arrived = datetime.datetime.combine(day, datetime.time(8, 30)) + datetime.timedelta(
                    seconds=rng.randint(0, 6 * 3600)
                )
                if rng.random() < 0.04:  # left before being called
                    writer.writerow([site, f"{day:%d}-{number}", f"{arrived:%Y-%m-%d %H:%M}", "", ""])
                    continue
                called = arrived + datetime.timedelta(minutes=int(rng.gammavariate(2.2, 7.5)))
                ended = called + datetime.timedelta(minutes=rng.randint(4, 20))
                writer.writerow(
                    [
                        site,
                        f"{day:%d}-{number}",
                        f"{arrived:%Y-%m-%d %H:%M}",
                        f"{called:%Y-%m-%d %H:%M}",
                        f"{ended:%Y-%m-%d %H:%M}",
                    ]
                )
    return buffer.getvalue().encode()


def _import(prefecture, kind, data, name):
    fileobj = io.BytesIO(data)
    if already_imported(prefecture=prefecture, kind=kind, sha256=inspect_upload(fileobj, kind=kind).sha256):
        return
    created = measure_import_create(prefecture=prefecture, kind=kind, fileobj=fileobj, name=name)
    measure_import_check(import_id=created.pk)


def load_measures():
    prefecture = Prefecture.objects.filter(department_code=DEMO_PREFECTURE).first()
    if prefecture is None:
        return
    sites = list(prefecture.sites.filter(is_active=True).order_by("kind", "name"))
    names = [site.name for site in sites[:4]]
    month = add_months(month_start(prefecture.today()), -1)
    rng = random.Random(f"qualipref-measures-{month:%Y-%m}")
    _import(prefecture, ImportKind.CALLS, demo_calls(names, month, rng), f"appels-{month:%Y-%m}.csv")
    _import(prefecture, ImportKind.TICKETS, demo_tickets(names, month, rng), f"tickets-{month:%Y-%m}.csv")
    criteria = list(MysteryCriterion.objects.filter(is_active=True).order_by("position"))
    for site, channel, day in ((sites[0], Channel.COUNTER, 12), (sites[1], Channel.PHONE, 19))[: len(sites)]:
        visited_on = month.replace(day=day)
        if MysteryVisit.objects.filter(
            prefecture=prefecture, site=site, visited_on=visited_on, channel=channel
        ).exists():
            continue
        results = {}
        for criterion in criteria:
            if criterion.channel and criterion.channel != channel:
                results[criterion] = (CriterionResult.NOT_APPLICABLE, "")
            else:
                met = rng.random() < 0.8
                results[criterion] = (CriterionResult.MET if met else CriterionResult.NOT_MET, "")
        visit = MysteryVisit(
            prefecture=prefecture,
            site=site,
            visited_on=visited_on,
            channel=channel,
            provider="Cabinet Baromètre Qualité (démonstration)",
            note="Données de démonstration.",
        )
        mystery_visit_save(visit=visit, results=results, by=None)
