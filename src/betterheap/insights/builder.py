"""An insight as the builder and dashboards know it: one definition (a trend, a core metric,
a funnel or a retention table, with its breakdown, filters, dates and comparison) that is
computed by the insight service, drawn as a Vega-Lite spec and exported as CSV or JSON.

The definition is what a saved dashboard panel stores and what a builder URL carries, so a
panel opens in the builder exactly as it was saved. Ranges are relative ("the last 30 days
of data") unless fixed dates are given, so saved panels stay live.

>>> Insight(kind="trend", event="signed_up", days=7).describe()
'signed_up: count per day, last 7 days'
>>> parse({"kind": "funnel", "steps": ["a"]})
Traceback (most recent call last):
...
ValueError: a funnel needs 2 to 10 steps
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from betterheap.insights import charts, service
from betterheap.query.access import check_properties
from betterheap.query.ir import PROPERTY_NAME, DidEvent, Filter, Property
from betterheap.store.protocol import EventStore

Kind = Literal["trend", "metric", "funnel", "retention"]
KINDS: Final[dict[str, str]] = {
    "trend": "Trend",
    "metric": "Core metric",
    "funnel": "Funnel",
    "retention": "Retention",
}
METRIC_LABELS: Final = {
    "dau": "DAU",
    "wau": "WAU",
    "mau": "MAU",
    "new_users": "new users",
    "revenue": "revenue",
}
MEASURES: Final = {"count": "count", "unique_users": "people", "sum": "sum"}
MAX_STEPS: Final = 10
MAX_DAYS: Final = 400
#: Dates an insight may name (a typo of a year is an error, not an empty chart).
EARLIEST: Final = date(2000, 1, 1)
LATEST: Final = date(2100, 12, 31)
#: How many breakdown values a chart keeps (the rest are in the export).
TOP_VALUES: Final = 12


def _checked_name(value: str) -> str:
    if not PROPERTY_NAME.match(value):
        raise ValueError(f"{value!r} is not a name of an event or property (letters, digits, _ $ . : -)")
    return value


class FilterSpec(BaseModel):
    """``property`` is (or, with ``negate``, is not) one of ``values``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    property: str = Field(min_length=1, max_length=200)
    values: list[str] = Field(min_length=1, max_length=50)
    negate: bool = False

    @field_validator("property")
    @classmethod
    def _name(cls, value: str) -> str:
        return _checked_name(value)


