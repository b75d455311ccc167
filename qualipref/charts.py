"""Geometry of accessible monthly line charts, drawn as SVG by templates (no script; a data table goes beside them).

``line_chart``: one series of ``(month, value or None)`` and an optional horizontal target line
(engagements, reports). ``line_chart_series``: several named series over the same months (the delays
page: the prefecture's mean beside the national one).
"""

from django.utils import formats

WIDTH, HEIGHT = 640, 260
# RIGHT leaves half of the widest month label (« sept. », « 2026 ») beside the last month, which sits on the edge.
LEFT, RIGHT, TOP, BOTTOM = 48, 24, 16, 40


def _nice_ceiling(value):
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if value <= step * 5:
            return step * ((int(value) // step) + 1), step
    return int(value) + 1, max(1, int(value) // 5)


def line_chart_series(months, series, *, target=None, ceiling=None):
    """``series``: ``{name: [value or None per month]}``, oldest month first; each name becomes a key of the
    chart holding its ``points`` (``(x, y, value, month)``) and its SVG ``path``. ``ceiling`` fixes the top
    (100 for a share)."""
    values = [float(v) for column in series.values() for v in column if v is not None]
    values += [float(target)] if target is not None else []
    if ceiling is not None:
        top, step = ceiling, ceiling // 5 or 1
    else:
        top, step = _nice_ceiling(max(values, default=10))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = len(months)

    def x(i):
        return round(LEFT + (plot_w * i / (count - 1) if count > 1 else plot_w / 2), 1)

    def y(value):
        return round(TOP + plot_h * (1 - min(float(value), top) / top), 1)

    chart = {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "bottom": HEIGHT - BOTTOM,
        "label_y": HEIGHT - BOTTOM + 16,
        "year_y": HEIGHT - BOTTOM + 30,
        "grid": [{"y": y(v), "label": formats.number_format(v)} for v in range(0, top + 1, step)],
        # Each month by its abbreviation (« juil. »), its year in full under the first month and each January: a
        # two-digit year (« juil. 26 ») reads as a day.
        "months": [
            {"x": x(i), "month": month, "shows_year": i == 0 or month.month == 1} for i, month in enumerate(months)
        ],
        "target_y": y(target) if target is not None else None,
    }
    for name, column in series.items():
        points = [
            (x(i), y(v), v, month) for i, (month, v) in enumerate(zip(months, column, strict=True)) if v is not None
        ]
        chart[name] = {"points": points, "path": " ".join(f"{px},{py}" for px, py, _v, _m in points)}
    return chart


def line_chart(points, *, target=None, ceiling=None):
    """``points``: ``[(month, value or None)]`` oldest first; its ``points`` and ``path`` on the chart itself."""
    chart = line_chart_series(
        [month for month, _v in points], {"series": [v for _m, v in points]}, target=target, ceiling=ceiling
    )
    chart.update(chart.pop("series"))
    return chart
