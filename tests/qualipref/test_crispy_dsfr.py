"""The project's crispy-forms template pack "dsfr" (templates/dsfr/) renders forms in DSFR markup.

Every test renders a real form through `{% crispy form %}` or `{{ form|crispy }}` and reads the markup back
with Django's HTML parser, so a template that drifts from the DSFR structure makes a test fail.
"""

import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Button, ButtonHolder, Fieldset, Layout, Submit
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import MinLengthValidator, RegexValidator
from django.template import Context, Template
from django.test.html import Element, parse_html
from django.utils import translation

SERVICES = [("", "---------"), ("titles", "Titres"), ("foreigners", "Étrangers")]
CHANNELS = [("mail", "Courrier"), ("phone", "Téléphone"), ("desk", "Guichet")]
TOPICS = [("delays", "Délais"), ("reception", "Accueil"), ("fees", "Frais")]

TAG = "{% load crispy_forms_tags %}{% crispy form %}"
FILTER = "{% load crispy_forms_tags %}{{ form|crispy }}"


class ContactForm(forms.Form):
    name = forms.CharField(label="Nom <script>alert('x')</script>", help_text="Nom et <b>prénom</b>", max_length=10)
    email = forms.EmailField(label="Courriel")
    message = forms.CharField(label="Message", widget=forms.Textarea, required=False)
    copies = forms.IntegerField(label="Nombre d'exemplaires", required=False)
    service = forms.ChoiceField(label="Service", choices=SERVICES)
    channel = forms.ChoiceField(label="Canal de réponse", choices=CHANNELS, widget=forms.RadioSelect)
    topics = forms.MultipleChoiceField(label="Sujets", choices=TOPICS, widget=forms.CheckboxSelectMultiple)
    consent = forms.BooleanField(label="J'accepte que mes données soient traitées")
    attachment = forms.FileField(label="Pièce jointe")
    visit_date = forms.DateField(label="Date de la visite")

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("name") == "doublon":
            raise forms.ValidationError("Une demande <em>identique</em> existe déjà.")
        return cleaned_data


# Text-like fields: (field name, DSFR group class, control tag, control class).
INPUT_FIELDS = [
    ("name", "fr-input-group", "input", "fr-input"),
    ("email", "fr-input-group", "input", "fr-input"),
    ("message", "fr-input-group", "textarea", "fr-input"),
    ("copies", "fr-input-group", "input", "fr-input"),
    ("visit_date", "fr-input-group", "input", "fr-input"),
    ("service", "fr-select-group", "select", "fr-select"),
    ("attachment", "fr-upload-group", "input", "fr-upload"),
]

# Errors on the text-like fields, valid radio and checkbox groups.
BAD_TEXT_DATA = {
    "name": "Jean-Baptiste Poquelin",
    "email": "not-an-address",
    "message": "Bonjour & merci",
    "copies": "2",
    "service": "foreigners",
    "channel": "phone",
    "topics": ["delays", "fees"],
    "consent": "on",
    "visit_date": "31/31/2025",
}

# Errors on the radio, checkbox-group and single-checkbox fields, valid text fields.
BAD_CHOICES_DATA = {
    "name": "Molière",
    "email": "jb@example.org",
    "service": "titles",
    "topics": ["unknown"],
    "visit_date": "2025-03-14",
}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def a_file():
    return {"attachment": SimpleUploadedFile("piece.pdf", b"%PDF-1.4", content_type="application/pdf")}


def render(template, form):
    return Template(template).render(Context({"form": form, "csrf_token": "token-for-tests"}))


def elements(node):
    """Every element under `node` (itself included), in document order."""
    if isinstance(node, Element):
        yield node
        for child in node.children:
            yield from elements(child)


def attrs(element):
    return dict(element.attributes)


def classes(element):
    return set((attrs(element).get("class") or "").split())


def find_all(node, tag=None, css=(), **attributes):
    """Elements under `node` with this tag, all these classes and these attribute values (`_` reads `-`)."""
    wanted = {key.replace("_", "-"): value for key, value in attributes.items()}
    return [
        element
        for element in elements(node)
        if (tag is None or element.name == tag)
        and set(css) <= classes(element)
        and all(attrs(element).get(key) == value for key, value in wanted.items())
    ]


def find(node, tag=None, css=(), **attributes):
    found = find_all(node, tag, css, **attributes)
    assert len(found) == 1, f"expected one <{tag} class={css} {attributes}>, found {len(found)}"
    return found[0]


def text(node):
    if isinstance(node, str):
        return node
    return " ".join(part for part in (text(child) for child in node.children) if part).strip()


