"""The evidence library in the admin: the prefecture's documents, filtered by type, engagement, site and validity; a
document's page lists its versions (each downloadable) and takes the file of a new one. Every write goes through
``evidence.services``; every download through a scoped, permission-checked view."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from engagements.models import Engagement
from qualipref.admin import PrefectureScopedAdmin, PrefectureScopedInline, not_found_unless_int

from .enums import Validity
from .models import Document, DocumentVersion, prefecture_todays, validity_condition
from .services import attachments_check, document_add_version, document_create, document_update, upload_check

ACCEPT = {"accept": "application/pdf,image/jpeg,image/png"}


def private_file(version):
    """A version's file, sent to whoever may read its document: never inline, never sniffed, never cached."""
    if version is None or not version.file:
        raise Http404
    try:
        handle = version.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(handle, as_attachment=True, filename=version.file_name or "document")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


class ValidityFilter(admin.SimpleListFilter):
    title = _("validity")
    parameter_name = "validity"

    def lookups(self, request, model_admin):
        return Validity.choices

    def queryset(self, request, queryset):
        if self.value() not in Validity.values:
            return queryset
        # Each document judged by its own prefecture's today, as the dashboard and the reminders judge it.
        todays = prefecture_todays(None if request.user.sees_all_prefectures else request.user.prefecture_ids)
        return queryset.filter(validity_condition(self.value(), todays))


class DocumentVersionInline(PrefectureScopedInline):
    model = DocumentVersion
    fields = ["number", "download_link", "size_display", "note", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    verbose_name_plural = _("versions (the first line is the current one)")

    def get_queryset(self, request):
        # The document too: each line's title (``str``) names it.
        return super().get_queryset(request).select_related("uploaded_by", "document")

    def has_add_permission(self, request, obj=None):
        return False  # a new version is uploaded with the form's "new version" field

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("file"))
    def download_link(self, obj):
        label = gettext("Download version %(number)s (%(name)s)") % {"number": obj.number, "name": obj.file_name}
        return format_html('<a href="{}" download>{}</a>', obj.get_download_url(), label)

    @admin.display(description=_("size"))
    def size_display(self, obj):
        return filesizeformat(obj.size)


class DocumentForm(forms.ModelForm):
    new_file = forms.FileField(
        label=_("file (PDF, JPEG or PNG)"),
        required=False,
        widget=forms.ClearableFileInput(attrs=ACCEPT),
        help_text=_("At most 20 MB. On a document already saved, a file makes its next version."),
    )
    version_note = forms.CharField(
        label=_("what changed in this version"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = Document
        fields = ["prefecture", "title", "kind", "description", "valid_until", "engagements", "sites"]
        widgets = {
            "engagements": forms.CheckboxSelectMultiple,
            "sites": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_new_file(self):
        upload = self.cleaned_data.get("new_file")
        if not upload:
            if self.instance.pk is None:
                raise ValidationError(_("Choose the document's file."), code="required")
            return None
        # The sanitised copy is the one stored; the refusal (type, size, virus) shows on the field.
        self.new_upload = upload_check(upload)
        return self.new_upload

    def clean(self):
        cleaned = super().clean()
        prefecture = cleaned.get("prefecture") or getattr(self.instance, "prefecture", None)
        if prefecture is not None:
            try:
                attachments_check(
                    prefecture_id=prefecture.pk,
                    engagements=list(cleaned.get("engagements") or ()),
                    sites=list(cleaned.get("sites") or ()),
                )
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


@admin.register(Document)
class DocumentAdmin(PrefectureScopedAdmin):
    form = DocumentForm
    list_display = ["title", "kind", "engagement_codes", "version_number", "valid_until", "validity", "prefecture"]
    list_filter = [ValidityFilter, "kind", "engagements", "sites", "prefecture"]
    list_select_related = ["prefecture", "current_version"]
    search_fields = ["title", "description"]
    readonly_fields = ["current_version_link", "created_by", "created_at"]
    inlines = [DocumentVersionInline]

    def get_fieldsets(self, request, obj=None):
        main = ["prefecture", "title", "kind", "description", "valid_until"]
        attached = (_("What it proves"), {"fields": ["engagements", "sites"]})
        if obj is None:
            return [(None, {"fields": main}), attached, (_("File"), {"fields": ["new_file", "version_note"]})]
        return [
            (None, {"fields": main}),
            attached,
            (_("Current version"), {"fields": ["current_version_link", "created_by", "created_at"]}),
            (
                _("New version"),
                {
                    "fields": ["new_file", "version_note"],
                    "description": _("Uploading a file makes the next version; the earlier ones stay downloadable."),
                },
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "prefecture"] if obj else self.readonly_fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("engagements", queryset=Engagement.objects.only("pk", "code").order_by()))
        )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "engagements":
            # The national referential and the local engagements of the user's prefectures, in force.
            kwargs["queryset"] = Engagement.objects.active().filter(
                Q(prefecture__isnull=True) | Q(prefecture_id__in=request.user.prefecture_ids)
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("engagements"))
    def engagement_codes(self, obj):
        return ", ".join(sorted(e.code for e in obj.engagements.all())) or "—"

    @admin.display(description=_("version"), ordering="current_version__number")
    def version_number(self, obj):
        return obj.current_version.number if obj.current_version else "—"

    @admin.display(description=_("validity"))
    def validity(self, obj):
        return Validity(obj.validity(obj.prefecture.today())).label

    @admin.display(description=_("current version"))
    def current_version_link(self, obj):
        version = obj.current_version if obj else None
        if version is None:
            return "—"
        # The link alone, its details inside it: a link within text must be told apart by more than its colour.
        label = gettext("%(name)s (version %(number)s, %(size)s)") % {
            "name": version.file_name,
            "number": version.number,
            "size": filesizeformat(version.size),
        }
        return format_html('<a href="{}" download>{}</a>', version.get_download_url(), label)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        upload = getattr(form, "new_upload", None)
        if not change:
            saved = document_create(
                prefecture=data["prefecture"],
                title=data["title"],
                kind=data["kind"],
                description=data.get("description") or "",
                valid_until=data.get("valid_until"),
                engagements=data.get("engagements") or (),
                sites=data.get("sites") or (),
                upload=upload,
                note=data.get("version_note") or "",
                by=request.user,
            )
            obj.pk, obj.current_version = saved.pk, saved.current_version
            obj._state.adding = False
            return
        document_update(
            document=obj,
            title=data["title"],
            kind=data["kind"],
            description=data.get("description") or "",
            valid_until=data.get("valid_until"),
            engagements=data.get("engagements") or (),
            sites=data.get("sites") or (),
            by=request.user,
        )
        if upload is not None:
            document_add_version(document=obj, upload=upload, note=data.get("version_note") or "", by=request.user)

    def save_related(self, request, form, formsets, change):
        # The services set the engagements and sites; the versions inline is read-only.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def has_delete_permission(self, request, obj=None):
        # The auditor follows a finding to its evidence: only the national coordinator removes a document.
        return request.user.sees_all_prefectures and super().has_delete_permission(request, obj)

    def get_urls(self):
        return [
            path(
                "<int:pk>/versions/<int:number>/download/",
                self.admin_site.admin_view(self.download_view),
                name="evidence_document_download",
            ),
            *not_found_unless_int("versions/<str:number>/download/", view=self.admin_site.admin_view),
        ] + super().get_urls()

    def download_view(self, request, pk, number):
        if not self.has_view_permission(request):
            raise PermissionDenied
        document = self.scoped_object(request, pk)  # another prefecture's is as missing as a missing one
        return private_file(DocumentVersion.objects.filter(document=document, number=number).first())
