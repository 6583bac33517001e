"""``metrics``, ``trends``, ``funnel`` and ``retention``."""

from __future__ import annotations

from typing import Annotated, Literal, cast

import typer

from betterheap.cli.common import (
    DataDir,
    Format,
    FromDate,
    ProjectId,
    ToDate,
    _check_format,
    _fail,
    _parse_day,
    _print_rows,
    _read,
    _settings,
    app,
)
from betterheap.insights import service
from betterheap.tracking_plan import service as plan_service

Measure = Literal["count", "unique_users", "sum"]
Interval = Literal["day", "week", "month"]
Period = Literal["day", "week"]


@app.command()
def metrics(
    name: Annotated[str, typer.Argument(help="dau, wau, mau, new_users, revenue ...")],
    date_from: FromDate = None,
    date_to: ToDate = None,
    breakdown: Annotated[str | None, typer.Option(help="Property to break down by.")] = None,
    fmt: Format = "table",
    project_id: ProjectId = 1,
    data_dir: DataDir = None,
) -> None:
    """A core metric per day."""
    _check_format(fmt)
    if name not in service.METRICS:
        _fail(f"unknown metric {name!r}; known: {', '.join(sorted(service.METRICS))}")
    start, end = _parse_day(date_from, "--from"), _parse_day(date_to, "--to")
    rows = _read(
        _settings(data_dir),
        f"/api/metrics/{name}",
        [("from", date_from), ("to", date_to), ("breakdown", breakdown), ("project_id", project_id)],
        lambda rt: service.metric(rt.store, project_id, name, start, end, breakdown),
    )
    _print_rows(rows, fmt)


@app.command()
def trends(
    event: Annotated[str | None, typer.Argument(help="Event name (omit for any event).")] = None,
    measure: Annotated[str, typer.Option(help="count, unique_users or sum.")] = "count",
    property: Annotated[str | None, typer.Option(help="Numeric property for --measure sum.")] = None,
    interval: Annotated[str, typer.Option(help="day, week or month.")] = "day",
    date_from: FromDate = None,
    date_to: ToDate = None,
    breakdown: Annotated[str | None, typer.Option(help="Property to break down by.")] = None,
    fmt: Format = "table",
    project_id: ProjectId = 1,
    data_dir: DataDir = None,
) -> None:
    """Count, unique users or a property's sum of any event over time."""
    _check_format(fmt)
    if measure not in ("count", "unique_users", "sum"):
        _fail(f"--measure must be count, unique_users or sum, got {measure!r}")
    if interval not in ("day", "week", "month"):
        _fail(f"--interval must be day, week or month, got {interval!r}")
    start, end = _parse_day(date_from, "--from"), _parse_day(date_to, "--to")
    rows = _read(
        _settings(data_dir),
        "/api/trends",
        [
            ("event", event),
            ("measure", measure),
            ("property", property),
            ("interval", interval),
            ("from", date_from),
            ("to", date_to),
            ("breakdown", breakdown),
            ("project_id", project_id),
        ],
        lambda rt: service.trend(
            rt.store,
            project_id,
            event,
            cast(Measure, measure),
            property,
            cast(Interval, interval),
            start,
            end,
            breakdown,
            actions=plan_service.actions(rt.plans, project_id),
        ),
    )
    _print_rows(rows, fmt)


@app.command()
def funnel(
    steps: Annotated[list[str], typer.Argument(help="Two or more events, in order.")],
    window: Annotated[str, typer.Option(help="Conversion window from step 1: 30m, 12h, 14d, 2w.")] = "14d",
    date_from: FromDate = None,
    date_to: ToDate = None,
    breakdown: Annotated[str | None, typer.Option(help="Property of the step-1 event.")] = None,
    first_day: Annotated[
        bool, typer.Option("--first-day", help="Only steps on a person's first day.")
    ] = False,
    fmt: Format = "table",
    project_id: ProjectId = 1,
    data_dir: DataDir = None,
) -> None:
    """An ordered funnel: persons per step, conversion and median time to convert."""
    _check_format(fmt)
    if len(steps) < 2:
        _fail("a funnel needs at least two steps")
    try:
        seconds = service.parse_window(window)
    except ValueError as error:
        _fail(str(error))
    start, end = _parse_day(date_from, "--from"), _parse_day(date_to, "--to")
    params = [("steps", s) for s in steps] + [
        ("window", window),
        ("from", date_from),
        ("to", date_to),
        ("breakdown", breakdown),
        ("first_day", str(first_day).lower()),
        ("project_id", project_id),
    ]
    rows = _read(
        _settings(data_dir),
        "/api/funnel",
        params,
        lambda rt: service.funnel(
            rt.store,
            project_id,
            steps,
            seconds,
            start,
            end,
            breakdown,
            first_day,
            actions=plan_service.actions(rt.plans, project_id),
        ),
    )
    _print_rows(rows, fmt)


@app.command()
def retention(
    start_event: Annotated[
        str | None, typer.Option(help="Event that puts a person in a cohort (default: any).")
    ] = None,
    return_event: Annotated[
        str | None, typer.Option(help="Event that counts as coming back (default: any).")
    ] = None,
    period: Annotated[str, typer.Option(help="day or week.")] = "day",
    date_from: FromDate = None,
    date_to: ToDate = None,
    by_first_day_funnel: Annotated[
        list[str] | None,
        typer.Option(help="Group persons by the last step of this first-day funnel they reached (repeat)."),
    ] = None,
    fmt: Format = "table",
    project_id: ProjectId = 1,
    data_dir: DataDir = None,
) -> None:
    """First-time cohort retention: values[k] = cohort members back in period k."""
    _check_format(fmt)
    if period not in ("day", "week"):
        _fail(f"--period must be day or week, got {period!r}")
    start, end = _parse_day(date_from, "--from"), _parse_day(date_to, "--to")
    funnel_steps = by_first_day_funnel or None
    params = [
        ("start_event", start_event),
        ("return_event", return_event),
        ("period", period),
        ("from", date_from),
        ("to", date_to),
        ("project_id", project_id),
    ] + [("by_first_day_funnel", s) for s in funnel_steps or []]
    rows = _read(
        _settings(data_dir),
        "/api/retention",
        params,
        lambda rt: service.retention(
            rt.store,
            project_id,
            start_event,
            return_event,
            cast(Period, period),
            start,
            end,
            by_first_day_funnel=funnel_steps,
            actions=plan_service.actions(rt.plans, project_id),
        ),
    )
    _print_rows(rows, fmt)
