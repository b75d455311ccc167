"""Demo data of the engagements: twelve months of manual measures (with a PDF as evidence) for every demo
prefecture, then two years of monthly figures computed from the other apps' demo data.

Idempotent: a measure is found by prefecture × engagement × month; figures are recomputed in place.
"""

import random

from django.core.files.base import ContentFile

from qualipref.dates import add_months, month_start
from qualipref.models import Prefecture

from .enums import ENTERED_SOURCES
from .models import Engagement, ManualMeasure
from .services import monthly_indicators_refresh

MEASURED_MONTHS = 12
COMPUTED_MONTHS = 24
EVIDENCE = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _measure(engagement, rng):
    """Plausible figures: ``(numerator, denominator, value)``."""
    if engagement.code == "TELEPHONE-5-SONNERIES":
        calls = 40
        return rng.randint(33, 40), calls, None
    if engagement.code == "APPELS-PERDUS":
        calls = rng.randint(3000, 5000)
        return round(calls * rng.uniform(0.05, 0.13)), calls, None
    if engagement.code == "ATTENTE-GUICHET":
        return None, None, rng.randint(12, 28)
    return None, None, round(rng.uniform(6.4, 9.2), 1)


def load_engagements():
    manual = list(Engagement.objects.active().filter(source__in=ENTERED_SOURCES))
    for prefecture in Prefecture.objects.order_by("department_code"):
        rng = random.Random(f"qualipref-engagements-{prefecture.department_code}")
        current = month_start(prefecture.today())
        for i in range(MEASURED_MONTHS, 0, -1):
            month = add_months(current, -i)
            for engagement in manual:
                numerator, denominator, value = _measure(engagement, rng)
                if ManualMeasure.objects.filter(prefecture=prefecture, engagement=engagement, month=month).exists():
                    continue
                measure = ManualMeasure(
                    prefecture=prefecture,
                    engagement=engagement,
                    month=month,
                    numerator=numerator,
                    denominator=denominator,
                    value=value,
                    evidence_name=f"{engagement.code.lower()}-{month:%Y-%m}.pdf",
                    evidence_sha256="",
                    note="Données de démonstration.",
                )
                measure.evidence.save(measure.evidence_name, ContentFile(EVIDENCE), save=False)
                measure.save()
        months = [add_months(current, -i) for i in range(COMPUTED_MONTHS, -1, -1)]
        monthly_indicators_refresh(prefecture=prefecture, months=months)
