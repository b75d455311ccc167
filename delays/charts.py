"""The delays trend chart: the prefecture's monthly mean beside the national one (``qualipref.charts``)."""

from qualipref.charts import line_chart_series


def trend_chart(trend):
    """Points and axes for the prefecture's monthly mean and the national mean over ``trend``'s months."""
    return line_chart_series(
        [p["month"] for p in trend],
        {
            "prefecture": [p["figure"].mean_days if p["figure"] else None for p in trend],
            "national": [p["national"] for p in trend],
        },
    )