def group_of(document, field_name):
    return find(document, "div", id=f"div_id_{field_name}")


@pytest.mark.parametrize("template", [TAG, FILTER], ids=["crispy-tag", "crispy-filter"])
@pytest.mark.parametrize(("field_name", "group_class", "control_tag", "control_class"), INPUT_FIELDS)
def test_text_like_fields_use_their_dsfr_group_label_and_control(
    template, field_name, group_class, control_tag, control_class
):
    document = parse_html(render(template, ContactForm()))

    group = group_of(document, field_name)
    assert group_class in classes(group)
    assert f"{group_class}--error" not in classes(group)
    label = find(group, "label", css=["fr-label"])
    assert attrs(label)["for"] == f"id_{field_name}"
    control = find(group, control_tag, id=f"id_{field_name}")
    assert control_class in classes(control)
    assert "aria-invalid" not in attrs(control)
    assert find_all(group, css=["fr-error-text"]) == []


def test_control_types_are_those_of_the_widgets():
    document = parse_html(render(TAG, ContactForm()))

    assert attrs(find(document, "input", id="id_email"))["type"] == "email"
    assert attrs(find(document, "input", id="id_copies"))["type"] == "number"
    assert attrs(find(document, "input", id="id_attachment"))["type"] == "file"
    assert [text(option) for option in find_all(find(document, "select", id="id_service"), "option")] == [
        "---------",
        "Titres",
        "Étrangers",
    ]


def test_the_crispy_tag_wraps_the_fields_in_a_post_form_and_the_filter_does_not():
    with_tag = parse_html(render(TAG, ContactForm()))
    with_filter = parse_html(render(FILTER, ContactForm()))

    form = find(with_tag, "form")
    assert attrs(form)["method"] == "post"
    assert attrs(form)["enctype"] == "multipart/form-data"
    csrf = find(form, "input", name="csrfmiddlewaretoken")
    assert attrs(csrf)["value"] == "token-for-tests"
    assert find(form, "input", id="id_name")
    assert find_all(with_filter, "form") == []
    assert find_all(with_filter, "input", name="csrfmiddlewaretoken") == []
    assert find(with_filter, "input", id="id_name")


def test_label_and_help_text_are_escaped():
    html = render(TAG, ContactForm())

    assert "<script>" not in html
    assert "Nom &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<b>" not in html
    document = parse_html(html)
    label = find(group_of(document, "name"), "label", css=["fr-label"])
    assert text(label).startswith("Nom <script>alert('x')</script>")
    hint = find(label, "span", css=["fr-hint-text"])
    assert hint.attributes == [("class", "fr-hint-text"), ("id", "id_name_helptext")]
    assert text(hint) == "Nom et <b>prénom</b>"


def test_required_fields_carry_django_dsfr_marker_when_the_project_asks_for_it(settings):
    settings.DSFR_MARK_OPTIONAL_FIELDS = False
    document = parse_html(render(TAG, ContactForm()))

    required_label = find(group_of(document, "email"), "label")
    marker = find(required_label, "span", css=["fr-required-marker"])
    assert attrs(marker)["aria-hidden"] == "true"
    assert find_all(find(group_of(document, "message"), "label"), "span", css=["fr-required-marker"]) == []


def test_optional_fields_are_marked_as_the_project_sets_it(settings):
    assert settings.DSFR_MARK_OPTIONAL_FIELDS  # the DSFR's recommendation, in our settings
    document = parse_html(render(TAG, ContactForm()))

    # django-dsfr separates the mark with a no-break space.
    assert text(find(group_of(document, "message"), "label")).split() == ["Message", "(Optional)"]
    assert find_all(find(group_of(document, "email"), "label"), "span", css=["fr-required-marker"]) == []


@pytest.mark.parametrize("template", [TAG, FILTER], ids=["crispy-tag", "crispy-filter"])
@pytest.mark.parametrize(
    ("field_name", "group_class", "control_tag"),
    [
        ("name", "fr-input-group", "input"),
        ("email", "fr-input-group", "input"),
        ("visit_date", "fr-input-group", "input"),
        ("attachment", "fr-upload-group", "input"),
    ],
)
def test_an_error_sits_in_its_field_group_and_the_control_points_to_it(template, field_name, group_class, control_tag):
    form = ContactForm(data=BAD_TEXT_DATA)
    document = parse_html(render(template, form))

    group = group_of(document, field_name)
    assert f"{group_class}--error" in classes(group)
    error = find(group, "p", css=["fr-error-text"])
    assert attrs(error)["id"] == f"id_{field_name}-desc-error"
    assert text(error) == form.errors[field_name][0]
    control = find(group, control_tag, id=f"id_{field_name}")
    assert attrs(control)["aria-describedby"] == f"id_{field_name}-desc-error"
    assert attrs(control)["aria-invalid"] == "true"


