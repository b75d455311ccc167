"""The builder's forms: a survey, its questions with their choices typed one per line."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from qualipref.csvfiles import refuse_formula_start

from ..enums import CHOICE_KINDS, SurveyStatus
from ..models import Question, Survey
from ..services import question_change_errors, question_set_choices


class QuestionInlineForm(forms.ModelForm):
    choices_text = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 28}),
        help_text=_("One per line, for single and multiple choice questions."),
    )

    class Meta:
        model = Question
        fields = ["position", "text", "help_text", "kind", "required", "is_public"]
        widgets = {"position": forms.NumberInput(attrs={"style": "width: 4em"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.has_choices:
            self.initial["choices_text"] = "\n".join(choice.label for choice in self.instance.choices.all())

    def clean_choices_text(self):
        labels = [line.strip() for line in self.cleaned_data["choices_text"].splitlines() if line.strip()]
        for label in labels:  # written to the survey's CSV export: none may start like a formula
            refuse_formula_start(label)
        repeated = sorted({label for label in labels if labels.count(label) > 1})
        if repeated:
            raise ValidationError(
                _("Each choice must appear once: “%(label)s” is repeated."), params={"label": repeated[0]}
            )
        return labels

    def clean(self):
        cleaned = super().clean()
        kind, labels = cleaned.get("kind"), cleaned.get("choices_text") or []
        if kind in CHOICE_KINDS and len(labels) < 2 and "choices_text" not in self.errors:
            self.add_error("choices_text", _("Give at least two choices, one per line."))
        elif kind and kind not in CHOICE_KINDS and labels:
            self.add_error(
                "choices_text", _("Only single and multiple choice questions have choices: empty this list.")
            )
        if kind:
            # ``self.instance`` still holds the saved question here: compare with what has been answered.
            for error in question_change_errors(question=self.instance, kind=kind, choice_labels=labels):
                self.add_error("kind" if kind != self.instance.kind else "choices_text", error)
        return cleaned

    def save(self, commit=True):
        question = super().save(commit=commit)
        if commit:
            question_set_choices(question=question, labels=self.cleaned_data.get("choices_text") or [])
        return question


class QuestionInlineFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = sum(
            1
            for form in self.forms
            if hasattr(form, "cleaned_data")
            and not (self.can_delete and self._should_delete_form(form))
            and (form.instance.pk or form.has_changed())
        )
        if not kept and self.instance.status != SurveyStatus.DRAFT:
            raise ValidationError(_("An open or closed survey needs at least one question."))


def refuse_deleting_answered(formset, delete_errors):
    """The admin's own check lists every protected answer (thousands, read one by one): say it in one line."""

    class AnswersProtectedForm(formset.form):
        def hand_clean_DELETE(self):
            if self.cleaned_data.get("DELETE") and (errors := delete_errors(self.instance)):
                raise ValidationError(errors)

    formset.form = AnswersProtectedForm
    return formset


class SurveyAdminForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["prefecture", "title", "slug", "introduction", "opens_on", "closes_on", "status", "results_public"]

    def clean(self):
        cleaned = super().clean()
        survey = self.instance
        answered = survey.pk is not None and survey.responses.exists()
        if cleaned.get("status") == SurveyStatus.DRAFT and answered:
            self.add_error(
                "status", _("This survey already has answers: it cannot go back to draft. Close it instead.")
            )
        if cleaned.get("results_public") and cleaned.get("status") == SurveyStatus.DRAFT:
            self.add_error("results_public", _("A draft survey has no results to publish."))
        return cleaned