class Insight(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Kind = "trend"
    title: str = Field(default="", max_length=200)
    # trend
    event: str | None = None
    measure: Literal["count", "unique_users", "sum"] = "count"
    property: str | None = None
    interval: Literal["day", "week", "month"] = "day"
    # metric
    metric: str | None = None
    # funnel
    steps: list[str] = Field(default_factory=list)
    window: str = "14d"
    first_day: bool = False
    # retention
    start_event: str | None = None
    return_event: str | None = None
    period: Literal["day", "week"] = "day"
    periods: int | None = Field(default=None, ge=1, le=60)
    # all
    breakdown: str | None = None
    filters: list[FilterSpec] = Field(default_factory=list, max_length=10)
    #: Only people who did this event at some time (``people_who``).
    people_who: str | None = None
    days: int = Field(default=30, ge=1, le=MAX_DAYS)
    date_from: date | None = None
    date_to: date | None = None
    compare: bool = False
    chart: Literal["line", "bar", "area"] = "line"

    @field_validator("event", "property", "breakdown", "start_event", "return_event", "people_who")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else _checked_name(value)

    @field_validator("steps")
    @classmethod
    def _step_names(cls, steps: list[str]) -> list[str]:
        return [_checked_name(step) for step in steps]

    @field_validator("date_from", "date_to")
    @classmethod
    def _plausible(cls, value: date | None) -> date | None:
        if value is not None and not EARLIEST <= value <= LATEST:
            raise ValueError(f"a date between {EARLIEST} and {LATEST}")
        return value

    @model_validator(mode="after")
    def _coherent(self) -> Insight:
        if self.kind == "trend" and self.measure == "sum" and not self.property:
            raise ValueError("a sum needs the property to add up (e.g. revenue)")
        if self.kind == "metric" and self.metric not in service.METRICS:
            raise ValueError(f"pick a core metric: {', '.join(service.METRICS)}")
        if self.kind == "funnel" and not 2 <= len(self.steps) <= MAX_STEPS:
            raise ValueError(f"a funnel needs 2 to {MAX_STEPS} steps")
        if self.kind == "funnel":
            service.parse_window(self.window)
        if self.compare and self.breakdown:
            raise ValueError("compare with the previous period works without a breakdown")
        if self.compare and self.kind == "retention":
            raise ValueError("retention has no comparison with a previous period")
        if (self.date_from is None) != (self.date_to is None):
            raise ValueError("give both dates (from and to) or neither")
        if self.date_from and self.date_to:
            if self.date_from > self.date_to:
                raise ValueError("the range starts after it ends")
            if (self.date_to - self.date_from).days >= MAX_DAYS:
                raise ValueError(f"a range is at most {MAX_DAYS} days")
        return self

    def describe(self) -> str:
        """A short title when none was given."""
        when = f"{self.date_from} to {self.date_to}" if self.date_from else f"last {self.days} days"
        if self.kind == "trend":
            what = f"{self.event or 'all events'}: {MEASURES[self.measure]}"
            if self.measure == "sum":
                what += f" of {self.property}"
            text = f"{what} per {self.interval}"
        elif self.kind == "metric":
            text = METRIC_LABELS.get(str(self.metric), str(self.metric))
        elif self.kind == "funnel":
            text = ("first-day funnel " if self.first_day else "funnel ") + " → ".join(self.steps)
        else:
            text = f"retention of {self.start_event or 'new users'} by {self.period}"
        if self.breakdown:
            text += f" by {self.breakdown}"
        return f"{text}, {when}"

    def properties_used(self) -> set[str]:
        used = {f.property for f in self.filters}
        if self.breakdown:
            used.add(self.breakdown)
        if self.property:
            used.add(self.property)
        return used


def parse(fields: Any) -> Insight:
    """An insight from JSON or form fields; errors in the user's words (ValueError)."""
    if not isinstance(fields, Mapping):
        raise ValueError("an insight is an object of fields (kind, event, steps...)")
    try:
        return Insight.model_validate(dict(fields))
    except ValidationError as error:
        problems = []
        for item in error.errors():
            where = ".".join(str(part) for part in item["loc"])
            message = str(item["msg"]).removeprefix("Value error, ")
            problems.append(f"{where}: {message}" if where else message)
        raise ValueError("; ".join(problems)) from None


def from_form(form: Mapping[str, list[str]]) -> Insight:
    """An insight from a builder form or URL (every field a list of strings): steps repeat,
    filters come as ``filter_property``/``filter_values`` (comma-separated)/``filter_not``
    triples, empty fields mean "not set"."""
    return parse(_form_fields(form))


def as_typed(form: Mapping[str, list[str]]) -> Insight:
    """What was typed in a form, unchecked — to show again beside the error that refused it
    (never to compute)."""
    fields = _form_fields(form)
    filters = [FilterSpec.model_construct(**f) for f in fields.pop("filters")]
    for name, value in list(fields.items()):
        try:
            fields[name] = getattr(Insight.model_validate({name: value}), name)
        except ValidationError:
            pass  # kept as typed
    return Insight.model_construct(filters=filters, **fields)


def _form_fields(form: Mapping[str, list[str]]) -> dict[str, Any]:

    def one(name: str) -> str | None:
        values = [v.strip() for v in form.get(name, []) if v.strip()]
        return values[0] if values else None

    fields: dict[str, Any] = {}
    for name in ("kind", "title", "event", "measure", "property", "interval", "metric", "window",
                 "start_event", "return_event", "period", "periods", "breakdown", "people_who",
                 "days", "date_from", "date_to", "chart"):  # fmt: skip
        value = one(name)
        if value is not None:
            fields[name] = value
    for flag in ("first_day", "compare"):
        if one(flag) in ("1", "true", "on", "yes"):
            fields[flag] = True
    fields["steps"] = [s.strip() for s in form.get("steps", []) if s.strip()]
    props, values, nots = (form.get(k, []) for k in ("filter_property", "filter_values", "filter_not"))
    filters = []
    for i, prop in enumerate(props):
        listed = [v.strip() for v in (values[i] if i < len(values) else "").split(",") if v.strip()]
        if prop.strip() and listed:
            negate = i < len(nots) and nots[i] in ("1", "true", "on", "not")
            filters.append({"property": prop.strip(), "values": listed, "negate": negate})
    fields["filters"] = filters
    return fields


def to_form(insight: Insight) -> list[tuple[str, str]]:
    """The URL query (pairs) that :func:`from_form` reads back into the same insight."""
    pairs: list[tuple[str, str]] = []
    defaults = Insight()
    for name, value in insight.model_dump(exclude={"steps", "filters"}).items():
        if value is None or value == getattr(defaults, name):
            continue
        pairs.append((name, "1" if value is True else str(value)))
    pairs += [("steps", step) for step in insight.steps]
    for f in insight.filters:
        pairs += [("filter_property", f.property), ("filter_values", ",".join(f.values))]
        pairs.append(("filter_not", "not" if f.negate else ""))
    return pairs


@dataclass
class Result:
    """A computed insight: its rows (what the export holds), the Vega-Lite spec, the range."""

    insight: Insight
    title: str
    rows: list[dict[str, Any]]
    spec: dict[str, Any] | None
    date_from: date
    date_to: date


def check_access(insight: Insight, role: str, pii_properties: Iterable[str]) -> None:
    """Personal-data properties are for roles with PII access only (PermissionError); the
    same rule as the insights API (:func:`betterheap.query.access.check_properties`)."""
    check_properties(insight.properties_used(), role, pii_properties)


def date_range(store: EventStore, project_id: int, insight: Insight) -> tuple[date, date]:
    if insight.date_from and insight.date_to:
        return insight.date_from, insight.date_to
    latest = service.resolve_range(store, project_id, None, None).date_to
    return latest - timedelta(days=insight.days - 1), latest


def run(
    store: EventStore,
    project_id: int,
    insight: Insight,
    actions: service.Actions = None,
    window: tuple[date, date] | None = None,
) -> Result:
    """Compute ``insight`` (over ``window`` when given, e.g. a dashboard's range)."""
    start, end = window or date_range(store, project_id, insight)
    filters: list[Filter | DidEvent] = [
        Filter(Property(f.property), tuple(f.values), f.negate) for f in insight.filters
    ]
    if insight.people_who:
        filters.append(DidEvent(insight.people_who))
    title = insight.title or insight.describe()
    result = Result(insight, title, [], None, start, end)
    if insight.kind == "trend":
        result.rows = _trend(store, project_id, insight, actions, filters, start, end)
    elif insight.kind == "metric":
        assert insight.metric is not None
        result.rows = _metric(store, project_id, insight, filters, start, end)
    elif insight.kind == "funnel":

        def steps(span: tuple[date, date]) -> list[dict[str, Any]]:
            return service.funnel(
                store, project_id, insight.steps, service.parse_window(insight.window), span[0], span[1],
                insight.breakdown, insight.first_day, actions, filters,
            )  # fmt: skip

        result.rows = steps((start, end))
        if insight.compare:
            before = previous_range(start, end)
            result.rows = [r | {"period": "this period"} for r in result.rows] + [
                r | {"period": f"previous period ({before[0]} to {before[1]})"} for r in steps(before)
            ]
    else:
        result.rows = service.retention(
            store, project_id, insight.start_event, insight.return_event, insight.period, start, end,
            insight.periods, None, actions, filters,
        )  # fmt: skip
    result.spec = chart(result)
    return result


def previous_range(start: date, end: date) -> tuple[date, date]:
    """The period of the same length just before."""
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1)


