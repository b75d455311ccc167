"""The demo loaders, in the order they run. Later apps append theirs here."""

from . import core

LOADERS = [
    ("prefectures, sites and services", core.load_prefectures),
    ("demo accounts", core.load_accounts),
]
