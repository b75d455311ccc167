"""The demo loaders, in the order they run. Later apps append theirs here."""

from committee import demo as committee_demo
from complaints import demo as complaints_demo
from delays import demo as delays_demo
from surveys import demo as surveys_demo

from ..engagements import demo as engagements_demo
from . import core

LOADERS = [
    ("prefectures, sites and services", core.load_prefectures),
    ("demo accounts", core.load_accounts),
    ("complaints and suggestions", complaints_demo.load_cases),
    ("delivery delays (three years, published but the last month)", delays_demo.load_delays),
    ("satisfaction surveys (an open reception survey with answers)", surveys_demo.load_surveys),
    ("users' committees (La Réunion: two years of meetings, working groups, actions)", committee_demo.load_committees),
    ("engagements: manual measures and two years of monthly results", engagements_demo.load_engagements),
]
