"""Geometry of the trend chart, drawn as SVG by a template (no script, same figures as the table beside it)."""

from django.utils import formats

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 40


def _nice_ceiling(value):
    for step in (5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if value <= step * 5:
            return step * ((int(value) // step) + 1), step
    return int(value) + 1, max(1, int(value) // 5)


def trend_chart(trend):
    """Points and axes for the prefecture's monthly mean and the national mean over ``trend``'s months."""
    values = [float(v) for p in trend for v in (p["figure"] and p["figure"].mean_days, p["national"]) if v is not None]
    top, step = _nice_ceiling(max(values, default=10))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = len(trend)

    def x(i):
        return round(LEFT + (plot_w * i / (count - 1) if count > 1 else plot_w / 2), 1)

    def y(value):
        return round(TOP + plot_h * (1 - float(value) / top), 1)

    def series(getter):
        points = [(x(i), y(v), v, p["month"]) for i, p in enumerate(trend) if (v := getter(p)) is not None]
        return {"points": points, "path": " ".join(f"{px},{py}" for px, py, _v, _m in points)}

    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "bottom": HEIGHT - BOTTOM,
        "label_y": HEIGHT - BOTTOM + 18,
        "grid": [{"y": y(v), "label": formats.number_format(v)} for v in range(0, top + 1, step)],
        "months": [{"x": x(i), "month": p["month"]} for i, p in enumerate(trend)],
        "prefecture": series(lambda p: p["figure"].mean_days if p["figure"] else None),
        "national": series(lambda p: p["national"]),
    }