def test_fields_without_errors_stay_plain_next_to_fields_with_errors():
    document = parse_html(render(TAG, ContactForm(data=BAD_TEXT_DATA, files=a_file())))

    for field_name in ("message", "copies", "service", "attachment"):
        group = group_of(document, field_name)
        assert not any(css.endswith("--error") for css in classes(group)), field_name
        assert find_all(group, css=["fr-error-text"]) == []
    assert find_all(document, "fieldset", css=["fr-fieldset--error"]) == []


def test_typed_values_are_kept_when_the_form_comes_back_with_errors():
    form = ContactForm(data=BAD_TEXT_DATA, files=a_file())
    assert not form.is_valid()

    document = parse_html(render(TAG, form))

    assert attrs(find(document, "input", id="id_name"))["value"] == "Jean-Baptiste Poquelin"
    assert attrs(find(document, "input", id="id_email"))["value"] == "not-an-address"
    assert attrs(find(document, "input", id="id_copies"))["value"] == "2"
    assert attrs(find(document, "input", id="id_visit_date"))["value"] == "31/31/2025"
    assert text(find(document, "textarea", id="id_message")) == "Bonjour & merci"
    selected = [text(option) for option in find_all(document, "option") if "selected" in attrs(option)]
    assert selected == ["Étrangers"]
    checked = [attrs(box)["id"] for box in find_all(document, "input") if "checked" in attrs(box)]
    assert checked == ["id_channel_1", "id_topics_0", "id_topics_2", "id_consent"]


@pytest.mark.parametrize("template", [TAG, FILTER], ids=["crispy-tag", "crispy-filter"])
def test_radio_select_is_a_dsfr_fieldset_with_one_element_per_choice(template):
    document = parse_html(render(template, ContactForm()))

    fieldset = find(document, "fieldset", id="id_channel-fieldset")
    assert classes(fieldset) == {"fr-fieldset"}
    assert attrs(fieldset)["aria-labelledby"] == "id_channel-legend"
    legend = find(fieldset, "legend", id="id_channel-legend")
    assert classes(legend) == {"fr-fieldset__legend", "fr-fieldset__legend--regular"}
    assert text(legend).startswith("Canal de réponse")
    options = find_all(fieldset, "div", css=["fr-fieldset__element"])
    assert len(options) == len(CHANNELS)
    for index, (option, (value, label)) in enumerate(zip(options, CHANNELS, strict=True)):
        group = find(option, "div", css=["fr-radio-group"])
        radio, label_element = group.children
        assert radio.name == "input"
        assert attrs(radio)["type"] == "radio"
        assert attrs(radio)["name"] == "channel"
        assert attrs(radio)["value"] == value
        assert attrs(radio)["id"] == f"id_channel_{index}"
        assert label_element.name == "label"
        assert attrs(label_element) == {"class": "fr-label", "for": f"id_channel_{index}"}
        assert text(label_element) == label
    assert find_all(fieldset, css=["fr-messages-group"]) == []


@pytest.mark.parametrize("template", [TAG, FILTER], ids=["crispy-tag", "crispy-filter"])
def test_checkbox_select_multiple_is_a_dsfr_fieldset_of_checkbox_groups(template):
    document = parse_html(render(template, ContactForm()))

    fieldset = find(document, "fieldset", id="id_topics-fieldset")
    assert classes(fieldset) == {"fr-fieldset"}
    assert attrs(fieldset)["aria-labelledby"] == "id_topics-legend"
    assert text(find(fieldset, "legend", css=["fr-fieldset__legend--regular"])).startswith("Sujets")
    groups = find_all(fieldset, "div", css=["fr-checkbox-group"])
    assert [attrs(find(group, "input"))["type"] for group in groups] == ["checkbox"] * len(TOPICS)
    assert [attrs(find(group, "label"))["for"] for group in groups] == ["id_topics_0", "id_topics_1", "id_topics_2"]
    assert [text(find(group, "label")) for group in groups] == [label for _, label in TOPICS]
    option_elements = find_all(fieldset, "div", css=["fr-fieldset__element"])
    assert [find(element, "div", css=["fr-checkbox-group"]) for element in option_elements] == groups


