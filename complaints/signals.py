"""Signals other apps listen to, so that complaints need not know them."""

from django.dispatch import Signal

# Sent by retention inside each batch's transaction, with ``case_ids``: the cases just anonymised. An app that
# copied what a citizen wrote (the committee's agenda copies a suggestion's subject) removes its copy.
cases_anonymised = Signal()
