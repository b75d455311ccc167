"""Small SVG charts for the PDF, embedded as ``data:`` images (WeasyPrint draws them; nothing is fetched).

Labels come from the database (service and site names typed by officers): they are escaped as XML text.
"""

import base64
from xml.sax.saxutils import escape

from django.utils import formats

from qualipref.charts import line_chart

FONT = "font-family='Marianne, Arial, sans-serif'"
BLUE, GREY, RED = "#000091", "#929292", "#ce0500"


def data_uri(svg):
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _number(value):
    return formats.number_format(round(float(value), 1), decimal_pos=1 if float(value) % 1 else 0)


def bar_chart(rows, *, width=640, bar=14, label_width=200, unit=""):
    """Horizontal bars: ``rows`` are ``(label, value, previous or None)``; the previous period in grey below."""
    rows = list(rows)
    values = [float(v) for _l, v, p in rows for v in (v, p) if v is not None]
    top = max(values, default=0) or 1
    row_height = bar * 2 + 8
    height = row_height * len(rows) + 10
    plot = width - label_width - 60
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' viewBox='0 0 {width} {height}' "
        f"{FONT} font-size='11'>"
    ]
    for i, (label, value, previous) in enumerate(rows):
        y = 5 + i * row_height
        parts.append(f"<text x='{label_width - 6}' y='{y + bar}' text-anchor='end'>{escape(str(label)[:40])}</text>")
        for offset, figure, colour in ((0, value, BLUE), (bar, previous, GREY)):
            if figure is None:
                continue
            length = max(1.0, plot * float(figure) / top)
            parts.append(
                f"<rect x='{label_width}' y='{y + offset}' width='{length:.1f}' height='{bar - 2}' fill='{colour}'/>"
                f"<text x='{label_width + length + 4:.1f}' y='{y + offset + bar - 4}'>{_number(figure)}{unit}</text>"
            )
    parts.append("</svg>")
    return data_uri("".join(parts))


def trend_chart(points, *, target=None, ceiling=None):
    """A monthly line with its target, from the same geometry as the public results pages."""
    chart = line_chart(points, target=target, ceiling=ceiling)
    w, h = chart["width"], chart["height"]
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{w}' height='{h}' viewBox='0 0 {w} {h}' {FONT}>"]
    for line in chart["grid"]:
        parts.append(
            f"<line x1='{chart['left']}' x2='{chart['right']}' y1='{line['y']}' y2='{line['y']}' stroke='#ddd'/>"
            f"<text x='{chart['left'] - 6}' y='{line['y'] + 4}' text-anchor='end' font-size='12'>"
            f"{escape(str(line['label']))}</text>"
        )
    for month in chart["months"]:
        parts.append(
            f"<text x='{month['x']}' y='{chart['label_y']}' text-anchor='middle' font-size='12'>"
            f"{month['month']:%m/%y}</text>"
        )
    if chart["target_y"] is not None:
        parts.append(
            f"<line x1='{chart['left']}' x2='{chart['right']}' y1='{chart['target_y']}' y2='{chart['target_y']}' "
            f"stroke='{RED}' stroke-dasharray='6 4' stroke-width='2'/>"
        )
    if chart["path"]:
        parts.append(f"<polyline points='{chart['path']}' fill='none' stroke='{BLUE}' stroke-width='3'/>")
    for x, y, _value, _month in chart["points"]:
        parts.append(f"<circle cx='{x}' cy='{y}' r='4' fill='{BLUE}'/>")
    parts.append("</svg>")
    return data_uri("".join(parts))
