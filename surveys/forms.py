"""The citizen's answering form, built from the survey's questions."""

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from qualipref.content_language import french

from .enums import QuestionKind
from .results import SCALE_LABELS

FREE_TEXT_MAX_LENGTH = 2000


class InlineRadioSelect(forms.RadioSelect):
    """Radio buttons side by side (our DSFR fieldset template reads ``inline``): 0 to 10 fits a phone's width."""

    inline = True


def _choice_field(question, choices, **kwargs):
    return forms.TypedChoiceField(
        choices=choices,
        coerce=int,
        empty_value=None,
        error_messages={
            "required": _("Choose an answer to this question."),
            "invalid_choice": _("Choose one of the answers offered."),
        },
        **kwargs,
    )


def question_field(question, number):
    """The form field that asks ``question`` (its choices prefetched), numbered for the reader."""
    # What the prefecture typed is French: marked lang="fr" on the English page (qualipref.content_language).
    common = {
        "label": format_html("{}. {}", number, french(question.text)),
        "required": question.required,
        "help_text": french(question.help_text),
    }
    kind = question.kind
    if kind == QuestionKind.SATISFACTION:
        labels = SCALE_LABELS[kind]
        return _choice_field(question, [(v, labels[v]) for v in range(5, 0, -1)], widget=forms.RadioSelect, **common)
    if kind == QuestionKind.RECOMMENDATION:
        hint = _("0: not at all likely, 10: extremely likely.")
        common["help_text"] = format_html("{} {}", common["help_text"], hint)
        return _choice_field(question, [(v, str(v)) for v in range(0, 11)], widget=InlineRadioSelect, **common)
    if kind == QuestionKind.YES_NO:
        return _choice_field(question, [(1, _("Yes")), (0, _("No"))], widget=InlineRadioSelect, **common)
    if kind == QuestionKind.SINGLE_CHOICE:
        choices = [(c.pk, french(c.label)) for c in question.choices.all()]
        return _choice_field(question, choices, widget=forms.RadioSelect, **common)
    if kind == QuestionKind.MULTIPLE_CHOICE:
        return forms.TypedMultipleChoiceField(
            choices=[(c.pk, french(c.label)) for c in question.choices.all()],
            coerce=int,
            widget=forms.CheckboxSelectMultiple,
            error_messages={
                "required": _("Tick at least one answer."),
                "invalid_choice": _("Choose among the answers offered."),
            },
            **common,
        )
    hint = _("Do not write your name or anything that could identify you. 2,000 characters at most.")
    common["help_text"] = format_html("{} {}", common["help_text"], hint)
    return forms.CharField(
        max_length=FREE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": FREE_TEXT_MAX_LENGTH}),
        error_messages={
            "required": _("Write an answer to this question."),
            "max_length": _("Shorten your answer to %(limit_value)d characters (it has %(show_value)d)."),
        },
        **common,
    )


class SurveyAnswerForm(forms.Form):
    # Hidden from people (CSS and aria-hidden); robots that fill every field give themselves away.
    hp_website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for number, question in enumerate(self.questions, start=1):
            self.fields[self.field_name(question)] = question_field(question, number)

    @staticmethod
    def field_name(question):
        return f"q{question.pk}"

    def question_fields(self):
        return [self[self.field_name(question)] for question in self.questions]

    def is_spam(self):
        return bool(self.data.get("hp_website"))

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not any(cleaned.get(self.field_name(q)) not in (None, "", []) for q in self.questions):
            raise forms.ValidationError(_("Answer at least one question before sending."), code="empty")
        return cleaned

    def answers(self):
        """``{question id: answer}`` for the service."""
        return {question.pk: self.cleaned_data.get(self.field_name(question)) for question in self.questions}