@pytest.mark.parametrize("field_name", ["channel", "topics"])
def test_a_choice_group_error_is_announced_by_its_fieldset(field_name):
    form = ContactForm(data=BAD_CHOICES_DATA, files=a_file())
    document = parse_html(render(TAG, form))

    fieldset = find(document, "fieldset", id=f"id_{field_name}-fieldset")
    assert "fr-fieldset--error" in classes(fieldset)
    assert attrs(fieldset)["aria-labelledby"] == f"id_{field_name}-legend id_{field_name}-desc-error"
    messages = find(fieldset, "div", css=["fr-messages-group"])
    assert attrs(messages)["id"] == f"id_{field_name}-desc-error"
    assert attrs(messages)["aria-live"] == "assertive"
    error = find(messages, "p")
    assert classes(error) == {"fr-message", "fr-message--error"}
    assert text(error) == form.errors[field_name][0]


def test_a_lone_checkbox_puts_its_label_after_the_box():
    document = parse_html(render(FILTER, ContactForm()))

    group = group_of(document, "consent")
    assert classes(group) == {"fr-checkbox-group", "fr-mb-3w"}
    checkbox, label = group.children
    assert checkbox.name == "input"
    assert attrs(checkbox)["type"] == "checkbox"
    assert attrs(checkbox)["id"] == "id_consent"
    assert label.name == "label"
    assert attrs(label)["for"] == "id_consent"
    assert text(label).startswith("J'accepte que mes données soient traitées")


def test_a_lone_checkbox_error_follows_its_label():
    form = ContactForm(data=BAD_CHOICES_DATA, files=a_file())
    document = parse_html(render(TAG, form))

    group = group_of(document, "consent")
    assert "fr-checkbox-group--error" in classes(group)
    checkbox, label, messages = group.children
    assert attrs(checkbox)["aria-describedby"] == "id_consent-desc-error"
    assert attrs(messages)["id"] == "id_consent-desc-error"
    assert text(find(messages, "p", css=["fr-message--error"])) == form.errors["consent"][0]


def test_choices_submitted_with_other_errors_stay_checked():
    data = {**BAD_CHOICES_DATA, "channel": "desk", "topics": ["reception"], "email": "wrong"}
    document = parse_html(render(TAG, ContactForm(data=data, files=a_file())))

    checked = [attrs(box)["id"] for box in find_all(document, "input") if "checked" in attrs(box)]
    assert checked == ["id_channel_2", "id_topics_1"]


@pytest.mark.parametrize("template", [TAG, FILTER], ids=["crispy-tag", "crispy-filter"])
def test_non_field_errors_are_a_dsfr_error_alert(template):
    form = ContactForm(data={**BAD_CHOICES_DATA, "name": "doublon"})
    html = render(template, form)
    document = parse_html(html)

    alert = find(document, "div", role="alert")
    assert classes(alert) == {"fr-alert", "fr-alert--error", "fr-mb-3w"}
    assert text(find(alert, "p", css=["fr-alert__title"])) == "The form contains errors"
    assert "Une demande <em>identique</em> existe déjà." in text(alert)
    assert "&lt;em&gt;identique&lt;/em&gt;" in html


def test_no_alert_without_non_field_errors():
    document = parse_html(render(TAG, ContactForm(data=BAD_TEXT_DATA)))

    assert find_all(document, css=["fr-alert"]) == []


def test_a_field_with_several_errors_lists_them_all_under_one_described_id():
    class CodeForm(forms.Form):
        code = forms.CharField(validators=[RegexValidator(r"^\d+$", "Digits only."), MinLengthValidator(5)])

    form = CodeForm(data={"code": "ab"})
    document = parse_html(render(TAG, form))

    group = group_of(document, "code")
    container = find(group, "div", id="id_code-desc-error")
    assert [text(error) for error in find_all(container, "p", css=["fr-error-text"])] == form.errors["code"]
    assert len(form.errors["code"]) == 2
    assert attrs(find(group, "input"))["aria-describedby"] == "id_code-desc-error"


@pytest.mark.parametrize("bound", [False, True], ids=["unbound", "bound"])
@pytest.mark.parametrize("template", [TAG, FILTER], ids=["crispy-tag", "crispy-filter"])
def test_ids_are_unique_and_every_reference_points_to_one(template, bound):
    form = ContactForm(data=BAD_TEXT_DATA if bound else None)
    document = parse_html(render(template, form))

    ids = [attrs(element)["id"] for element in elements(document) if "id" in attrs(element)]
    assert len(ids) == len(set(ids))
    references = [attrs(label)["for"] for label in find_all(document, "label")]
    for element in elements(document):
        for reference in ("aria-describedby", "aria-labelledby"):
            references += (attrs(element).get(reference) or "").split()
    assert references
    assert set(references) <= set(ids)


