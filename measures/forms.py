from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from qualipref.csvimport import FileRefused

from .models import MeasureImport


class MeasureImportForm(forms.ModelForm):
    """Upload of a file of calls or tickets in the admin: the file is checked (shape, hash) before it is saved."""

    upload = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Header row, comma or semicolon, UTF-8 or Windows-1252. Calls: date_appel, site (optional), "
            "duree_sonnerie (seconds) or sonneries, issue (answered, lost, abandoned). Tickets: site (optional), "
            "arrivee, appel (empty: left unserved), fin (optional). Times as 2026-03-14 09:12 or 14/03/2026 09:12."
        ),
    )

    class Meta:
        model = MeasureImport
        fields = ["prefecture", "kind"]

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        if upload.size > settings.MEASURES_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s: split it by month.")
                % {"limit": filesizeformat(settings.MEASURES_IMPORT_MAX_BYTES)}
            )
        return upload

    def clean(self):
        from .services import already_imported, duplicate_message, inspect_upload

        cleaned = super().clean()
        upload, prefecture, kind = cleaned.get("upload"), cleaned.get("prefecture"), cleaned.get("kind")
        if upload and prefecture and kind:
            try:
                facts = inspect_upload(upload, kind=kind)
            except FileRefused as refused:
                self.add_error("upload", refused.message)
            else:
                if earlier := already_imported(prefecture=prefecture, kind=kind, sha256=facts.sha256):
                    self.add_error("upload", duplicate_message(earlier))
        return cleaned
