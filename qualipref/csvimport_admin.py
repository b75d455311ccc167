"""The admin every CSV import shares (``qualipref.csvimport``'s kit, admin side): one rule, one place.

An import is uploaded on the add form and recorded by the app's service, then checked by its Celery task; its page
is read-only and shows the report (``templates/admin/csvimport/change_form.html``: progress, counts, valid rows per
month, the first bad lines, every bad line as CSV). An import is withdrawn, never changed nor deleted. Each app
says what is its own: its service and task, its report's fields, how a bad line reads, its decisions.
"""

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from . import csvfiles
from .csvimport import FileRefused

BAD_LINES_SHOWN = 100
# What an import's page shows of every file (``csvimport.ImportedFile``), after the app's own fields.
FILE_REPORT_FIELDS = ["size_bytes", "sha256", "total_rows", "valid_rows", "bad_rows", "created_by", "created_at"]
FILE_REPORT_FIELDS += ["checked_at"]


class CsvImportAdminMixin:
    """Mixed into a ``PrefectureScopedAdmin`` of an import model (fields ``status``, ``months``, counts)."""

    change_form_template = "admin/csvimport/change_form.html"
    add_fields = ["prefecture", "upload"]
    report_fields = []  # the read-only fields of an import's page
    bad_lines_accessor = ""  # the reverse accessor of the import's bad lines
    report_url_name = ""  # the admin URL name of the CSV of every bad line
    report_file_name = "rapport-import-{pk}.csv"
    queued_status = "queued"
    check_task = None  # the Celery task that checks an import, given its id

    # --- what each app says ---

    def import_create(self, request, form):
        """Record the upload through the app's service; return the import."""
        raise NotImplementedError

    def progress_key(self, import_id):
        raise NotImplementedError

    def bad_line_message(self, csv_import, bad_line):
        raise NotImplementedError

    def import_context(self, request, csv_import):
        """The app's own context for an import's page (its decisions)."""
        return {}

    # --- what they share ---

    def get_fields(self, request, obj=None):
        return list(self.add_fields if obj is None else self.report_fields)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # withdrawn (its figures recomputed), never deleted

    def save_model(self, request, obj, form, change):
        """Record the upload through the service; its refusal comes back as a message (``_changeform_view``)."""
        created = self.import_create(request, form)
        obj.pk = created.pk
        obj.__dict__.update(created.__dict__)
        self.check_task.delay_on_commit(created.pk)

    def _changeform_view(self, request, object_id, form_url, extra_context):
        try:
            return super()._changeform_view(request, object_id, form_url, extra_context)
        except FileRefused as refused:
            self.message_user(request, refused.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(request, _("The file is being checked: its report appears below."), messages.INFO)
        return HttpResponseRedirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
        )

    def _scoped(self, request, pk):
        return self.scoped_object(request, pk, related=["prefecture"])

    def _bad_lines(self, csv_import):
        return getattr(csv_import, self.bad_lines_accessor).order_by("line")

    def report_view(self, request, pk):
        """Every bad line of an import, streamed as CSV (line;reason;detail;message)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        csv_import = self._scoped(request, pk)
        # The values echoed come straight from the uploaded file: csvfiles neutralises any that starts like a
        # formula (``+CMD|…``, ``@SUM(1+1)``), and quotes separators and line ends.
        rows = (
            [bad.line, bad.reason, bad.detail, self.bad_line_message(csv_import, bad)]
            for bad in self._bad_lines(csv_import).iterator(chunk_size=5000)
        )
        lines = csvfiles.lines(["ligne", "motif", "valeur", "message"], rows, lineterminator="\n")
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.report_file_name.format(pk=pk)}"'
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        csv_import = self._scoped(request, object_id)
        bad_lines = [
            {"line": bad.line, "reason": bad.get_reason_display(), "message": self.bad_line_message(csv_import, bad)}
            for bad in self._bad_lines(csv_import)[:BAD_LINES_SHOWN]
        ]
        extra_context = {
            **(extra_context or {}),
            "csv_import": csv_import,
            "bad_lines_shown": bad_lines,
            "report_url": reverse(self.report_url_name, args=[csv_import.pk]),
            "progress": cache.get(self.progress_key(csv_import.pk)),
            "is_queued": csv_import.status == self.queued_status,
            "months": sorted(csv_import.months.items()),
            **self.import_context(request, csv_import),
        }
        return super().change_view(request, object_id, form_url, extra_context)
