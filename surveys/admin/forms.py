"""The builder's forms: a survey, its questions with their choices typed one per line, its points.

The rules are the services' (``surveys.services``): each form runs the service's check once its instance holds
what was posted, and shows what it refuses next to the field, as Django shows a model's own validation.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from ..models import DistributionPoint, Question, Survey
from ..services import point_check, question_check, survey_check, survey_question_count_check


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
        return [line.strip() for line in self.cleaned_data["choices_text"].splitlines() if line.strip()]

    @property
    def choice_labels(self):
        return self.cleaned_data.get("choices_text") or []

    def _post_clean(self):
        super()._post_clean()
        kind = self.cleaned_data.get("kind")
        if kind and "choices_text" not in self.errors:
            try:
                question_check(question=self.instance, kind=kind, choice_labels=self.choice_labels)
            except ValidationError as error:
                by_field = error.message_dict
                by_field["choices_text"] = by_field.pop("choices", [])
                self.add_error(None, {field: messages for field, messages in by_field.items() if messages})


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
        survey_question_count_check(status=self.instance.status, count=kept)


def refuse_deleting_answered(formset, delete_errors):
    """The admin's own check lists every protected answer (thousands, read one by one): say it in one line."""

    class AnswersProtectedForm(formset.form):
        def hand_clean_DELETE(self):
            if self.cleaned_data.get("DELETE") and (errors := delete_errors(self.instance)):
                raise ValidationError(errors)

    formset.form = AnswersProtectedForm
    return formset


class DistributionPointForm(forms.ModelForm):
    """A point on the survey's page (inline) or on its own page."""

    class Meta:
        model = DistributionPoint
        fields = ["survey", "name", "site"]

    def _post_clean(self):
        super()._post_clean()
        if not self.has_error("site") and not self.has_error("survey"):
            try:
                point_check(point=self.instance)
            except ValidationError as error:
                self._update_errors(error)


class SurveyAdminForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["prefecture", "title", "slug", "introduction", "opens_on", "closes_on", "status", "results_public"]

    def _post_clean(self):
        super()._post_clean()
        try:
            survey_check(survey=self.instance)
        except ValidationError as error:
            self._update_errors(error)
