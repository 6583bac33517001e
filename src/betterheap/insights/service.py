"""Core metrics, trends, funnels and retention: the functions the CLI and REST API call.

Each function resolves the date range, builds an IR node, compiles it for the store's
dialect and shapes the rows into plain JSON-able dicts. Definitions: docs/metrics.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final, Literal

from betterheap.query.build import Compiled
from betterheap.query.compiler import compile_query
from betterheap.query.ir import (
    ActiveUsers,
    DateRange,
    DidEvent,
    EventTotals,
    EventTrend,
    Filter,
    Filtered,
    Funnel,
    Interval,
    LatestEvent,
    Measure,
    NewUsers,
    Period,
    Property,
    Query,
    Retention,
)
from betterheap.store.protocol import EventStore
from betterheap.taxonomy.plan import Action

Row = dict[str, Any]
#: The project's actions (virtual events) by name, which queries may name like events.
Actions = Mapping[str, Action] | None
#: Only the events passing every filter count (``country is DE``, people who ordered...).
Filters = Sequence[Filter | DidEvent]

DEFAULT_DAYS: Final = 30
METRICS: Final[dict[str, str]] = {
    "dau": "Daily active users: distinct persons with any stored event that UTC day.",
    "wau": "Weekly active users: distinct persons active in the 7 days ending that day.",
    "mau": "Monthly active users: distinct persons active in the 30 days ending that day.",
    "new_users": "Persons whose first event ever falls on that day (breakdown: first event).",
    "revenue": "Sum of the revenue column of events on that day.",
}
_ACTIVE_WINDOWS: Final = {"dau": 1, "wau": 7, "mau": 30}
_DEFAULT_PERIODS: Final = {"day": 30, "week": 12}
_WINDOW = re.compile(r"^\s*(\d{1,9})\s*([smhdw])\s*$")
_UNIT_SECONDS: Final = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800}


def parse_window(text: str) -> int:
    """``"30m"``, ``"12h"``, ``"14d"``, ``"2w"`` → seconds."""
    match = _WINDOW.match(text or "")
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"invalid window {text!r}: use a positive number and a unit, e.g. 14d")
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def resolve_range(
    store: EventStore, project_id: int, date_from: date | None, date_to: date | None
) -> DateRange:
    """Missing ``date_to`` = day of the latest stored event (today if none); missing
    ``date_from`` = ``date_to`` − 29 days."""
    if date_to is None:
        rows = _run(store, LatestEvent(), project_id)
        latest = rows[0]["latest"] if rows else None
        date_to = latest.date() if latest is not None else datetime.now(UTC).date()
    if date_from is None:
        date_from = date_to - timedelta(days=DEFAULT_DAYS - 1)
    return DateRange(date_from, date_to)


def metric(
    store: EventStore,
    project_id: int,
    name: str,
    date_from: date | None,
    date_to: date | None,
    breakdown: str | None = None,
    filters: Filters = (),
) -> list[Row]:
    """One core metric per UTC day: rows ``{"date", "value"[, "breakdown"]}``."""
    if name not in METRICS:
        raise ValueError(f"unknown metric {name!r}; known metrics: {', '.join(METRICS)}")
    prop = Property(breakdown) if breakdown else None
    days = resolve_range(store, project_id, date_from, date_to)
    query: Query
    if name == "dau" and prop is not None:
        # Daily actives by a property: a person counts once in each value they had that day.
        query = EventTrend(days, None, "unique_users", "day", None, prop)
    elif name in _ACTIVE_WINDOWS:
        if prop is not None:
            raise ValueError(
                f"metric {name!r} has no breakdown (dau does: a person counts in each value seen that day)"
            )
        query = ActiveUsers(days, _ACTIVE_WINDOWS[name])
    elif name == "new_users":
        query = NewUsers(days, prop)
    else:
        query = EventTrend(days, None, "sum", "day", Property("revenue"), prop)
    return _series(_run(store, query, project_id, filters=filters), days, "day", dense=prop is None)


def trend(
    store: EventStore,
    project_id: int,
    event: str | None,
    measure: Measure,
    property: str | None,
    interval: Interval,
    date_from: date | None,
    date_to: date | None,
    breakdown: str | None = None,
    actions: Actions = None,
    filters: Filters = (),
) -> list[Row]:
    """Count, unique persons or sum of a property per day/week (Monday)/month start."""
    days = resolve_range(store, project_id, date_from, date_to)
    query = EventTrend(
        days,
        event,
        measure,
        interval,
        Property(property) if property else None,
        Property(breakdown) if breakdown else None,
    )
    return _series(_run(store, query, project_id, actions, filters), days, interval, dense=breakdown is None)


def totals(
    store: EventStore,
    project_id: int,
    event: str | None,
    date_from: date | None,
    date_to: date | None,
    actions: Actions = None,
    filters: Filters = (),
) -> Row:
    """How many times ``event`` (or an action) happened over the range, and by how many
    distinct persons: ``{"from", "to", "events", "people"}``."""
    days = resolve_range(store, project_id, date_from, date_to)
    rows = _run(store, EventTotals(days, event), project_id, actions, filters)
    found = rows[0] if rows else {}
    return {
        "from": days.date_from.isoformat(),
        "to": days.date_to.isoformat(),
        "events": int(found.get("events") or 0),
        "people": int(found.get("people") or 0),
    }


def funnel(
    store: EventStore,
    project_id: int,
    steps: list[str],
    window_seconds: int,
    date_from: date | None,
    date_to: date | None,
    breakdown: str | None = None,
    first_day: bool = False,
    actions: Actions = None,
    filters: Filters = (),
) -> list[Row]:
    """Per-step persons, conversion and median time to convert (see docs/metrics.md)."""
    days = resolve_range(store, project_id, date_from, date_to)
    prop = Property(breakdown) if breakdown else None
    query = Funnel(tuple(steps), window_seconds, days, prop, first_day)
    blocks = _run(store, query, project_id, actions, filters)
    if not blocks and prop is None:
        blocks = [{"breakdown": None, **{f"count_{k}": 0 for k in range(1, len(steps) + 1)}}]
    rows: list[Row] = []
    for block in blocks:
        counts = [int(block[f"count_{k}"] or 0) for k in range(1, len(steps) + 1)]
        for k, event in enumerate(steps, start=1):
            median = block.get(f"median_{k}") if k > 1 else None
            row: Row = {
                "step": k,
                "event": event,
                "count": counts[k - 1],
                "conversion_from_start": _ratio(counts[k - 1], counts[0]),
                "conversion_from_previous": _ratio(counts[k - 1], counts[max(k - 2, 0)]),
                "median_seconds_to_convert": float(median) if median is not None else None,
            }
            if prop is not None:
                row["breakdown"] = block["breakdown"]
            rows.append(row)
    return rows


def retention(
    store: EventStore,
    project_id: int,
    start_event: str | None,
    return_event: str | None,
    period: Period,
    date_from: date | None,
    date_to: date | None,
    periods: int | None = None,
    by_first_day_funnel: list[str] | None = None,
    actions: Actions = None,
    filters: Filters = (),
) -> list[Row]:
    """First-time cohort retention; rows ``{"cohort"|"segment", "size", "values"}``."""
    if period not in _DEFAULT_PERIODS:
        raise ValueError(f"unknown period {period!r}: use day or week")
    days = resolve_range(store, project_id, date_from, date_to)
    count = _DEFAULT_PERIODS[period] if periods is None else periods
    segments = tuple(by_first_day_funnel) if by_first_day_funnel else None
    query = Retention(start_event, return_event, period, days, count, segments)
    step = 7 if period == "week" else 1
    sizes: dict[Any, tuple[date, int]] = {}
    kept: dict[tuple[Any, int], int] = {}
    for r in _run(store, query, project_id, actions, filters):
        key = r["cohort"] if segments is None else r["segment"]
        if r["k"] == 0:
            sizes[key] = (r["cohort"], int(r["value"]))
        else:
            kept[(key, int(r["k"]))] = int(r["value"])
    rows: list[Row] = []
    for key in sorted(sizes):
        first, size = sizes[key]
        last_k = min(count, (days.date_to - first).days // step)
        values = [size] + [kept.get((key, k), 0) for k in range(1, last_k + 1)]
        if segments is None:
            rows.append({"cohort": first.isoformat(), "size": size, "values": values})
        else:
            label = f"step {key}: {segments[key - 1]}" if key else "step 0: none"
            rows.append({"segment": label, "size": size, "values": values})
    return rows


#: While set (:func:`recording`), every compiled query that runs is appended to it.
_RECORDING: ContextVar[list[Compiled] | None] = ContextVar("recording", default=None)


@contextmanager
def recording() -> Iterator[list[Compiled]]:
    """The queries the calls inside the block run, in order (so an answer can show the SQL
    that produced its numbers). An enclosing block records them too."""
    ran: list[Compiled] = []
    outer = _RECORDING.get()
    token = _RECORDING.set(ran)
    try:
        yield ran
    finally:
        _RECORDING.reset(token)
        if outer is not None:
            outer.extend(ran)


def _run(
    store: EventStore, query: Query, project_id: int, actions: Actions = None, filters: Filters = ()
) -> list[Row]:
    target = Filtered(query, tuple(filters)) if filters else query
    compiled = compile_query(target, project_id, store.dialect, actions)
    ran = _RECORDING.get()
    if ran is not None:
        ran.append(compiled)
    return store.query(compiled.expression, compiled.params)


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _number(value: Any) -> int | float:
    if isinstance(value, int | float):
        return value
    return float(value or 0)


def interval_starts(days: DateRange, interval: Interval | Literal["day"]) -> list[date]:
    """Every interval start from the one containing ``date_from`` to the one of ``date_to``."""
    current = _truncate(days.date_from, interval)
    starts = []
    while current <= days.date_to:
        starts.append(current)
        if interval == "day":
            current += timedelta(days=1)
        elif interval == "week":
            current += timedelta(days=7)
        else:
            current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return starts


def _truncate(day: date, interval: str) -> date:
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day


def _series(rows: list[Row], days: DateRange, interval: Interval, dense: bool) -> list[Row]:
    if not dense:
        return [
            {
                "date": r["date"].isoformat(),
                "breakdown": r["breakdown"],
                "value": _number(r["value"]),
            }
            for r in rows
        ]
    values = {r["date"]: _number(r["value"]) for r in rows}
    return [
        {"date": start.isoformat(), "value": values.get(start, 0)}
        for start in interval_starts(days, interval)
    ]
