"""Filling an answer template's placeholders for one case.

Plain string replacement of the known placeholders, in one pass: the template and the values are
user text (an officer's template, a citizen's name), so nothing here is ever rendered as a Django
template, and a value that happens to contain ``{reference}`` is not replaced again.
"""

import re

from django.utils import translation
from django.utils.translation import gettext, ngettext

from qualipref.dates import format_date

from .models import AnswerTemplate

_PLACEHOLDER = re.compile("|".join(re.escape(placeholder) for placeholder in AnswerTemplate.PLACEHOLDERS))

# What an officer still has to replace before sending: « [préciser la pièce] », or a placeholder in braces, known
# or not (one typed by hand is not filled at sending). A quotation's elision « […] » or a note « [1] » holds no letter.
_UNFILLED = re.compile(r"\[[^\[\]\n]*?[^\W\d_][^\[\]\n]*?\]|\{[^{}\n]*?[^\W\d_][^{}\n]*?\}")

# Answers go to French citizens: dates and the greeting are written in French whatever the officer's language.
ANSWER_LANGUAGE = "fr"
NO_NAME = "Madame, Monsieur"


def placeholder_values(case, officer):
    with translation.override(ANSWER_LANGUAGE):
        received = format_date(case.received_on, "j F Y")
    officer_name = (officer.get_full_name() if officer else "") or ""
    signature = "\n".join(line for line in (officer_name, case.prefecture.name) if line)
    return {
        "{nom}": case.name.strip() or NO_NAME,
        "{reference}": case.reference,
        "{date_reception}": received,
        "{service}": case.service.name if case.service_id else case.prefecture.name,
        "{signature}": signature,
    }


def fill_placeholders(template_body, case, officer):
    """``template_body`` with each known placeholder replaced by the case's (or the officer's) value.

    Unknown braces (``{autre}``) are left as they are, for the officer to see and fix before sending.
    """
    values = placeholder_values(case, officer)
    return _PLACEHOLDER.sub(lambda match: values[match.group(0)], template_body)


def unfilled_placeholders(text):
    """The passages of ``text`` left to complete (``[préciser la pièce]``, ``{piece}``), each once, in order."""
    return list(dict.fromkeys(_UNFILLED.findall(text)))


def unfilled_placeholders_message(text):
    """Why an answer cannot reach the citizen yet — it still holds a passage to complete — or None.

    No "send anyway": a bracketed passage is never meant for the citizen, and the officer rewrites it in a moment.
    """
    passages = unfilled_placeholders(text)
    if not passages:
        return None
    quoted = ", ".join(gettext("“%(passage)s”") % {"passage": passage} for passage in passages)
    return ngettext(
        "The answer still holds a passage to complete: %(passages)s. Replace it with what the citizen should read, "
        "then send the answer.",
        "The answer still holds passages to complete: %(passages)s. Replace them with what the citizen should read, "
        "then send the answer.",
        len(passages),
    ) % {"passages": quoted}
