"""The officer's forms: case entry, the workflow's small forms, the right-of-access request."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qualipref.models import Prefecture

from ..answers import unfilled_placeholders_message
from ..enums import Channel, Kind, Status
from ..models import Case
from ..services import assignable_users, case_transfer

# Statuses a suggestion reaches by a decision, which may come with a public reply to its author.
SUGGESTION_DECISIONS = frozenset({Status.FORWARDED_TO_COMMITTEE, Status.ACCEPTED, Status.DECLINED})

ENTRY_FIELDS = [
    "prefecture",
    "channel",
    "received_on",
    "kind",
    "service",
    "site",
    "topic",
    "subject",
    "description",
    "name",
    "email",
    "phone",
]


class CaseEntryForm(forms.ModelForm):
    """A case received by letter, e-mail, phone or at the counter, entered by an officer.

    Saved through ``services.case_enter`` (see ``CaseAdmin.save_model``): the reference follows
    the prefecture's sequence and the due date counts from the real date of receipt.
    """

    user = None  # set by CaseAdmin.get_form

    class Meta:
        model = Case
        fields = ENTRY_FIELDS
        help_texts = {
            "received_on": _(
                "The day the letter, e-mail or call reached the prefecture: the deadline counts from it."
            ),
            "email": _("Optional. If given, the citizen gets the acknowledgement and the answers by e-mail."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [choice for choice in Channel.choices if choice[0] != Channel.ONLINE]
        topic = self.fields["topic"]
        topic.queryset = topic.queryset.filter(is_archived=False)  # a new case never gets an archived topic

    def clean(self):
        cleaned = super().clean()
        prefecture = cleaned.get("prefecture")
        if prefecture is None:
            return cleaned
        received_on = cleaned.get("received_on")
        if received_on and received_on > prefecture.today():
            self.add_error("received_on", _("The date of receipt cannot be in the future."))
        for name in ("service", "site", "topic"):
            related = cleaned.get(name)
            if related is not None and related.prefecture_id != prefecture.pk:
                self.add_error(name, _("Choose one of the prefecture's own."))
        limited_to = self.user.service_ids_in(prefecture) if self.user else None
        if limited_to is not None:
            service = cleaned.get("service")
            if service is None or service.pk not in limited_to:
                self.add_error("service", _("Choose your own service: the case must stay in your list."))
        return cleaned


class CaseChangeForm(forms.ModelForm):
    """The few fields an officer sorts a case with; service and site choices are the case's prefecture's."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("service", "site", "topic"):
            if name in self.fields and self.instance.pk:
                field = self.fields[name]
                field.queryset = field.queryset.filter(prefecture_id=self.instance.prefecture_id)
        topic = self.fields.get("topic")
        if topic is not None and self.instance.pk:
            # Current topics, and the case's own even if archived since.
            topic.queryset = topic.queryset.filter(Q(is_archived=False) | Q(pk=self.instance.topic_id))


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=Status.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the case's history; never shown to the citizen."),
    )
    public_reply = forms.CharField(
        label=_("Public reply (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("If written, the author of the suggestion gets an e-mail with a link to read it."),
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        target = self.data.get("to") or self.initial.get("to")
        if target == Status.REJECTED:
            self.fields["note"].label = _("Reason for rejection")
            self.fields["note"].required = True
            self.fields["note"].help_text = _("Spam, out of scope…: the reason is kept with the case.")
        if case.kind != Kind.SUGGESTION or target not in SUGGESTION_DECISIONS:
            del self.fields["public_reply"]

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if self.fields["note"].required and not note:
            raise forms.ValidationError(_("Say why the case is rejected."))
        return note


class AnswerForm(forms.Form):
    FINAL, REQUEST = "answer", "request"

    text = forms.CharField(label=_("Answer"), max_length=5000, widget=forms.Textarea(attrs={"rows": 16, "cols": 90}))
    final = forms.ChoiceField(
        label=_("This message is"),
        choices=[
            (FINAL, _("the answer to the case (the case becomes answered)")),
            (REQUEST, _("a request for a document or a precision (the clock stops until the citizen replies)")),
        ],
        initial=FINAL,
        widget=forms.RadioSelect,
    )

    def clean_text(self):
        text = self.cleaned_data["text"]
        if not text.strip():
            raise forms.ValidationError(_("The answer is empty."))
        if refusal := unfilled_placeholders_message(text):
            raise forms.ValidationError(refusal)
        return text

    @property
    def is_final(self):
        return self.cleaned_data["final"] == self.FINAL


class TransferForm(forms.Form):
    service = forms.ModelChoiceField(
        label=_("Another service of this prefecture"), queryset=None, required=False, empty_label="—"
    )
    prefecture = forms.ModelChoiceField(
        label=_("Or another prefecture"),
        queryset=None,
        required=False,
        empty_label="—",
        help_text=_("The other prefecture then owns the case: it leaves your list."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["service"].queryset = (
            case.prefecture.services.filter(is_active=True).exclude(pk=case.service_id).order_by("name")
        )
        self.fields["prefecture"].queryset = Prefecture.objects.exclude(pk=case.prefecture_id).order_by(
            "department_code"
        )

    def transfer(self, *, by):
        """Transfer the case through ``services.case_transfer``, which checks the destination.

        Returns the case, or None with the service's refusal shown as a form error. Call after ``is_valid()``.
        """
        try:
            return case_transfer(
                case=self.case,
                by=by,
                service=self.cleaned_data["service"],
                prefecture=self.cleaned_data["prefecture"],
                note=self.cleaned_data["note"],
            )
        except ValidationError as refused:
            self.add_error(None, refused)
            return None


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assign to"), queryset=None, required=False, empty_label=_("Nobody"))

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_users(case)


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=_("Seen by the prefecture's staff only, never by the citizen."),
    )


class AccessExportForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address of the person"),
        help_text=_("Every case of your prefectures filed with this address is exported, with its messages."),
    )
