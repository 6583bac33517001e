"""Vega-Lite specs for answers: the same specs the API returns and the dashboard draws with
vega-embed. Data is inlined; tooltips and number formats are set so a chart reads alone.

>>> spec = line([{"date": "2026-11-01", "value": 3}], "DAU")
>>> spec["mark"]["type"], spec["encoding"]["y"]["title"]
('line', 'DAU')
"""

from __future__ import annotations

from typing import Any, Final

SCHEMA: Final = "https://vega.github.io/schema/vega-lite/v5.json"
Spec = dict[str, Any]


def line(rows: list[dict[str, Any]], title: str, series: str | None = None, fmt: str = ",.0f") -> Spec:
    """Values over time; one line per ``series`` value when given."""
    encoding: Spec = {
        "x": {"field": "date", "type": "temporal", "title": None, "axis": {"format": "%b %d"}},
        "y": {"field": "value", "type": "quantitative", "title": title, "axis": {"format": fmt}},
        "tooltip": [
            {"field": "date", "type": "temporal", "format": "%a %b %d, %Y"},
            *([{"field": series, "type": "nominal"}] if series else []),
            {"field": "value", "type": "quantitative", "format": fmt, "title": title},
        ],
    }
    if series:
        encoding["color"] = {"field": series, "type": "nominal", "title": None}
    return {
        "$schema": SCHEMA,
        "data": {"values": rows},
        "mark": {"type": "line", "point": len(rows) <= 62, "tooltip": True},
        "encoding": encoding,
        "width": "container",
    }


def bar(rows: list[dict[str, Any]], category: str, title: str, fmt: str = ",.0f") -> Spec:
    """One bar per category, largest first."""
    return {
        "$schema": SCHEMA,
        "data": {"values": rows},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "y": {"field": category, "type": "nominal", "sort": "-x", "title": None},
            "x": {"field": "value", "type": "quantitative", "title": title, "axis": {"format": fmt}},
            "tooltip": [
                {"field": category, "type": "nominal"},
                {"field": "value", "type": "quantitative", "format": fmt, "title": title},
            ],
        },
        "width": "container",
    }


def funnel(steps: list[dict[str, Any]]) -> Spec:
    """Persons at each step, with the conversion from the first step in the tooltip."""
    return {
        "$schema": SCHEMA,
        "data": {"values": steps},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "y": {"field": "event", "type": "nominal", "sort": None, "title": None},
            "x": {"field": "count", "type": "quantitative", "title": "people", "axis": {"format": ",.0f"}},
            "tooltip": [
                {"field": "event", "type": "nominal"},
                {"field": "count", "type": "quantitative", "format": ",.0f", "title": "people"},
                {
                    "field": "conversion_from_start",
                    "type": "quantitative",
                    "format": ".1%",
                    "title": "from start",
                },
                {
                    "field": "conversion_from_previous",
                    "type": "quantitative",
                    "format": ".1%",
                    "title": "from previous",
                },
            ],
        },
        "width": "container",
    }


def grouped_funnel(steps: list[dict[str, Any]], by: str = "breakdown") -> Spec:
    """A funnel per value of ``by`` (a breakdown, or the period compared): bars of people at
    each step, one colour per value."""
    spec = funnel(steps)
    spec["encoding"]["yOffset"] = {"field": by, "type": "nominal"}
    spec["encoding"]["color"] = {"field": by, "type": "nominal", "title": None}
    spec["encoding"]["tooltip"].insert(1, {"field": by, "type": "nominal"})
    return spec


def retention_heatmap(rows: list[dict[str, Any]], period: str = "day") -> Spec:
    """Cohorts down, periods since the first event across, each cell the share retained."""
    unit = "D" if period == "day" else "W"
    cells = [
        {
            "cohort": r.get("cohort", r.get("segment")),
            "size": r["size"],
            "k": k,
            "label": f"{unit}{k}",
            "people": kept,
            "share": kept / r["size"] if r["size"] else 0.0,
        }
        for r in rows
        for k, kept in enumerate(r["values"])
        if k > 0
    ]
    return {
        "$schema": SCHEMA,
        "data": {"values": cells},
        "mark": {"type": "rect", "tooltip": True},
        "encoding": {
            "x": {"field": "k", "type": "ordinal", "title": f"{'days' if period == 'day' else 'weeks'} later",
                  "axis": {"labelExpr": f"'{unit}' + datum.value", "labelAngle": 0}},
            "y": {"field": "cohort", "type": "ordinal", "title": None},
            "color": {"field": "share", "type": "quantitative", "title": "retained",
                      "scale": {"scheme": "purples", "domain": [0, 0.5], "clamp": True},
                      "legend": {"format": ".0%"}},
            "tooltip": [
                {"field": "cohort", "type": "nominal", "title": "cohort"},
                {"field": "size", "type": "quantitative", "format": ",.0f", "title": "cohort size"},
                {"field": "label", "type": "nominal", "title": "period"},
                {"field": "people", "type": "quantitative", "format": ",.0f", "title": "retained"},
                {"field": "share", "type": "quantitative", "format": ".1%", "title": "share"},
            ],
        },
        "width": "container",
    }  # fmt: skip
