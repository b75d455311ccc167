from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .csvformat import FileRefused, inspect_file
from .models import DeliveryImport


class DeliveryImportForm(forms.ModelForm):
    """Upload of a delivery file in the admin: the file is checked (shape, hash) before it is saved."""

    upload = forms.FileField(
        label=_("CSV file of deliveries"),
        help_text=_(
            "Header row, comma or semicolon, UTF-8 or Windows-1252. Columns: departement (optional), code_titre, "
            "site (optional), date_depot, date_delivrance; dates as 2026-03-14 or 14/03/2026."
        ),
    )

    class Meta:
        model = DeliveryImport
        fields = ["prefecture"]

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        if upload.size > settings.DELAYS_IMPORT_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 GB: split it by year."))
        return upload

    def clean(self):
        from .services import already_imported, duplicate_message

        cleaned = super().clean()
        upload, prefecture = cleaned.get("upload"), cleaned.get("prefecture")
        if upload and prefecture:
            try:
                facts = inspect_file(upload)
            except FileRefused as refused:
                self.add_error("upload", refused.message)
            else:
                if earlier := already_imported(prefecture=prefecture, sha256=facts.sha256):
                    self.add_error("upload", duplicate_message(earlier))
        return cleaned


class UnpublishForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are these figures unpublished?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("Recorded in the month's history and shown to the auditor."),
    )
