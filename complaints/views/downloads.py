"""Attachments for staff: only through this view, only for the cases the user may see."""

from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from ..models import Attachment, Case
from .tracking import _serve


@staff_member_required
@require_GET
def attachment_download(request, pk):
    if not request.user.has_perm("complaints.view_case"):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    attachment = get_object_or_404(Attachment.objects.filter(case__in=Case.objects.for_user(request.user)), pk=pk)
    return _serve(attachment)