def _with_previous(
    rows: list[dict[str, Any]], before: list[dict[str, Any]], interval: str
) -> list[dict[str, Any]]:
    """This period's rows and the previous period's, the k-th previous bucket drawn at the
    k-th bucket of this period, so days, Monday weeks and months line up (a previous bucket
    beyond this period's last is drawn one interval after it)."""
    now = [r | {"period": "this period"} for r in rows]
    drawn = [str(r["date"]) for r in rows]
    then: list[dict[str, Any]] = []
    for k, r in enumerate(before):
        if k < len(drawn):
            at = drawn[k]
        else:
            at = _next_bucket(date.fromisoformat(then[-1]["date"] if then else str(r["date"])), interval)
        then.append(r | {"period": "previous period", "date": at, "actual_date": r["date"]})
    return now + then


def _next_bucket(day: date, interval: str) -> str:
    if interval == "month":
        return (day.replace(day=28) + timedelta(days=4)).replace(day=1).isoformat()
    return (day + timedelta(days=7 if interval == "week" else 1)).isoformat()


def _trend(
    store: EventStore,
    project_id: int,
    insight: Insight,
    actions: service.Actions,
    filters: list[Filter | DidEvent],
    start: date,
    end: date,
) -> list[dict[str, Any]]:
    def one(span: tuple[date, date]) -> list[dict[str, Any]]:
        return service.trend(
            store, project_id, insight.event, insight.measure, insight.property, insight.interval, span[0],
            span[1], insight.breakdown, actions, filters,
        )  # fmt: skip

    rows = _iso(one((start, end)))
    if not insight.compare:
        return rows
    before = previous_range(start, end)
    return _with_previous(rows, _iso(one(before)), insight.interval)


