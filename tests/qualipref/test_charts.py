"""The SVG charts' geometry: every value where the axes say it is, gaps left out, same months for every series."""

import datetime
import re

import pytest

from delays.charts import trend_chart
from qualipref.charts import BOTTOM, HEIGHT, TOP, line_chart, line_chart_series
from qualipref.dates import months_from

MONTHS = [datetime.date(2026, m, 1) for m in (1, 2, 3, 4)]
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM


def value_at(chart, y):
    """The value a point's height stands for, read back from the chart's top grid line."""
    top = float(chart["grid"][-1]["label"].replace(",", ".").replace("\u202f", ""))
    return top * (1 - (y - TOP) / PLOT_HEIGHT)


def test_a_series_keeps_its_values_and_skips_its_gaps():
    chart = line_chart(list(zip(MONTHS, [12, None, 30, 18], strict=True)))
    assert [month for _x, _y, _v, month in chart["points"]] == [MONTHS[0], MONTHS[2], MONTHS[3]]
    for _x, y, value, _month in chart["points"]:
        assert value_at(chart, y) == pytest.approx(value, abs=0.2)
    xs = [x for x, _y, _v, _m in chart["points"]]
    assert xs == sorted(xs) and chart["months"][0]["x"] == xs[0] and chart["months"][-1]["x"] == xs[-1]
    assert chart["path"].count(",") == 3
    assert chart["target_y"] is None


def test_a_ceiling_and_a_target():
    chart = line_chart(list(zip(MONTHS, [80, 120, 95, 100], strict=True)), target=90, ceiling=100)
    assert chart["grid"][-1]["label"] == "100"
    assert chart["points"][1][1] == TOP  # 120 % is drawn at the top, not above it
    assert value_at(chart, chart["target_y"]) == pytest.approx(90, abs=0.2)


def test_several_series_share_months_and_axis():
    chart = line_chart_series(MONTHS, {"a": [10, 20, None, 40], "b": [None, 5, 6, 7]})
    assert [p[2] for p in chart["a"]["points"]] == [10, 20, 40]
    assert [p[2] for p in chart["b"]["points"]] == [5, 6, 7]
    assert chart["a"]["points"][1][0] == chart["b"]["points"][0][0]  # February at the same x
    assert value_at(chart, chart["a"]["points"][-1][1]) == pytest.approx(40, abs=0.2)
    with pytest.raises(ValueError):
        line_chart_series(MONTHS, {"short": [1, 2]})


def test_the_delays_trend_draws_the_prefecture_beside_the_nation():
    class Figure:
        def __init__(self, mean):
            self.mean_days = mean

    trend = [
        {"month": MONTHS[0], "figure": Figure(45), "national": 60},
        {"month": MONTHS[1], "figure": None, "national": 62},
        {"month": MONTHS[2], "figure": Figure(38), "national": None},
    ]
    chart = trend_chart(trend)
    assert [p[2] for p in chart["prefecture"]["points"]] == [45, 38]
    assert [p[2] for p in chart["national"]["points"]] == [60, 62]


def test_month_labels_read_as_months_with_the_year_in_full_and_none_is_clipped():
    from django.template import Context, Template
    from django.utils import translation

    from qualipref.charts import WIDTH

    months = months_from(datetime.date(2025, 8, 1), 12)
    chart = line_chart([(month, 10) for month in months])
    with translation.override("fr"):
        svg = Template(
            '{% load l10n %}{% localize off %}{% include "components/chart_axes.svg.html" %}{% endlocalize %}'
        ).render(Context({"chart": chart}))
    labels = re.findall(r'<text x="([\d.]+)"[^>]*text-anchor="middle"[^>]*>([^<]+)</text>', svg)
    texts = [text for _x, text in labels]
    assert "juil." in texts and "sept." in texts and "2025" in texts and "2026" in texts
    assert not any(re.fullmatch(r"\w+\.? \d\d", text) for text in texts)  # no « juil. 26 »
    # 11 px text: about 6.5 px a character; half of each label on either side of its tick stays inside the chart.
    assert all(float(x) + 6.5 * len(text) / 2 <= WIDTH for x, text in labels)
