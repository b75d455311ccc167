"""French typography in what a French reader gets: the catalogue's translations and the pages written in French.

Typographic apostrophes (’), a narrow no-break space (U+202F) before « : ; ! ? », no space before a full stop,
« 1er » for the first day of a month, thousands separated by a narrow no-break space (« 1 201 »)."""

import ast
import datetime
import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

from qualipref.dates import format_date

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
FRENCH_TEMPLATES = sorted((ROOT / "templates").rglob("*_fr.html"))
NNBSP = "\u202f"


def french_translations():
    """(line, msgid, msgstr) for every translated entry of the French catalogue."""
    entries, current, field, line = [], {}, None, 0
    for number, raw in enumerate([*CATALOGUE.read_text().splitlines(), ""], start=1):
        text = raw.strip()
        if text.startswith(("msgid ", "msgstr", "msgctxt ", "msgid_plural ")):
            field, value = text.split(" ", 1)
            if field in {"msgid", "msgctxt"} and "msgstr" in current:
                entries.append((line, current))
                current = {}
            if field == "msgid":
                line = number
            current[field] = current.get(field, "") + ast.literal_eval(value)
        elif text.startswith('"') and field:
            current[field] += ast.literal_eval(text)
        elif not text:
            field = None
    entries.append((line, current))
    return [
        (line, entry["msgid"], value)
        for line, entry in entries
        if entry.get("msgid")
        for key, value in entry.items()
        if key.startswith("msgstr") and value
    ]


def text_of(html):
    """What a reader sees of a template: tags, template tags and comments left out."""
    html = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", " ", html, flags=re.S)
    html = re.sub(r"{%.*?%}|{{.*?}}", "X", html, flags=re.S)
    return re.sub(r"<[^>]*>", "", html)


def faults(text):
    """The typographic faults of a French text.

    Before « ; ! ? » a narrow no-break space; before « : » a no-break space, narrow or not (the Imprimerie
    nationale's rule is the full one, which most of the catalogue follows)."""
    prose = re.sub(r"<[^>]*>", " ", text)  # attribute values are not prose
    prose = re.sub(r"\b[a-z]+://\S+|\bmailto:\S+|%\([a-z_]+\)[sd]|\d+:\d+|\S*\?[a-z_]+=\S*|«\s[:;!?]\s»", "X", prose)
    found = []
    if "'" in prose:
        found.append("straight apostrophe")
    if re.search(r"(?<![\u00a0\u202f]):|(?<!\u202f)[;!?]", prose):
        found.append("no narrow no-break space before « : ; ! ? »")
    if re.search(r"\s\.(?!\.)", prose):
        found.append("space before a full stop")
    return found


def test_the_french_catalogue_has_french_typography():
    wrong = [
        f"django.po:{line}: {fault}: {translated!r}"
        for line, msgid, translated in french_translations()
        for fault in faults(translated)
    ]
    assert wrong == [], "\n".join(wrong)


@pytest.mark.parametrize("template", FRENCH_TEMPLATES, ids=lambda path: path.name)
def test_pages_written_in_french_have_french_typography(template):
    wrong = [
        f"{template.relative_to(ROOT)}: {fault}: {line.strip()!r}"
        for line in text_of(template.read_text()).splitlines()
        for fault in faults(line)
    ]
    assert wrong == [], "\n".join(wrong)


def test_the_check_finds_each_fault():
    assert faults("l'accueil") == ["straight apostrophe"]
    assert faults("n° 9 : jeudi") == ["no narrow no-break space before « : ; ! ? »"]
    assert faults("Pourquoi?") == ["no narrow no-break space before « : ; ! ? »"]
    assert faults("Fin .") == ["space before a full stop"]
    assert faults(f"n° 9{NNBSP}: jeudi 1er juillet à 10:30, l’accueil{NNBSP}? https://example.org/?a=b.") == []


@pytest.mark.parametrize(
    ("template", "french", "english"),
    [
        ('{{ d|date:"DATE_FORMAT" }}', "1er juillet 2026", "July 1, 2026"),
        ('{{ d|date:"l j F Y" }}', "mercredi 1er juillet 2026", "Wednesday 1 July 2026"),
        ("{{ d|date }}", "1er juillet 2026", "July 1, 2026"),
        ('{{ d|date:"SHORT_DATE_FORMAT" }}', "01/07/2026", "07/01/2026"),
        ('{{ next|date:"DATE_FORMAT" }}', "2 juillet 2026", "July 2, 2026"),
    ],
)
def test_the_first_of_a_month_is_written_1er_in_french(template, french, english):
    context = Context({"d": datetime.date(2026, 7, 1), "next": datetime.date(2026, 7, 2)})
    for language, expected in (("fr", french), ("en", english)):
        with translation.override(language):
            assert Template(template).render(context) == expected


def test_python_code_writes_the_first_of_a_month_the_same_way():
    with translation.override("fr"):
        assert format_date(datetime.date(2026, 1, 1), "j F Y") == "1er janvier 2026"
        assert (
            format_date(datetime.datetime(2026, 1, 1, 9, 30, tzinfo=datetime.UTC), "DATETIME_FORMAT")
            == "1er janvier 2026 09:30"
        )


def test_thousands_are_separated_by_a_narrow_no_break_space_in_french():
    template = Template("{% load humanize %}{{ n|intcomma }} réponses")
    with translation.override("fr"):
        assert template.render(Context({"n": 1201})) == f"1{NNBSP}201 réponses"
    with translation.override("en"):
        assert template.render(Context({"n": 1201})) == "1,201 réponses"
