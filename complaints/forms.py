import re
import threading

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from qualipref.uploads import validate_upload

from .enums import Kind

PHONE = re.compile(r"^\+?[0-9 .()-]{6,20}$")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Up to ``max_files`` files, each checked by its content; errors name the refused file."""

    widget = MultipleFileInput

    def __init__(self, *args, max_files=3, **kwargs):
        self.max_files = max_files
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > self.max_files:
            raise ValidationError(
                _("You can attach at most %(max)s files; you chose %(count)s."),
                code="too_many",
                params={"max": self.max_files, "count": len(files)},
            )
        errors, cleaned = [], []
        for upload in files:
            try:
                cleaned.append(validate_upload(super().clean(upload, initial)))
            except ValidationError as error:
                errors.extend(error.error_list)
        if errors:
            raise ValidationError(errors)
        return cleaned


class HoneypotMixin(forms.Form):
    # Hidden from people (CSS and aria-hidden); robots that fill every field give themselves away.
    hp_website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def is_spam(self):
        return bool(self.data.get(self.add_prefix("hp_website")))  # a form with a prefix (the reply form) too


class CaseForm(HoneypotMixin):
    kind = forms.ChoiceField(
        label=_("What would you like to send us?"),
        choices=[
            (Kind.COMPLAINT, _("A complaint: something went wrong and you expect an answer")),
            (Kind.SUGGESTION, _("A suggestion: an idea to improve our service (you may stay anonymous)")),
        ],
        widget=forms.RadioSelect,
        initial=Kind.COMPLAINT,
    )
    service = forms.ModelChoiceField(
        label=_("Service concerned"), queryset=None, required=False, empty_label=_("I don't know")
    )
    site = forms.ModelChoiceField(label=_("Site"), queryset=None, required=False, empty_label=_("I don't know"))
    # Chosen by code ("counter"): the form's values, and an Open311 request's service_code.
    topic = forms.ModelChoiceField(label=_("What is it about?"), queryset=None, to_field_name="code", empty_label="—")
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Your message"),
        max_length=5000,
        help_text=_("5,000 characters at most."),
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": 5000, "data-qp-counter": "5000"}),
    )
    attachments = MultipleFileField(
        label=_("Documents"),
        max_files=settings.COMPLAINTS_MAX_ATTACHMENTS,
        help_text=_("Up to 3 files, PDF, JPEG or PNG, 5 MB each at most."),
        widget=MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )
    name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        required=False,
        help_text=_("Required for a complaint."),
        error_messages={"required": _("Give your name: a complaint gets a personal answer.")},
    )
    email = forms.EmailField(
        label=_("Your e-mail address"),
        required=False,
        help_text=_("Required for a complaint: we send the acknowledgement and the answer there."),
        error_messages={"required": _("Give your e-mail address: we send the answer there.")},
    )
    phone = forms.CharField(label=_("Your phone number"), max_length=30, required=False)
    consent = forms.BooleanField(
        label=_("I agree that the prefecture processes these data to handle my request."),
        required=False,
        error_messages={"required": _("Tick this box: it is required when you give your contact details.")},
    )

    # Required for a complaint only; the page says so for the kind chosen (and our script when it changes).
    REQUIRED_FOR_COMPLAINT = ("name", "email", "consent")
    CONTACT_FIELDS = ("name", "email", "phone")

    def __init__(self, *args, prefecture, **kwargs):
        super().__init__(*args, **kwargs)
        self.prefecture = prefecture
        self.fields["service"].queryset = prefecture.services.filter(is_active=True).order_by("name")
        self.fields["site"].queryset = prefecture.sites.filter(is_active=True).order_by("kind", "name")
        self.fields["topic"].queryset = prefecture.topics.current().order_by("position", "name")
        self.fields["consent"].help_text = format_html(
            '{} {} <a href="{}" target="_blank" rel="noopener">{}</a>',
            _("Required when you give your contact details (name, e-mail address or phone number)."),
            _("What we keep, why, for how long, and your rights:"),
            reverse("personal_data"),
            _("personal data notice (opens a new window)"),
        )
        is_complaint = self.chosen_kind() == Kind.COMPLAINT
        for name in self.REQUIRED_FOR_COMPLAINT:
            self.fields[name].required = is_complaint
            self.fields[name].conditionally_required = True  # the label's optional mark can be toggled
            self.fields[name].widget.attrs["data-qp-required-when"] = f"kind={Kind.COMPLAINT}"

    def choices_shown(self):
        """The services', sites' and topics' choices as the form shows them: ``((value, label), …)`` for each, in
        one plain query each (iterating a choice field opens a server-side cursor: three round trips each on
        PostgreSQL)."""
        return tuple(
            (
                *((("", str(field.empty_label)),) if field.empty_label is not None else ()),
                *(
                    (str(field.prepare_value(choice)), str(field.label_from_instance(choice)))
                    for choice in list(field.queryset)
                ),
            )
            for field in (self.fields["service"], self.fields["site"], self.fields["topic"])
        )

    def chosen_kind(self):
        """The kind the citizen chose (sent, or preselected on a new form)."""
        if self.is_bound:
            return self.data.get(self.add_prefix("kind"))
        return self.initial.get("kind", self.fields["kind"].initial)

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and not PHONE.match(phone):
            raise ValidationError(_("Enter a phone number with digits only, for example 0262 40 77 77."))
        return phone

    def clean(self):
        cleaned = super().clean()
        # Consent covers the personal data given: an anonymous suggestion gives none, so needs none.
        gives_contact = any(cleaned.get(name) or name in self.errors for name in self.CONTACT_FIELDS)
        if gives_contact and not cleaned.get("consent") and "consent" not in self.errors:
            self.add_error("consent", self.fields["consent"].error_messages["required"])
        return cleaned


class ReplyForm(HoneypotMixin):
    text = forms.CharField(
        label=_("Your message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5, "maxlength": 5000})
    )
    attachments = MultipleFileField(
        label=_("Documents"),
        max_files=settings.COMPLAINTS_MAX_ATTACHMENTS,
        help_text=_("Up to 3 files, PDF, JPEG or PNG, 5 MB each at most."),
    )


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with the answer?"),
        coerce=int,
        choices=[
            (5, _("5 – Very satisfied")),
            (4, _("4 – Satisfied")),
            (3, _("3 – Neither satisfied nor dissatisfied")),
            (2, _("2 – Dissatisfied")),
            (1, _("1 – Very dissatisfied")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a score from 1 to 5 to rate the answer.")},
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class LostLinkForm(HoneypotMixin):
    reference = forms.CharField(
        label=_("Reference of your request"), max_length=20, help_text=_("For example 974-2026-000123.")
    )
    email = forms.EmailField(label=_("The e-mail address you gave"))


# The empty form's fields, rendered (crispy + DSFR templates: most of the form page's cost), by what they depend
# on: the language, the URL prefix (the consent's link) and the choices of services, sites and topics as the form
# reads them on each request, so a service or a topic renamed, added, archived or closed shows at once. Per
# process, bounded; the CSRF token and everything else of the page are rendered for each request.
_EMPTY_FIELDS_HTML = {}
_EMPTY_FIELDS_MAX = 512
_empty_fields_lock = threading.Lock()


def empty_form_fields_html(form, choices=None):
    """The HTML of ``complaints/case_form_fields.html`` for ``form``, an unbound ``CaseForm``; ``choices``: its
    ``choices_shown()`` if the caller read them already."""
    assert not form.is_bound, "only an empty form renders the same for everyone"
    key = (translation.get_language(), get_script_prefix(), choices or form.choices_shown())
    html = _EMPTY_FIELDS_HTML.get(key)
    if html is None:
        html = render_to_string("complaints/case_form_fields.html", {"form": form})
        with _empty_fields_lock:
            if len(_EMPTY_FIELDS_HTML) >= _EMPTY_FIELDS_MAX:
                _EMPTY_FIELDS_HTML.clear()
            _EMPTY_FIELDS_HTML[key] = html
    return html
