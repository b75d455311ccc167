"""The core's demo data: realistic prefectures, sites and services, and one account per role.

Loaded first by ``load_demo`` (``demo/registry.py``, which lists every app's loader); the apps' demos
read ``PREFECTURES`` and ``ACCOUNTS`` from here. Every loader is idempotent.
"""

import datetime

from django.db import transaction

from qualipref.apiclients import fingerprint
from qualipref.enums import Label, Role, SiteKind
from qualipref.models import ApiClient, Prefecture, Service, Site
from qualipref.services import membership_grant, prefecture_refresh_next_audit, user_ensure

DEMO_PASSWORD = "demo-qualipref"
# The demo's Open311 app and its key (``complaints/open311.py``): known, as the demo accounts' password is.
DEMO_API_CLIENT = "Application de démonstration"
DEMO_API_KEY = "demo-open311-qualipref"

PREFECTURES = [
    {
        "department_code": "974",
        "name": "La Réunion",
        "slug": "la-reunion",
        "time_zone": "Indian/Reunion",
        "holiday_subdivision": "974",
        "label": Label.QUALIPREF,
        "label_awarded_on": datetime.date(2012, 7, 1),
        "certifying_body": "AFNOR Certification",
        "address": "Place du Barachois\n97405 Saint-Denis Cedex",
        "contact_email": "courrier@reunion.pref.gouv.fr",
        "contact_phone": "0262 40 77 77",
        "website": "https://www.reunion.gouv.fr",
        "mediator": (
            "Médiateur de la préfecture de La Réunion\nPlace du Barachois, 97405 Saint-Denis Cedex\n"
            "mediateur@reunion.pref.gouv.fr"
        ),
        "sites": [
            (
                SiteKind.PREFECTURE,
                "Préfecture de Saint-Denis",
                "Place du Barachois\n97405 Saint-Denis Cedex",
                "Du lundi au vendredi de 8 h à 12 h",
            ),
            (
                SiteKind.SUB_PREFECTURE,
                "Sous-préfecture de Saint-Pierre",
                "1 rue Victor Le Vigoureux\n97410 Saint-Pierre",
                "Du lundi au vendredi de 8 h à 12 h",
            ),
            (
                SiteKind.SUB_PREFECTURE,
                "Sous-préfecture de Saint-Benoît",
                "66 rue Georges Pompidou\n97470 Saint-Benoît",
                "Du lundi au vendredi de 8 h à 12 h",
            ),
            (
                SiteKind.SUB_PREFECTURE,
                "Sous-préfecture de Saint-Paul",
                "4 rue Évariste de Parny\n97460 Saint-Paul",
                "Du lundi au vendredi de 8 h à 12 h",
            ),
        ],
    },
    {
        "department_code": "94",
        "name": "Val-de-Marne",
        "slug": "val-de-marne",
        "time_zone": "Europe/Paris",
        "holiday_subdivision": "",
        "label": Label.QUALIPREF,
        "label_awarded_on": datetime.date(2013, 6, 15),
        "certifying_body": "AFNOR Certification",
        "address": "21-29 avenue du Général de Gaulle\n94038 Créteil Cedex",
        "contact_email": "contact@val-de-marne.gouv.fr",
        "contact_phone": "01 49 56 60 00",
        "website": "https://www.val-de-marne.gouv.fr",
        "sites": [
            (
                SiteKind.PREFECTURE,
                "Préfecture de Créteil",
                "21-29 avenue du Général de Gaulle\n94038 Créteil Cedex",
                "Du lundi au vendredi de 9 h à 16 h",
            ),
            (
                SiteKind.SUB_PREFECTURE,
                "Sous-préfecture de Nogent-sur-Marne",
                "4 avenue de Lattre de Tassigny\n94736 Nogent-sur-Marne",
                "Du lundi au vendredi de 9 h à 16 h",
            ),
            (
                SiteKind.SUB_PREFECTURE,
                "Sous-préfecture de L’Haÿ-les-Roses",
                "2 avenue Larroumès\n94246 L’Haÿ-les-Roses",
                "Du lundi au vendredi de 9 h à 16 h",
            ),
        ],
    },
    {
        "department_code": "33",
        "name": "Gironde",
        "slug": "gironde",
        "time_zone": "Europe/Paris",
        "holiday_subdivision": "",
        "label": Label.MARIANNE,
        "label_awarded_on": datetime.date(2025, 3, 10),
        "certifying_body": "Bureau Veritas Certification",
        "address": "2 esplanade Charles de Gaulle\n33077 Bordeaux Cedex",
        "contact_email": "contact@gironde.gouv.fr",
        "contact_phone": "05 56 90 60 60",
        "website": "https://www.gironde.gouv.fr",
        "sites": [
            (
                SiteKind.PREFECTURE,
                "Préfecture de Bordeaux",
                "2 esplanade Charles de Gaulle\n33077 Bordeaux Cedex",
                "Du lundi au vendredi de 8 h 45 à 16 h",
            ),
            (
                SiteKind.SUB_PREFECTURE,
                "Sous-préfecture d’Arcachon",
                "Rue du Maréchal Leclerc\n33120 Arcachon",
                "Du lundi au vendredi de 9 h à 12 h",
            ),
            (
                SiteKind.SUB_PREFECTURE,
                "Sous-préfecture de Libourne",
                "31 rue Thiers\n33500 Libourne",
                "Du lundi au vendredi de 9 h à 12 h",
            ),
        ],
    },
    {
        "department_code": "971",
        "name": "Guadeloupe",
        "slug": "guadeloupe",
        "time_zone": "America/Guadeloupe",
        "holiday_subdivision": "971",
        "label": Label.QUALIPREF,
        "label_awarded_on": datetime.date(2014, 11, 20),
        "certifying_body": "AFNOR Certification",
        "address": "Rue Lardenoy\n97109 Basse-Terre Cedex",
        "contact_email": "contact@guadeloupe.pref.gouv.fr",
        "contact_phone": "0590 99 39 00",
        "website": "https://www.guadeloupe.gouv.fr",
        "sites": [
            (
                SiteKind.PREFECTURE,
                "Préfecture de Basse-Terre",
                "Rue Lardenoy\n97109 Basse-Terre Cedex",
                "Du lundi au vendredi de 7 h 30 à 12 h",
            ),
            (
                SiteKind.SUB_PREFECTURE,
                "Sous-préfecture de Pointe-à-Pitre",
                "Rue Gambetta\n97110 Pointe-à-Pitre",
                "Du lundi au vendredi de 7 h 30 à 12 h",
            ),
        ],
    },
    {
        "department_code": "57",
        "name": "Moselle",
        "slug": "moselle",
        "time_zone": "Europe/Paris",
        "holiday_subdivision": "57",
        "label": Label.NONE,
        "label_awarded_on": None,
        "certifying_body": "",
        "address": "9 place de la Préfecture\n57034 Metz Cedex 1",
        "contact_email": "contact@moselle.gouv.fr",
        "contact_phone": "03 87 34 87 34",
        "website": "https://www.moselle.gouv.fr",
        "sites": [
            (
                SiteKind.PREFECTURE,
                "Préfecture de Metz",
                "9 place de la Préfecture\n57034 Metz Cedex 1",
                "Du lundi au vendredi de 8 h 30 à 12 h",
            ),
        ],
    },
]