def _metric(
    store: EventStore,
    project_id: int,
    insight: Insight,
    filters: list[Filter | DidEvent],
    start: date,
    end: date,
) -> list[dict[str, Any]]:
    assert insight.metric is not None
    rows = _iso(service.metric(store, project_id, insight.metric, start, end, insight.breakdown, filters))
    if not insight.compare:
        return rows
    before = previous_range(start, end)
    then = _iso(service.metric(store, project_id, insight.metric, *before, None, filters))
    return _with_previous(rows, then, "day")


def _iso(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r | {"date": r["date"].isoformat()} if isinstance(r.get("date"), date) else r for r in rows]


def chart(result: Result) -> dict[str, Any] | None:
    """The Vega-Lite spec of a computed insight (None when there is nothing to draw)."""
    insight, rows = result.insight, result.rows
    if not rows:
        return None
    money = insight.metric == "revenue" or (insight.measure == "sum" and insight.property == "revenue")
    fmt = ",.2f" if money else ",.0f"
    label = _value_label(insight)
    if insight.kind in ("trend", "metric"):
        series = "period" if insight.compare else ("breakdown" if insight.breakdown else None)
        drawn = _top_series(rows, "breakdown") if insight.breakdown else rows
        spec = charts.line(drawn, label, series, fmt)
        if insight.chart == "bar" and series is None:
            spec["mark"] = {"type": "bar", "tooltip": True}
        elif insight.chart == "area":
            spec["mark"] = {"type": "area", "tooltip": True, "opacity": 0.8}
        if insight.compare:
            spec["encoding"]["strokeDash"] = {"field": "period", "type": "nominal", "title": None}
        if insight.interval != "day" and insight.kind == "trend":
            spec["encoding"]["x"]["axis"] = {"format": "%b %d" if insight.interval == "week" else "%b %Y"}
        return spec
    if insight.kind == "funnel":
        if insight.compare:
            return charts.grouped_funnel(rows, "period")
        if insight.breakdown:
            return charts.grouped_funnel(_top_series(rows, "breakdown", by="count"))
        return charts.funnel(rows)
    return charts.retention_heatmap(rows, insight.period)


def _value_label(insight: Insight) -> str:
    if insight.kind == "metric":
        return METRIC_LABELS.get(str(insight.metric), str(insight.metric))
    if insight.measure == "sum":
        return f"sum of {insight.property}"
    return "people" if insight.measure == "unique_users" else "events"


def _top_series(rows: list[dict[str, Any]], key: str, by: str = "value") -> list[dict[str, Any]]:
    """Only the rows of the ``TOP_VALUES`` largest series (by their total)."""
    totals: dict[Any, float] = {}
    for r in rows:
        totals[r.get(key)] = totals.get(r.get(key), 0.0) + float(r.get(by) or 0)
    kept = set(sorted(totals, key=lambda k: -totals[k])[:TOP_VALUES])
    return [r for r in rows if r.get(key) in kept]


def table(result: Result) -> tuple[list[str], list[list[Any]]]:
    """The rows as columns and cells, a retention row's list spread into d0, d1, …"""
    rows = result.rows
    if result.insight.kind == "retention":
        width = max((len(r["values"]) for r in rows), default=0)
        unit = "d" if result.insight.period == "day" else "w"
        head = ["cohort", "size"] + [f"{unit}{k}" for k in range(width)]
        body = [[r.get("cohort", r.get("segment")), r["size"], *r["values"]] for r in rows]
        return head, body
    columns: list[str] = []
    for r in rows:
        columns += [k for k in r if k not in columns]
    return columns, [[r.get(c) for c in columns] for r in rows]


def to_csv(result: Result) -> str:
    head, body = table(result)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(head)
    writer.writerows([_cell(cell) for cell in row] for row in body)
    return out.getvalue()


def _cell(value: Any) -> Any:
    """A CSV cell; text a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``: a
    property value anyone can send) is quoted with a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_json(result: Result) -> dict[str, Any]:
    return {
        "title": result.title,
        "insight": result.insight.model_dump(mode="json", exclude_defaults=True),
        "date_from": result.date_from.isoformat(),
        "date_to": result.date_to.isoformat(),
        "rows": result.rows,
    }
