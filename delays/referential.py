"""The title types prefectures deliver, seeded by a migration (the national coordinator edits them after)."""

# (code, French label, category, position)
TITLE_TYPES = [
    ("TS-PREMIERE", "Titre de séjour – première demande", "residence", 10),
    ("TS-RENOUVELLEMENT", "Titre de séjour – renouvellement", "residence", 20),
    ("DCEM", "Document de circulation pour étranger mineur", "residence", 30),
    ("TITRE-VOYAGE", "Titre de voyage (réfugié, apatride, protection subsidiaire)", "travel", 40),
    ("NATURALISATION", "Naturalisation par décret", "nationality", 50),
    ("NATIONALITE-MARIAGE", "Déclaration de nationalité par mariage", "nationality", 60),
    ("PERMIS-ECHANGE", "Échange de permis de conduire étranger", "driving_licence", 70),
    ("PERMIS-INTERNATIONAL", "Permis de conduire international", "driving_licence", 80),
    ("IMMATRICULATION", "Certificat d’immatriculation d’un véhicule", "vehicle", 90),
]

# English labels, shown on the pages under /en/ (migration delays/0007 fills them).
TITLE_TYPES_EN = {
    "TS-PREMIERE": "Residence permit – first application",
    "TS-RENOUVELLEMENT": "Residence permit – renewal",
    "DCEM": "Travel document for a foreign minor",
    "TITRE-VOYAGE": "Travel document (refugee, stateless person, subsidiary protection)",
    "NATURALISATION": "Naturalisation by decree",
    "NATIONALITE-MARIAGE": "Declaration of nationality by marriage",
    "PERMIS-ECHANGE": "Exchange of a foreign driving licence",
    "PERMIS-INTERNATIONAL": "International driving permit",
    "IMMATRICULATION": "Vehicle registration certificate",
}


def seed_title_types(TitleType):  # noqa: N803  (the historical model, passed by the migration)
    for code, label, category, position in TITLE_TYPES:
        TitleType.objects.update_or_create(
            code=code, defaults={"label": label, "category": category, "position": position}
        )
