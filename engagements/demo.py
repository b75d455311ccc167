"""Demo data of the engagements: twelve months of manual measures (with a PDF as evidence) for every demo
prefecture, La Réunion's local engagement and stricter target, then two years of monthly figures (the prefecture's
and each site's) computed from the other apps' demo data.

Idempotent: a measure is found by prefecture × engagement × month; figures are recomputed in place.
"""

import random
from decimal import Decimal

from django.core.files.base import ContentFile

from qualipref.dates import add_months, month_start
from qualipref.models import Prefecture

from .enums import ENTERED_SOURCES, Comparator, Source, Unit
from .models import Engagement, LocalTarget, ManualMeasure
from .services import engagement_version_add, local_engagement_save, local_target_add, monthly_indicators_refresh

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


LOCAL_PREFECTURE = "974"
LOCAL_CODE = "974-RECLAMATIONS-10J"
STRICTER_CODE = "SATISFACTION-USAGERS"


def load_local_engagements(prefecture):
    """La Réunion's own engagement (complaints answered within 10 working days) and a stricter target for the
    national satisfaction engagement, both in force from two years ago. Idempotent."""
    start = add_months(month_start(prefecture.today()), -COMPUTED_MONTHS)
    own = Engagement.objects.filter(code=LOCAL_CODE).first() or local_engagement_save(
        engagement=Engagement(
            code=LOCAL_CODE,
            prefecture=prefecture,
            label=prefecture.label if prefecture.label != "none" else "qualipref",
            source=Source.CASES_WITHIN_DAYS,
            position=95,
        )
    )
    if not own.versions.exists():
        engagement_version_add(
            engagement=own,
            valid_from=start,
            wording="Nous répondons à vos réclamations en 10 jours ouvrés au plus, pour au moins 70 % d’entre elles.",
            measurement=(
                "Engagement local de la préfecture de La Réunion : part des réclamations traitées auxquelles une "
                "réponse a été apportée en 10 jours ouvrés au plus, suspensions déduites."
            ),
            wording_en="We answer at least 70% of your complaints within 10 working days.",
            target_value=Decimal(70),
            comparator=Comparator.AT_LEAST,
            unit=Unit.PERCENT,
            deadline_working_days=10,
        )
    national = Engagement.objects.national().filter(code=STRICTER_CODE).first()
    if national and not LocalTarget.objects.filter(prefecture=prefecture, engagement=national).exists():
        in_force = national.versions.filter(valid_from__lte=start).order_by("-valid_from").first()
        if in_force:
            step = Decimal(5) if in_force.comparator == Comparator.AT_LEAST else Decimal(-1)
            local_target_add(
                prefecture=prefecture,
                engagement=national,
                valid_from=start,
                target_value=min(in_force.target_value + step, Decimal(99)),
                reason="Objectif fixé par le comité des usagers de La Réunion (démonstration).",
            )


def load_engagements():
    manual = list(Engagement.objects.active().filter(source__in=ENTERED_SOURCES))
    for prefecture in Prefecture.objects.order_by("department_code"):
        if prefecture.department_code == LOCAL_PREFECTURE:
            load_local_engagements(prefecture)
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
