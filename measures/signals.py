"""What the measures tell the apps above them (which listen; this app never imports them)."""

from django.dispatch import Signal

# Sent after the commit when the rows of some months changed (an import counted or withdrawn, a mystery visit
# saved or deleted): ``prefecture_id`` and ``months`` (first days of the months). ``engagements`` recomputes
# those months' figures.
measures_changed = Signal()
