"""What a reader of a French page sees that is not French: shared by the translation tests and the site crawler.

The English vocabulary is every word of the English msgids the portal can show (our catalogue, Django's and the
dependencies'), minus every word that also appears in one of their French translations: "Change", "status",
"uploaded" and "by" are in it, "date", "document" and "service" are not.
"""

import gettext
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings

# Words an English msgid holds that a French page may show as they are: proper names, words French shares with
# English but our translations happen not to use, and abbreviations.
ALLOWED_WORDS = {
    "qualipref",
    "marianne",
    "dsfr",
    "pdf",
    "csv",
    "json",
    "api",
    "url",
    "ics",
    "svg",
    "sha",
    "ok",
    "id",
    "e-mail",
    "mail",
    "email",
    "web",
    "internet",
    "france",
    "réunion",
    "guadeloupe",
    "gironde",
    "moselle",
    "val-de-marne",
    "saint-denis",
    "saint-pierre",
    "saint-benoît",
    "saint-paul",
    "django",
    "weasyprint",
    "celery",
    "redis",
    "postgresql",
    "github",
    "ip",
    "n",
    "nb",
    "max",
    "min",
    "test",
    "simple",
    "total",
    "code",
    "public",
    "local",
    "national",
    "original",
    "page",
    "message",
    "messages",
    "date",
    "dates",
    "actions",
    "action",
    "type",
    "types",
    "question",
    "questions",
    "minutes",
    "note",
    "notes",
    "services",
    "service",
    "contact",
    "site",
    "sites",
    "accessibilite",
    "pm",  # Saint-Pierre-et-Miquelon, among the holiday subdivisions
    # French words spelt like English ones, and names: « Direction du management de l’administration territoriale »,
    # « Licence Ouverte / Open Licence », « le comité examine », « 1 an », « le sort de vos données ».
    "an",
    "sort",
    "trace",
    "examine",
    "management",
    "open",
    "places",
}

# Elements whose text no reader sees, and code (identifiers, cookie and column names) that is no language.
_INVISIBLE = {"script", "style", "template", "noscript", "head", "title", "code", "kbd", "samp"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_READ_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder")


class _VisibleText(HTMLParser):
    """Visible text and the attributes a reader or a screen reader gets, outside any part marked in another
    language (``lang="en"`` on a French page: the language switcher's "English")."""

    def __init__(self, language):
        super().__init__(convert_charrefs=True)
        self.language = language
        self.stack = []  # (tag, skipped)
        self.chunks = []

    @property
    def skipped(self):
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        lang = (attrs.get("lang") or "").split("-")[0]
        skipped = (
            self.skipped or tag in _INVISIBLE or "hidden" in attrs or bool(lang and lang != self.language)
        ) and tag != "html"
        if not skipped:
            self.chunks.extend(attrs[name] for name in _READ_ATTRIBUTES if attrs.get(name))
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.chunks.append(attrs["value"])
        if tag not in _VOID:
            self.stack.append((tag, skipped))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        if not self.skipped:
            self.chunks.append(data)


def visible_text(html, *, language="fr"):
    parser = _VisibleText(language)
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(parser.chunks).split())


_DOTTED = re.compile(r"[^\W_]\.[^\W\d_]")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def words(text):
    """The words of ``text``, lower case; addresses, paths, e-mail addresses and placeholders left out."""
    found = []
    for token in text.split():
        if "/" in token or "@" in token or "{" in token:  # paths, addresses, e-mails, answer placeholders
            continue
        if _DOTTED.search(token) or "*" in token or any(char.isdigit() for char in token):
            continue  # domain and file names (data.gouv.fr), references, codes, masked hashes (6AE, dd51b1****)
        found.extend(word.lower() for word in _WORD.findall(token.replace("’", " ").replace("'", " ")))
    return found


def _catalogue_files(language):
    yield Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / "django.mo"
    yield Path(django.__file__).parent / "conf" / "locale" / language / "LC_MESSAGES" / "django.mo"
    for config in apps.get_app_configs():
        path = Path(config.path) / "locale" / language / "LC_MESSAGES" / "django.mo"
        if path.exists():
            yield path


def catalogue(path):
    """``{msgid: msgstr}`` of a compiled catalogue; a context is ``"context\\x04msgid"``, a plural form
    ``(msgid, n)``."""
    with open(path, "rb") as file:
        return {key: value for key, value in gettext.GNUTranslations(file)._catalog.items() if key != ""}


def our_catalogue():
    return catalogue(next(_catalogue_files("fr")))


def dependency_catalogues():
    """``{label: catalogue}`` of Django's and every installed dependency's French catalogue."""
    ours = next(_catalogue_files("fr"))
    return {"/".join(path.parts[-6:-3]): catalogue(path) for path in _catalogue_files("fr") if path != ours}


def _msgid(key):
    msgid = key[0] if isinstance(key, tuple) else key
    return msgid.split("\x04")[-1]


@cache
def english_words():
    """Words of the English msgids that no French translation uses."""
    english, french = set(), set()
    catalogues = [our_catalogue(), *dependency_catalogues().values()]
    for entries in catalogues:
        for key, value in entries.items():
            english.update(words(re.sub(r"%\(\w+\)[sd]|\{\w*\}|%[sd]", " ", _msgid(key))))
            french.update(words(value))
    return frozenset(english - french - ALLOWED_WORDS)


def english_in(text):
    """The English words of a French page's ``text``, each with the first passage it appears in, in order."""
    vocabulary = english_words()
    found = {}
    for word in words(text):
        if word in vocabulary and word not in found:
            match = re.search(rf"(?<![^\W\d_]){re.escape(word)}(?![^\W\d_])", text, re.IGNORECASE)
            start = match.start() if match else 0
            found[word] = f"{word} («{text[max(0, start - 50) : start + 40]}»)"
    return list(found.values())
