"""Writes of the evidence library: a document created with its first file, its description changed, a new version.

Every file goes through ``qualipref.uploads.validate_upload`` (type judged by its content, size, sanitising, virus
scan when ``CLAMAV_URL`` is set) before anything is written: a refused file leaves nothing behind. Only the
prefecture's quality officers (or the national coordinator) write; ``by=None`` is the portal itself (the demo data,
a shell).
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from engagements.models import Engagement
from qualipref.enums import Role
from qualipref.models import Prefecture
from qualipref.scoping import check_works_for
from qualipref.uploads import ALLOWED_TYPES, validate_upload

from .models import Document, DocumentVersion

logger = logging.getLogger(__name__)

# A procedure or a training record as a PDF, a poster or signage as a photo.
EVIDENCE_TYPES = tuple(ALLOWED_TYPES)


def check_officer(by, prefecture_id):
    """Raise ``PermissionDenied`` unless ``by`` keeps the evidence of the prefecture ``prefecture_id``: one of its
    quality officers or the national coordinator (an auditor reads it, never writes it)."""
    check_works_for(by, prefecture_id)
    if by is None or by.sees_all_prefectures:
        return
    if Role.QUALITY_OFFICER not in by.staff_roles_in(Prefecture(pk=prefecture_id)):
        raise PermissionDenied(_("Only the prefecture's quality officers keep its evidence library."))


def upload_check(upload):
    """The file to store for ``upload`` (the sanitised copy), or ``ValidationError`` with the reason, in French."""
    return validate_upload(upload, allowed=EVIDENCE_TYPES, max_bytes=settings.EVIDENCE_MAX_BYTES)


def _checked(upload):
    # A form checks the file while it is cleaned (its refusal shows on the field) and hands the sanitised copy over;
    # anything else is checked here.
    return upload if getattr(upload, "sha256", None) and getattr(upload, "safe_name", None) else upload_check(upload)


def attachments_check(*, prefecture_id, engagements, sites):
    """Raise ``ValidationError`` (by field) unless the engagements are national or the prefecture's own local ones
    and the sites the prefecture's. ``engagements`` and ``sites``: lists, or ``None`` (left as they are)."""
    errors = {}
    if engagements:
        allowed = set(
            Engagement.objects.of_prefecture(prefecture_id)
            .filter(pk__in=[e.pk for e in engagements])
            .values_list("pk", flat=True)
        )
        wrong = [e.code for e in engagements if e.pk not in allowed]
        if wrong:
            errors["engagements"] = _("A local engagement of another prefecture cannot be attached: %(codes)s.") % {
                "codes": ", ".join(wrong)
            }
    wrong_sites = [site.name for site in sites or () if site.prefecture_id != prefecture_id]
    if wrong_sites:
        errors["sites"] = _("These sites belong to another prefecture: %(names)s.") % {"names": ", ".join(wrong_sites)}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def document_create(
    *,
    prefecture,
    title,
    kind,
    upload,
    description="",
    engagements=(),
    sites=(),
    valid_until=None,
    note="",
    by=None,
):
    """Create a document of ``prefecture`` with ``upload`` as its version 1. Returns the document."""
    check_officer(by, prefecture.pk)
    stored = _checked(upload)
    document = Document(
        prefecture=prefecture,
        title=title,
        kind=kind,
        description=description,
        valid_until=valid_until,
        created_by=by,
    )
    engagements, sites = list(engagements), list(sites)
    document.full_clean(exclude=["current_version"])
    attachments_check(prefecture_id=document.prefecture_id, engagements=engagements, sites=sites)
    document.save()
    document.engagements.set(engagements)
    document.sites.set(sites)
    _add_version(document, stored, note=note, by=by)
    logger.info("evidence: document %s created by user %s", document.pk, by and by.pk)
    return document


@transaction.atomic
def document_update(*, document, engagements=None, sites=None, by=None, **fields):
    """Change what ``document`` says (title, kind, description, valid_until) and what it is attached to.

    ``engagements`` and ``sites``: the new sets, or ``None`` to keep them. The file changes only with a new version.
    """
    unknown = set(fields) - {"title", "kind", "description", "valid_until"}
    if unknown:
        raise TypeError(f"document_update() cannot change {sorted(unknown)}")
    stored_prefecture = Document.objects.filter(pk=document.pk).values_list("prefecture_id", flat=True).get()
    check_officer(by, stored_prefecture)
    if stored_prefecture != document.prefecture_id:
        raise ValidationError({"prefecture": _("A document stays in its prefecture.")})
    for name, value in fields.items():
        setattr(document, name, value)
    engagements = None if engagements is None else list(engagements)
    sites = None if sites is None else list(sites)
    document.full_clean(exclude=["current_version"])
    attachments_check(prefecture_id=document.prefecture_id, engagements=engagements, sites=sites)
    document.save()
    if engagements is not None:
        document.engagements.set(engagements)
    if sites is not None:
        document.sites.set(sites)
    return document


@transaction.atomic
def document_add_version(*, document, upload, note="", valid_until=None, by=None):
    """Store ``upload`` as the next version of ``document``, which becomes its current one; the earlier versions
    stay as they are. ``valid_until``: the new file's validity, when it has one (a renewed training record).
    Returns the new version."""
    check_officer(by, document.prefecture_id)
    stored = _checked(upload)
    # The document's row locked: two uploads at once get numbers one after the other, never the same.
    locked = Document.objects.select_for_update().get(pk=document.pk)
    if valid_until is not None:
        locked.valid_until = valid_until
        locked.save(update_fields=["valid_until"])
        document.valid_until = valid_until
    version = _add_version(locked, stored, note=note, by=by)
    document.current_version = version
    logger.info("evidence: version %s of document %s added by user %s", version.number, document.pk, by and by.pk)
    return version


def _add_version(document, stored, *, note, by):
    number = (document.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    version = DocumentVersion(
        document=document,
        number=number,
        file_name=stored.safe_name,
        content_type=stored.detected_type,
        size=stored.size,
        sha256=stored.sha256,
        note=note,
        uploaded_by=by,
        uploaded_at=timezone.now(),
    )
    version.file.save(stored.safe_name, stored, save=False)
    version.save()
    document.current_version = version
    document.save(update_fields=["current_version"])
    return version
