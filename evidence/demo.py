"""Demo data of the evidence library: La Réunion's procedures, posters, photos and training records attached to its
engagements and sites; the complaints procedure has two versions, the posted delays are lapsing soon (the officers'
reminder is due), a training record has lapsed. Every file goes through the services and the upload checks, as an
officer's would.

Idempotent: once La Réunion has a document, nothing is added.
"""

import datetime
import io

import pikepdf
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image

from engagements.models import Engagement
from qualipref.dates import add_months
from qualipref.models import Prefecture, Site, User

from .enums import DocumentKind
from .models import Document
from .services import document_add_version, document_create

OFFICER = "qualite.974@example.org"


def _pdf(name, pages=1):
    output = io.BytesIO()
    with pikepdf.new() as pdf:
        for _page in range(pages):
            pdf.add_blank_page(page_size=(595, 842))
        pdf.docinfo["/Title"] = name
        pdf.save(output, deterministic_id=True)
    return SimpleUploadedFile(f"{name}.pdf", output.getvalue(), content_type="application/pdf")


def _photo(name, colour):
    output = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(output, "JPEG", quality=85)
    return SimpleUploadedFile(f"{name}.jpg", output.getvalue(), content_type="image/jpeg")


@transaction.atomic
def load_evidence():
    reunion = Prefecture.objects.filter(department_code="974").first()
    if reunion is None:
        return []
    existing = list(Document.objects.for_prefecture(reunion))
    if existing:
        return existing
    officer = User.objects.filter(email=OFFICER).first()
    today = reunion.today()
    engagements = {e.code: e for e in Engagement.objects.active().national()}
    sites = list(Site.objects.filter(prefecture=reunion).order_by("kind", "name"))
    main_site, other_sites = (sites[0], sites[1:]) if sites else (None, [])

    def pick(*codes):
        return [engagements[code] for code in codes if code in engagements]

    procedure = document_create(
        prefecture=reunion,
        title="Procédure de traitement des réclamations et suggestions",
        kind=DocumentKind.PROCEDURE,
        description="Circuit d’une réclamation de sa réception à la réponse, délais et modèles de réponse.",
        engagements=pick("RECLAMATIONS-15J", "COURRIERS-15J", "COURRIELS-5J"),
        valid_until=add_months(today, 10),
        upload=_pdf("procedure-reclamations-2024", pages=3),
        note="Version validée en comité de direction.",
        by=officer,
    )
    document_add_version(
        document=procedure,
        upload=_pdf("procedure-reclamations-2026", pages=4),
        note="Ajout de la relance automatique des courriers à J+10 (action corrective de l’audit).",
        by=officer,
    )
    documents = [procedure]
    documents.append(
        document_create(
            prefecture=reunion,
            title="Affiche des délais moyens de délivrance des titres",
            kind=DocumentKind.POSTER,
            description="Affichée dans le hall d’accueil, mise à jour chaque trimestre.",
            engagements=pick("DELAIS-AFFICHES"),
            sites=[main_site] if main_site else [],
            valid_until=today + datetime.timedelta(days=12),
            upload=_photo("affiche-delais-hall", (0, 0, 145)),
            by=officer,
        )
    )
    documents.append(
        document_create(
            prefecture=reunion,
            title="Signalétique de l’accueil de la sous-préfecture",
            kind=DocumentKind.SIGNAGE,
            description="Photos du fléchage et du panneau des horaires.",
            engagements=pick("ATTENTE-GUICHET"),
            sites=other_sites[:1],
            upload=_photo("signaletique-accueil", (225, 0, 15)),
            by=officer,
        )
    )
    documents.append(
        document_create(
            prefecture=reunion,
            title="Attestations de formation à l’accueil téléphonique",
            kind=DocumentKind.TRAINING,
            description="Session annuelle des agents du standard.",
            engagements=pick("TELEPHONE-5-SONNERIES", "APPELS-PERDUS"),
            valid_until=today - datetime.timedelta(days=20),
            upload=_pdf("attestations-formation-telephone"),
            by=officer,
        )
    )
    return documents