SERVICES = [
    ("Accueil général", "accueil"),
    ("Titres de séjour", "etrangers"),
    ("Naturalisations", "naturalisation"),
    ("Permis de conduire", "permis"),
    ("Certificats d’immatriculation", "immatriculation"),
]


def _email_domain(prefecture):
    return f"{prefecture.slug}.example.org"


@transaction.atomic
def load_prefectures():
    prefectures = []
    for data in PREFECTURES:
        data = dict(data)
        sites = data.pop("sites")
        prefecture, _ = Prefecture.objects.update_or_create(department_code=data.pop("department_code"), defaults=data)
        for kind, name, address, hours in sites:
            Site.objects.update_or_create(
                prefecture=prefecture, name=name, defaults={"kind": kind, "address": address, "opening_hours": hours}
            )
        for name, mailbox in SERVICES:
            Service.objects.update_or_create(
                prefecture=prefecture,
                name=name,
                defaults={"email": f"{mailbox}@{_email_domain(prefecture)}", "phone": prefecture.contact_phone},
            )
        prefecture_refresh_next_audit(prefecture_id=prefecture.pk)
        prefectures.append(prefecture)
    return prefectures


# (e-mail, first name, last name, role, department code or None, service name or None)
ACCOUNTS = [
    ("coordination@example.org", "Claire", "Martin", Role.NATIONAL_COORDINATOR, None, None),
    ("qualite.974@example.org", "Nadia", "Payet", Role.QUALITY_OFFICER, "974", None),
    ("agent.sejour.974@example.org", "Julien", "Hoarau", Role.SERVICE_AGENT, "974", "Titres de séjour"),
    ("comite.974@example.org", "Marie-Thérèse", "Grondin", Role.COMMITTEE_MEMBER, "974", None),
    ("auditeur@example.org", "Philippe", "Lebon", Role.AUDITOR, "974", None),
    ("qualite.94@example.org", "Sophie", "Bernard", Role.QUALITY_OFFICER, "94", None),
    ("qualite.33@example.org", "Thomas", "Dubois", Role.QUALITY_OFFICER, "33", None),
    ("qualite.971@example.org", "Josette", "Lubin", Role.QUALITY_OFFICER, "971", None),
]


@transaction.atomic
def load_accounts():
    accounts = []
    for email, first_name, last_name, role, department, service_name in ACCOUNTS:
        user = user_ensure(email=email, password=DEMO_PASSWORD, first_name=first_name, last_name=last_name)
        prefecture = Prefecture.objects.get(department_code=department) if department else None
        service = Service.objects.get(prefecture=prefecture, name=service_name) if service_name else None
        membership_grant(user=user, role=role, prefecture=prefecture, service=service)
        accounts.append((email, role, prefecture))
    return accounts


def load_api_client():
    """An app that may file cases with every demo prefecture through the Open311 API, with ``DEMO_API_KEY``."""
    client, _created = ApiClient.objects.update_or_create(
        name=DEMO_API_CLIENT,
        defaults={
            "contact_email": "demo-api@example.org",
            "key_fingerprint": fingerprint(DEMO_API_KEY),
            "key_hint": DEMO_API_KEY[:6],
            "is_active": True,
        },
    )
    client.prefectures.set(Prefecture.objects.all())
