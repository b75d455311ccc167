"""Downloads of the audit reports: the only way to their files, checking who asks.

Allowed: the prefecture's quality officers and auditors (and the national coordinator); its users'
committee's sitting members once an officer shared the report. Anyone else — an officer or auditor of
another prefecture, a service agent, a member of another committee, an anonymous visitor — gets a 404,
the same as for a report that does not exist.
"""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from committee.models import Member
from qualipref.enums import Role

from .models import AuditReport

READERS = frozenset({Role.QUALITY_OFFICER, Role.AUDITOR})


def may_download(user, report):
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.sees_all_prefectures or READERS & user.roles_in(report.prefecture):
        return True
    return (
        report.shared_with_committee
        and Member.objects.sitting(report.prefecture.today())
        .filter(user=user, committee__prefecture=report.prefecture)
        .exists()
    )


def _serve(request, pk, field, extension, content_type):
    report = get_object_or_404(AuditReport.objects.done().select_related("prefecture"), pk=pk)
    if not may_download(request.user, report):
        raise Http404
    stored = getattr(report, field)
    if not stored:
        raise Http404
    try:
        handle = stored.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(handle, as_attachment=True, filename=report.filename(extension), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@require_GET
def download(request, pk):
    return _serve(request, pk, "file", "pdf", "application/pdf")


@never_cache
@require_GET
def download_csv(request, pk):
    return _serve(request, pk, "csv_file", "csv", "text/csv; charset=utf-8")
