"""Documents of the evidence library, made through the services as an officer's upload would be."""

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from evidence.enums import DocumentKind
from evidence.models import Document
from evidence.services import document_add_version, document_create
from tests.qualipref.factories import PrefectureFactory
from tests.samples import PDF_BYTES, PNG_BYTES


def pdf(name="procedure.pdf", data=PDF_BYTES):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def png(name="affiche.png"):
    return SimpleUploadedFile(name, PNG_BYTES, content_type="image/png")


def document(prefecture, *, title="Procédure de traitement des réclamations", kind=DocumentKind.PROCEDURE, **fields):
    """A document of ``prefecture`` with its version 1 (a one-page PDF unless ``upload`` is given)."""
    fields.setdefault("upload", pdf())
    return document_create(prefecture=prefecture, title=title, kind=kind, **fields)


def with_versions(prefecture, count, **fields):
    """A document with ``count`` versions (the later ones PNG photos)."""
    found = document(prefecture, **fields)
    for number in range(2, count + 1):
        document_add_version(document=found, upload=png(f"affiche-v{number}.png"), note=f"Version {number}")
    return found


class DocumentFactory(factory.django.DjangoModelFactory):
    """A document's row alone, without a version (the services' checks skipped): for tests that need one row of a
    prefecture. ``document`` above makes a real one."""

    class Meta:
        model = Document

    prefecture = factory.SubFactory(PrefectureFactory)
    title = factory.Sequence(lambda n: f"Affiche {n}")
    kind = DocumentKind.POSTER
