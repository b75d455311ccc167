"""French is the portal's default: every string of the catalogue has its French form, in the sense it has everywhere
it is shown."""

import subprocess
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation

from committee.models import Meeting
from engagements.enums import Unit
from tests.qualipref.factories import PrefectureFactory, officer_of

from .i18n_checks import dependency_catalogues, english_in, our_catalogue

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def test_french_catalogue_is_complete_and_well_formed():
    result = subprocess.run(
        ["msgfmt", "--check-format", "--statistics", "-o", "/dev/null", str(CATALOGUE)],
        capture_output=True,
        text=True,
        env={"LC_ALL": "C"},
    )
    assert result.returncode == 0, result.stderr
    assert "translated message" in result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


# Our French deliberately replaces a dependency's for these msgids (the same sense, our wording), with the reason.
DELIBERATE_OVERRIDES = {
    "(Optional)": "the State's forms say « facultatif » (django-dsfr's catalogue says « Optionnel »)",
    "What is FranceConnect?": "a narrow no-break space before « ? », as everywhere on the portal (django-dsfr's has a "
    "no-break space)",
    "Website": "a topic: the portal's « Site internet » (django-dsfr's « Site » names a page of its own)",
}


def test_no_msgid_of_ours_translates_a_dependency_msgid_differently():
    """A msgid we share with Django, its admin or a dependency overrides their translation on their pages too:
    it must mean the same, or carry a context (``pgettext``, ``{% translate … context … %}``)."""
    ours = our_catalogue()
    clashes = [
        f"{key!r}: ours {ours[key]!r}, {label} {theirs[key]!r}"
        for label, theirs in dependency_catalogues().items()
        for key in theirs.keys() & ours.keys()
        if theirs[key] != ours[key] and (key[0] if isinstance(key, tuple) else key) not in DELIBERATE_OVERRIDES
    ]
    assert not clashes, "\n".join(clashes)


def test_deliberate_overrides_are_still_needed():
    catalogues = dependency_catalogues().values()
    for msgid in DELIBERATE_OVERRIDES:
        assert any(msgid in catalogue for catalogue in catalogues), msgid


def test_the_unit_minutes_and_the_meeting_minutes_read_differently():
    assert str(Unit.MINUTES.label) == "minutes"
    assert str(Meeting._meta.get_field("minutes").verbose_name) == "compte rendu"


@pytest.mark.django_db
def test_the_change_links_of_the_admin_home_read_modification(client):
    client.force_login(officer_of(PrefectureFactory()))
    html = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Évolution" not in html
    assert 'class="changelink"' in html and "Modification</a>" in html


def _model_strings():
    """Every name, label, choice and help text of our models, as the admin and the history pages show them."""
    for model in apps.get_models():
        if model._meta.app_label not in settings.QUALIPREF_APPS:
            continue
        if model.__name__.startswith("Historical"):
            continue
        yield model._meta.label, model._meta.verbose_name
        yield model._meta.label, model._meta.verbose_name_plural
        for field in model._meta.get_fields():
            if field.auto_created and not field.concrete:
                continue
            where = f"{model._meta.label}.{field.name}"
            yield where, field.verbose_name
            yield where, field.help_text
            for _value, label in field.flatchoices or ():
                yield where, label


def test_every_model_name_field_label_and_choice_is_french():
    with translation.override("fr"):
        english = [f"{where}: {found}" for where, text in _model_strings() if (found := english_in(str(text)))]
    assert not english, "\n".join(english)
