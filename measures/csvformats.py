"""The two files the measures import (``qualipref.csvimport`` reads them): calls and counter tickets.

Calls (one call received per row):

=================  =================================================  ========
column             aliases                                            required
=================  =================================================  ========
date_appel         date_heure, date, debut, called_at                 yes
site               ligne, line, site_name                             no
duree_sonnerie     sonnerie_s, temps_sonnerie, ring_seconds           one of
sonneries          nb_sonneries, rings                                these two
issue              statut, resultat, outcome                          yes
=================  =================================================  ========

``issue``: answered (``repondu``, ``decroche``, ``answered``…), lost (``perdu``, ``non_repondu``, ``lost``…) or
abandoned by the caller (``abandonne``, ``raccroche``, ``abandoned``…). A ring time given in rings is turned into
seconds with ``MEASURES_RING_SECONDS`` (5 s a ring).

Counter tickets (one ticket taken at a site's queue per row):

=================  =================================================  ========
column             aliases                                            required
=================  =================================================  ========
site               site_name, guichet                                 no
arrivee            heure_arrivee, date_arrivee, arrival, arrived_at   yes
appel              heure_appel, date_appel, called_at                 yes (may be empty: left unserved)
fin                heure_fin, date_fin, fin_service, ended_at          no
ticket             numero, numero_ticket, ticket_id                   no
=================  =================================================  ========

Dates and times: ``2026-03-14 09:12:33``, ``2026-03-14T09:12`` or ``14/03/2026 09:12[:33]``, the prefecture's
local time.
"""

from django.utils.translation import gettext_lazy as _

from qualipref.csvimport import CsvFormat

from .enums import CallOutcome, ImportKind

CALL_FIELDS = {
    "called_at": ("date_appel", "date_heure", "date", "debut", "called_at"),
    "site": ("site", "ligne", "line", "site_name"),
    "ring_seconds": ("duree_sonnerie", "sonnerie_s", "temps_sonnerie", "ring_seconds"),
    "rings": ("sonneries", "nb_sonneries", "rings"),
    "outcome": ("issue", "statut", "resultat", "outcome"),
}
TICKET_FIELDS = {
    "site": ("site", "site_name", "guichet"),
    "arrived_at": ("arrivee", "heure_arrivee", "date_arrivee", "arrival", "arrived_at"),
    "called_at": ("appel", "heure_appel", "date_appel", "called_at"),
    "ended_at": ("fin", "heure_fin", "date_fin", "fin_service", "ended_at"),
    "ticket": ("ticket", "numero", "numero_ticket", "ticket_id"),
}

# The outcomes as exports write them (matched as column names are: no case, accents or spaces).
OUTCOMES = {
    **dict.fromkeys(("repondu", "decroche", "answered", "traite", "abouti", "ok"), CallOutcome.ANSWERED),
    **dict.fromkeys(
        ("perdu", "non_repondu", "sans_reponse", "non_decroche", "lost", "missed", "no_answer", "debordement"),
        CallOutcome.LOST,
    ),
    **dict.fromkeys(("abandonne", "abandon", "raccroche", "abandoned", "hang_up"), CallOutcome.ABANDONED),
}

CALLS_FORMAT = CsvFormat(
    fields=CALL_FIELDS,
    required=("called_at", "outcome"),
    max_line_setting="MEASURES_IMPORT_MAX_LINE_BYTES",
    line_too_long=_(
        "Line %(line)s is longer than %(limit)s: a row of calls or tickets holds a few dozen characters. Is this "
        "really the export of a telephony or queue-management system? Check that line, or export the file again."
    ),
    no_rows=_("The file holds a header row but no call."),
)
TICKETS_FORMAT = CsvFormat(
    fields=TICKET_FIELDS,
    required=("arrived_at", "called_at"),
    max_line_setting="MEASURES_IMPORT_MAX_LINE_BYTES",
    line_too_long=CALLS_FORMAT.line_too_long,
    no_rows=_("The file holds a header row but no ticket."),
)

FORMATS = {ImportKind.CALLS: CALLS_FORMAT, ImportKind.TICKETS: TICKETS_FORMAT}