def contact_form_with_layout(**kwargs):
    form = ContactForm(**kwargs)
    form.helper = FormHelper()
    form.helper.layout = Layout(
        Fieldset("Vos coordonnées", "name", "email"),
        Fieldset("Votre demande", "service", "channel", "topics", "message", "attachment", "visit_date"),
        "copies",
        "consent",
        ButtonHolder(Submit("send", "Envoyer"), Button("cancel", "Annuler")),
    )
    return form


def test_a_layout_fieldset_becomes_a_dsfr_fieldset_with_its_legend():
    document = parse_html(render(TAG, contact_form_with_layout()))

    fieldsets = [
        fieldset for fieldset in find_all(document, "fieldset", css=["fr-fieldset"]) if "id" not in attrs(fieldset)
    ]
    legends = [fieldset.children[0] for fieldset in fieldsets]
    assert [(legend.name, classes(legend), text(legend)) for legend in legends] == [
        ("legend", {"fr-fieldset__legend"}, "Vos coordonnées"),
        ("legend", {"fr-fieldset__legend"}, "Votre demande"),
    ]
    first = find(fieldsets[0], "div", css=["fr-fieldset__element"])
    assert find(first, "input", id="id_name")
    assert find(first, "input", id="id_email")
    assert find_all(first, "select") == []
    assert find(fieldsets[1], "fieldset", id="id_channel-fieldset")


def test_layout_buttons_are_dsfr_buttons_in_a_button_group():
    html = render(TAG, contact_form_with_layout())
    document = parse_html(html)

    group = find(document, "div", css=["fr-btns-group"])
    send, cancel = find_all(group, "button")
    assert classes(send) == {"fr-btn"}
    assert attrs(send)["type"] == "submit"
    assert attrs(send)["name"] == "send"
    assert text(send) == "Envoyer"
    assert classes(cancel) == {"fr-btn", "fr-btn--secondary"}
    assert attrs(cancel)["type"] == "button"
    assert "btn-primary" not in html


def test_helper_inputs_and_extra_button_classes():
    form = ContactForm()
    form.helper = FormHelper()
    form.helper.add_input(Submit("save", "Enregistrer"))
    form.helper.add_input(Submit("draft", "Brouillon", css_class="fr-btn--secondary"))
    document = parse_html(render(TAG, form))

    form_element = find(document, "form")
    group = find(form_element, "div", css=["fr-btns-group"])
    assert [(classes(button), attrs(button)["type"], text(button)) for button in find_all(group, "button")] == [
        ({"fr-btn"}, "submit", "Enregistrer"),
        ({"fr-btn", "fr-btn--secondary"}, "submit", "Brouillon"),
    ]


def test_a_layout_keeps_errors_and_values_on_the_right_fields():
    form = contact_form_with_layout(data=BAD_TEXT_DATA)
    document = parse_html(render(TAG, form))

    identity = find_all(document, "fieldset", css=["fr-fieldset"])[0]
    name_group = group_of(identity, "name")
    assert "fr-input-group--error" in classes(name_group)
    assert text(find(name_group, "p", css=["fr-error-text"])) == form.errors["name"][0]
    assert attrs(find(name_group, "input"))["aria-describedby"] == "id_name-desc-error"
    assert attrs(find(name_group, "input"))["value"] == "Jean-Baptiste Poquelin"


def test_a_formset_in_a_dsfr_table_keeps_labels_for_screen_readers():
    class LineForm(forms.Form):
        title = forms.CharField(label="Titre")
        count = forms.IntegerField(label="Nombre", required=False)

    formset = forms.formset_factory(LineForm, extra=2)()
    helper = FormHelper()
    helper.template = "dsfr/table_inline_formset.html"
    html = Template("{% load crispy_forms_tags %}{% crispy formset helper %}").render(
        Context({"formset": formset, "helper": helper, "csrf_token": "token-for-tests"})
    )
    document = parse_html(html)

    table = find(find(document, "div", css=["fr-table"]), "table")
    assert [" ".join(text(header).split()) for header in find_all(table, "th")] == ["Titre", "Nombre (Optional)"]
    assert len(find_all(table, "tbody")[0].children) == 2
    label = find(table, "label", **{"for": "id_form-1-count"})
    assert classes(label) == {"fr-label", "fr-sr-only"}
    assert find(document, "input", name="form-TOTAL_FORMS")
