"""``plan show|deploy|diff|versions``, ``quarantine list|summary|replay`` and ``quality``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

from betterheap.cli.common import (
    DataDir,
    FromDate,
    ProjectId,
    ToDate,
    _call,
    _fail,
    _parse_day,
    _print_rows,
    _read,
    _settings,
    app,
)
from betterheap.meta.plans import PlanVersions
from betterheap.runtime import Runtime
from betterheap.taxonomy.plan import TrackingPlan
from betterheap.taxonomy.plan_file import PlanFileError, plan_from_yaml
from betterheap.tracking_plan import quarantine, service

plan_app = typer.Typer(help="The tracking plan: show, deploy, compare versions.", no_args_is_help=True)
quarantine_app = typer.Typer(help="Events the tracking plan refused, kept raw.", no_args_is_help=True)
app.add_typer(plan_app, name="plan")
app.add_typer(quarantine_app, name="quarantine")


def _plans(runtime: Runtime) -> PlanVersions:
    assert runtime.plans is not None
    return runtime.plans


def _read_plan(path: Path) -> tuple[TrackingPlan, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        _fail(f"cannot read {path}: {error.strerror}")
        raise
    try:
        return plan_from_yaml(text), text
    except PlanFileError as error:
        _fail(f"{path}: {error}")
        raise


def _json(value: Any) -> None:
    sys.stdout.write(orjson.dumps(value, option=orjson.OPT_INDENT_2).decode() + "\n")


def _changes(changes: list[str]) -> None:
    if not changes:
        typer.echo("no changes")
    for line in changes:
        typer.echo(f"  {line}")


@plan_app.command("show")
def plan_show(
    version: Annotated[int | None, typer.Option(help="A deployed version (default: current).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="yaml or json.")] = "yaml",
    project_id: ProjectId = 1,
    data_dir: DataDir = None,
) -> None:
    """Print the tracking plan as its YAML file (or JSON)."""
    if fmt not in ("yaml", "json"):
        _fail(f"--format must be yaml or json, got {fmt!r}")
    shown = _call(
        _settings(data_dir),
        "GET",
        "/api/plan",
        [("project_id", project_id), ("version", version)],
        lambda rt: service.show(_plans(rt), project_id, version),
    )
    if fmt == "json":
        _json(shown)
        return
    if shown["version"] == 0:
        typer.echo("# no tracking plan deployed yet: every event is stored as sent", err=True)
    else:
        typer.echo(f"# tracking plan version {shown['version']}", err=True)
    sys.stdout.write(shown["yaml"])


@plan_app.command("deploy")
def plan_deploy(
    file: Annotated[Path, typer.Argument(help="The plan as YAML.")],
    note: Annotated[str, typer.Option(help="Why this version (kept with it).")] = "",
    project_id: ProjectId = 1,
    data_dir: DataDir = None,
) -> None:
    """Deploy a plan file as the next version; prints what changed."""
    plan, text = _read_plan(file)
    deployed = _call(
        _settings(data_dir),
        "POST",
        "/api/plan",
        [("project_id", project_id)],
        lambda rt: service.deploy(_plans(rt), project_id, plan, note),
        {"yaml": text, "note": note},
    )
    typer.echo(f"deployed version {deployed['version']}:")
    _changes(deployed["changes"])


@plan_app.command("diff")
def plan_diff(
    file: Annotated[Path | None, typer.Argument(help="Compare this file to the current plan.")] = None,
    from_version: Annotated[int | None, typer.Option("--from", help="Older version.")] = None,
    to_version: Annotated[int | None, typer.Option("--to", help="Newer version.")] = None,
    project_id: ProjectId = 1,
    data_dir: DataDir = None,
) -> None:
    """What changed between two versions (default: previous → current), or what deploying
    FILE would change."""
    settings = _settings(data_dir)
    if file is not None:
        plan, text = _read_plan(file)
        result = _call(
            settings,
            "POST",
            "/api/plan/diff",
            [("project_id", project_id)],
            lambda rt: service.diff(_plans(rt), project_id, candidate=plan),
            {"yaml": text},
        )
    else:
        result = _call(
            settings,
            "GET",
            "/api/plan/diff",
            [("project_id", project_id), ("from", from_version), ("to", to_version)],
            lambda rt: service.diff(_plans(rt), project_id, from_version, to_version),
        )
    typer.echo(f"version {result['from']} → {result['to']}:")
    _changes(result["changes"])


@plan_app.command("versions")
def plan_versions(
    fmt: Annotated[str, typer.Option("--format", help="table, json or csv.")] = "table",
    project_id: ProjectId = 1,
    data_dir: DataDir = None,
) -> None:
    """Every deployed version, oldest first."""
    rows = _read(
        _settings(data_dir),
        "/api/plan/versions",
        [("project_id", project_id)],
        lambda rt: service.versions(_plans(rt), project_id),
    )
    _print_rows(rows, fmt)


@quarantine_app.command("list")
def quarantine_list(
    reason: Annotated[str | None, typer.Option(help="Only this violation kind.")] = None,
    event: Annotated[str | None, typer.Option(help="Only this event name (as sent).")] = None,
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 50,
    fmt: Annotated[str, typer.Option("--format", help="table, json or csv.")] = "table",
    project_id: ProjectId = 1,
    data_dir: DataDir = None,
) -> None:
    """The newest quarantined events with their reasons."""
    rows = _read(
        _settings(data_dir),
        "/api/quarantine",
        [("project_id", project_id), ("reason", reason), ("event", event), ("limit", limit)],
        lambda rt: quarantine.list_quarantine(rt.store, project_id, limit, reason, event),
    )
    if fmt != "json":
        for row in rows:
            row["violations"] = "; ".join(v["detail"] for v in row["violations"])
    _print_rows(rows, fmt)


@quarantine_app.command("summary")
def quarantine_summary(
    fmt: Annotated[str, typer.Option("--format", help="table, json or csv.")] = "table",
    project_id: ProjectId = 1,
    data_dir: DataDir = None,
) -> None:
    """Quarantined events counted by reason and event name."""
    rows = _read(
        _settings(data_dir),
        "/api/quarantine/summary",
        [("project_id", project_id)],
        lambda rt: quarantine.quarantine_summary(rt.store, project_id),
    )
    _print_rows(rows, fmt)


@quarantine_app.command("replay")
def quarantine_replay(project_id: ProjectId = 1, data_dir: DataDir = None) -> None:
    """Run the quarantine through the current plan: what it now accepts is stored (once)."""
    result = _call(
        _settings(data_dir),
        "POST",
        "/api/quarantine/replay",
        [("project_id", project_id)],
        lambda rt: service.replay(rt.store, _plans(rt), project_id),
    )
    typer.echo(
        f"replayed {result['replayed']} under plan version {result['plan_version']}: "
        f"{result['stored']} stored, {result['filtered']} filtered, "
        f"{result['still_quarantined']} still quarantined"
    )


@app.command()
def quality(
    date_from: FromDate = None,
    date_to: ToDate = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    project_id: ProjectId = 1,
    data_dir: DataDir = None,
) -> None:
    """The data-quality report: naming, schema, unplanned events, violations, quarantine."""
    if fmt not in ("table", "json"):
        _fail(f"--format must be table or json, got {fmt!r}")
    start, end = _parse_day(date_from, "--from"), _parse_day(date_to, "--to")
    report = _call(
        _settings(data_dir),
        "GET",
        "/api/quality",
        [("project_id", project_id), ("from", date_from), ("to", date_to)],
        lambda rt: service.quality_report(rt.store, _plans(rt), project_id, start, end),
    )
    if fmt == "json":
        _json(report)
    else:
        _print_quality(report)


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.2f}%"


def _print_quality(report: dict[str, Any]) -> None:
    echo = typer.echo
    echo(
        f"Data quality, {report['date_from']} to {report['date_to']} "
        f"(tracking plan version {report['plan_version']})"
    )
    echo(
        f"  received {report['received']:,} = stored {report['stored']:,} + quarantined "
        f"{report['quarantined']:,} + filtered {report['filtered']:,}"
        + "".join(f" ({reason} {count:,})" for reason, count in report["filtered_by_reason"].items())
    )
    echo("                       as sent   after the plan")
    echo(
        f"  naming consistency   {_percent(report['naming_consistency_as_sent']):>8}   "
        f"{_percent(report['naming_consistency']):>8}"
    )
    echo(
        f"  schema pass rate     {_percent(report['schema_pass_rate_as_sent']):>8}   "
        f"{_percent(report['schema_pass_rate']):>8}"
    )
    fixed = report["fixed_by_plan"]
    echo(
        f"  fixed by the plan: {fixed['renamed']:,} renamed, {fixed['coerced']:,} with values "
        f"converted, {fixed['set_aside']:,} with a property set aside"
    )
    echo(f"  quarantine holds {report['quarantine_size']:,} events in all")
    sections = (
        ("unplanned events", report["unplanned_events"], ("event", "events", "quarantined")),
        ("unplanned properties", report["unplanned_properties"], ("event", "property", "events")),
        (
            "top violations",
            report["top_violations"],
            ("kind", "event", "property", "outcome", "events", "example"),
        ),
        ("stale planned events", report["stale_events"], ("event", "last_seen")),
        ("dynamic event names", report["exploding_names"], ("pattern", "names", "events", "example")),
    )
    for title, rows, columns in sections:
        echo(f"\n{title}:" if rows else f"\n{title}: none")
        if rows:
            _print_rows([{c: row.get(c) for c in columns} for row in rows[:10]], "table")
