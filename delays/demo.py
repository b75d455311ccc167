"""Demo delivery data: three years per demo prefecture, with seasons and a backlog that builds and clears.

Goes through the real import path (a generated CSV file). Sized for a quick ``make run``:
a few tens of thousands of records in all; the benchmarks carry the millions.
"""

import datetime
import io
import math
import random

from django.db import transaction

from qualipref import csvfiles
from qualipref.dates import add_months, month_start, months_ending
from qualipref.models import Prefecture

from .enums import ImportSource, PublicationStatus
from .models import DeliveryImport, MonthPublication
from .services import delivery_import_check, delivery_import_create, month_publish

MONTHS = 36
# Title code: (deliveries a month in a mid-sized prefecture, usual mean delay in days)
VOLUMES = {
    "TS-PREMIERE": (55, 85),
    "TS-RENOUVELLEMENT": (80, 55),
    "DCEM": (8, 40),
    "TITRE-VOYAGE": (6, 70),
    "NATURALISATION": (9, 420),
    "NATIONALITE-MARIAGE": (4, 300),
    "PERMIS-ECHANGE": (22, 140),
    "PERMIS-INTERNATIONAL": (18, 35),
    "IMMATRICULATION": (35, 9),
}
SIZE = {"974": 1.0, "94": 1.3, "33": 1.1, "971": 0.5, "57": 0.7}
RESIDENCE = {"TS-PREMIERE", "TS-RENOUVELLEMENT", "DCEM"}


def _backlog(index):
    """A backlog builds from the 14th month to the 22nd, then clears by the 30th: a factor on delays."""
    if index < 14 or index >= 30:
        return 1.0
    return 1.0 + 0.6 * (index - 14) / 8 if index < 22 else 1.6 - 0.6 * (index - 22) / 8


def _seasonal(month, code):
    # Students' residence permits crowd the autumn; summer slows every service down.
    bump = 0.25 * math.cos((month - 10) / 12 * 2 * math.pi) if code in RESIDENCE else 0
    return 1.0 + bump + (0.1 if month in (7, 8) else 0)


def demo_csv(prefecture, *, last_month, seed):
    rng = random.Random(seed)
    sites = list(prefecture.sites.filter(is_active=True).order_by("kind", "name").values_list("name", flat=True))
    weights = [3] + [1] * (len(sites) - 1) if sites else []
    size = SIZE.get(prefecture.department_code, 0.8)
    buffer = io.StringIO()
    writer = csvfiles.writer(buffer)
    writer.writerow(["departement", "code_titre", "site", "date_depot", "date_delivrance"])
    for index, month in enumerate(months_ending(last_month, MONTHS)):
        days = (add_months(month, 1) - month).days
        for code, (volume, mean) in VOLUMES.items():
            count = max(
                1, round(rng.gauss(volume * size, volume * size * 0.1) * (1.1 if month.month in (9, 10) else 1))
            )
            mean_delay = mean * _backlog(index) * _seasonal(month.month, code)
            for _n in range(count):
                delivered = month + datetime.timedelta(days=rng.randrange(days))
                delay = max(0, round(rng.gammavariate(3, mean_delay / 3)))
                filed = delivered - datetime.timedelta(days=delay)
                site = rng.choices(sites, weights)[0] if sites else ""
                # Half the rows in the French date format, as spreadsheets export them.
                fmt = "%d/%m/%Y" if _n % 2 else "%Y-%m-%d"
                writer.writerow([prefecture.department_code, code, site, filed.strftime(fmt), delivered.strftime(fmt)])
    return buffer.getvalue().encode("utf-8")


def load_delays():
    """Import the demo deliveries of every demo prefecture (once) and publish all months but the last."""
    loaded = 0
    for prefecture in Prefecture.objects.order_by("department_code"):
        if DeliveryImport.objects.filter(prefecture=prefecture, source=ImportSource.DEMO).exists():
            continue
        last_month = add_months(month_start(prefecture.today()), -1)
        data = demo_csv(prefecture, last_month=last_month, seed=prefecture.department_code)
        fileobj = io.BytesIO(data)
        name = f"demo-{prefecture.department_code}-{last_month:%Y-%m}.csv"
        delivery_import = delivery_import_create(
            prefecture=prefecture, fileobj=fileobj, name=name, source=ImportSource.DEMO, store_file=False
        )
        delivery_import_check(import_id=delivery_import.pk, fileobj=fileobj)
        with transaction.atomic():
            for publication in MonthPublication.objects.filter(
                prefecture=prefecture, status=PublicationStatus.DRAFT, month__lt=last_month
            ).select_related("prefecture"):
                month_publish(publication=publication, by=None)
        loaded += 1
    return loaded
