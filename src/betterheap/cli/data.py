"""``demo``, ``import`` and ``project``: getting events in."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from concurrent.futures import Future
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import httpx
import orjson
import typer

from betterheap.cli.common import (
    DataDir,
    Format,
    _call,
    _check_format,
    _fail,
    _print_rows,
    _settings,
    app,
    open_data_dir,
    project_app,
)
from betterheap.events.time import now_us
from betterheap.ingest.errors import PayloadError
from betterheap.ingest.formats import segment
from betterheap.ingest.formats.common import Receipt
from betterheap.meta.projects import ProjectDirectory, ProjectInfo
from betterheap.runtime import Runtime, tune_garbage_collector
from betterheap.server_link import ServerLink, running_server
from betterheap.settings import Settings


@project_app.command("list")
def project_list(fmt: Format = "table", data_dir: DataDir = None) -> None:
    """Projects with their ids and write keys."""
    _check_format(fmt)
    settings = _settings(data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    directory = ProjectDirectory(settings.meta_url)
    directory.ensure_default()
    rows = [{"id": p.id, "name": p.name, "write_key": p.write_key} for p in directory.list()]
    directory.close()
    _print_rows(rows, fmt)


@project_app.command("create")
def project_create(name: str, fmt: Format = "table", data_dir: DataDir = None) -> None:
    """Create a project and print its write key."""
    _check_format(fmt)
    settings = _settings(data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    directory = ProjectDirectory(settings.meta_url)
    try:
        project = directory.create(name)
    except ValueError as error:
        _fail(str(error))
    finally:
        directory.close()
    _print_rows([{"id": project.id, "name": project.name, "write_key": project.write_key}], fmt)


def _project(settings: Settings, project_id: int) -> ProjectInfo:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    directory = ProjectDirectory(settings.meta_url)
    try:
        directory.ensure_default()
        for project in directory.list():
            if project.id == project_id:
                return project
    finally:
        directory.close()
    _fail(f"no project with id {project_id}; see `betterheap project list`")
    raise AssertionError


def send_payloads(
    settings: Settings,
    project: ProjectInfo,
    payloads: Iterable[dict[str, Any]],
    total: int | None,
    label: str,
) -> int:
    """Send Segment batch payloads through the ingestion path; returns events accepted.

    To a running server over HTTP when there is one, else through an in-process gateway and
    loader on the data directory. Either way the events are spooled, then loaded.
    """
    link = running_server(settings.server_file)
    with _Progress(label, total) as progress:
        if link is not None:
            return _send_http(link, project, payloads, progress)
        runtime = open_data_dir(settings)
        tune_garbage_collector()
        assert runtime.gateway is not None and runtime.loader is not None
        runtime.loader.start()
        accepted = 0
        pending: list[Future[None]] = []
        try:
            for payload in payloads:
                # Many batches in flight share one fsync (group commit); wait every 64.
                count, durable = runtime.gateway.submit("segment", payload, key=project.write_key)
                pending.append(durable)
                accepted += count
                progress.advance(count)
                if len(pending) >= 64:
                    for future in pending:
                        future.result()
                    pending = []
            for future in pending:
                future.result()
        finally:
            progress.note("loading into the store")
            runtime.close()  # stops the loader after it has drained the spool
        return accepted


def _send_http(
    link: ServerLink, project: ProjectInfo, payloads: Iterable[dict[str, Any]], progress: _Progress
) -> int:
    accepted = 0
    with httpx.Client(base_url=link.url, auth=(project.write_key, ""), timeout=60.0) as client:
        for payload in payloads:
            answer = client.post(
                "/v1/batch", content=orjson.dumps(payload), headers={"content-type": "application/json"}
            )
            if answer.status_code != 200:
                _fail(f"the server refused a batch ({answer.status_code}): {answer.text[:500]}")
            count = int(answer.json().get("accepted", 0))
            accepted += count
            progress.advance(count)
        progress.note("waiting for the server to load the events")
        while client.get("/api/ingest/status").json().get("backlog_bytes", 0) > 0:
            time.sleep(0.2)
    return accepted


class _Progress:
    """A progress line on stderr (a bar when the total is known), redrawn in place on a
    terminal; into a log (CI, ``make run > file``) a new line every 10 seconds instead."""

    def __init__(self, label: str, total: int | None) -> None:
        self.label, self.total, self.done = label, total, 0
        self.started = time.monotonic()
        self._last = 0.0
        self._terminal = sys.stderr.isatty()
        self._every = 0.25 if self._terminal else 10.0

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self._draw(force=True)
        if self._terminal:
            typer.echo("", err=True)

    def advance(self, count: int) -> None:
        self.done += count
        self._draw()

    def note(self, text: str) -> None:
        self._draw(force=True, suffix=f" — {text}")

    def _draw(self, force: bool = False, suffix: str = "") -> None:
        now = time.monotonic()
        if not force and now - self._last < self._every:
            return
        self._last = now
        rate = self.done / max(now - self.started, 1e-6)
        if self.total:
            share = min(self.done / self.total, 1.0)
            bar = "#" * int(share * 30)
            text = f"{self.label} [{bar:<30}] {self.done:,}/~{self.total:,} ({rate:,.0f}/s)"
        else:
            text = f"{self.label} {self.done:,} ({rate:,.0f}/s)"
        if self._terminal:
            typer.echo(f"\r{text}{suffix}", err=True, nl=False)
        else:
            typer.echo(f"{text}{suffix}", err=True)


@app.command()
def demo(
    events: Annotated[int, typer.Option(help="About how many events to generate.")] = 1_000_000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")] = 42,
    end_date: Annotated[
        str | None, typer.Option(help="Last day of the 90 days (default yesterday, UTC).")
    ] = None,
    project_id: Annotated[int, typer.Option("--project-id", help="Project to fill (default 1).")] = 1,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Do nothing when the project has events.")
    ] = False,
    messy: Annotated[
        bool,
        typer.Option(
            "--messy",
            help="Also send the mess real sites produce: naming variants, mistyped and missing "
            "properties, duplicates, bots, internal traffic, e-mails in URLs, auto-captured clicks.",
        ),
    ] = False,
    plan: Annotated[
        bool,
        typer.Option(
            "--plan/--no-plan", help="Deploy the marketplace's tracking plan first (if none is deployed)."
        ),
    ] = True,
    data_dir: DataDir = None,
) -> None:
    """Generate a 90-day handmade-marketplace dataset and send it through ingestion."""
    from betterheap.demo import generate

    if events < 1000:
        _fail("--events must be at least 1000")
    last = None
    if end_date is not None:
        try:
            last = date.fromisoformat(end_date)
        except ValueError:
            _fail(f"--end-date must be a date like 2024-03-31, got {end_date!r}")
    settings = _settings(data_dir)
    link = running_server(settings.server_file)
    if if_empty and link is not None:
        typer.echo(f"demo: a server already serves {settings.data_dir} at {link.url}; skipping")
        return
    if if_empty and _has_events(settings, project_id):
        typer.echo(f"demo: project {project_id} already has events; skipping (drop --if-empty to add more)")
        return
    project = _project(settings, project_id)
    if plan:
        _deploy_demo_plan(settings, project.id)
    started = time.monotonic()
    payloads = generate(events=events, seed=seed, end_date=last, messy=messy)
    accepted = send_payloads(settings, project, _historic(payloads), events, "demo")
    typer.echo(
        f"demo: {accepted:,} events ingested into project {project.id} in {time.monotonic() - started:.1f} s"
    )


def _deploy_demo_plan(settings: Settings, project_id: int) -> None:
    """The marketplace's tracking plan, as its owner would have set it up (see docs/demo.md)."""
    from betterheap.demo.plan import MARKETPLACE_PLAN
    from betterheap.taxonomy.plan_file import plan_to_yaml
    from betterheap.tracking_plan import service as plan_service

    note = "demo: the marketplace's plan"

    def local(runtime: Runtime) -> dict[str, Any]:
        assert runtime.plans is not None
        if runtime.plans.current(project_id) is not None:
            return {"version": None}
        return plan_service.deploy(runtime.plans, project_id, MARKETPLACE_PLAN, note)

    if running_server(settings.server_file) is not None:
        current = _call(settings, "GET", "/api/plan", [("project_id", project_id)], local)
        if current["version"]:
            typer.echo(f"demo: keeping tracking plan version {current['version']}")
            return
    body = {"yaml": plan_to_yaml(MARKETPLACE_PLAN), "note": note}
    deployed = _call(settings, "POST", "/api/plan", [("project_id", project_id)], local, body)
    if deployed["version"] is not None:
        typer.echo(f"demo: deployed the marketplace's tracking plan as version {deployed['version']}")


def _historic(payloads: Iterable[dict[str, Any]]) -> Iterable[dict[str, Any]]:
    """Demo payloads carry past timestamps on purpose: drop ``sentAt`` so clock-skew
    correction (which assumes a batch was just sent) keeps them where they are."""
    for payload in payloads:
        payload.pop("sentAt", None)
        yield payload


def _has_events(settings: Settings, project_id: int) -> bool:
    if not settings.events_path.exists():
        return False
    from betterheap.store.duckdb import DuckDBStore

    store = DuckDBStore(settings.events_path, read_only=True)
    try:
        rows = store.query_sql("SELECT count(*) AS n FROM events WHERE project_id = $p", {"p": project_id})
    finally:
        store.close()
    return bool(rows[0]["n"])


@app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(help="CSV, JSON Lines or Parquet file.")],
    file_format: Annotated[
        str | None, typer.Option("--format", help="csv, jsonl or parquet (default: from the suffix).")
    ] = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="source_column=field, e.g. event_type=event (repeat). Fields: event, user_id, "
            "anonymous_id, timestamp, message_id, country, url, referrer, user_agent, ip, utm_*, "
            "session_id, properties.NAME.",
        ),
    ] = None,
    project_id: Annotated[int, typer.Option("--project-id", help="Project to import into (default 1).")] = 1,
    data_dir: DataDir = None,
) -> None:
    """Import history through the same pipeline as live events."""
    from betterheap.ingest import file_import

    try:
        fmt = file_format or file_import.detect_format(file)
        if fmt not in ("csv", "jsonl", "parquet"):
            raise ValueError(f"--format must be csv, jsonl or parquet, got {fmt!r}")
        columns = file_import.parse_mapping(mapping or [])
        table = file_import.read_table(file, fmt)  # type: ignore[arg-type]
        payloads = list(file_import.batches(table, columns))
        _validate(payloads)
    except ValueError as error:
        _fail(str(error))
    settings = _settings(data_dir)
    project = _project(settings, project_id)
    accepted = send_payloads(settings, project, payloads, table.num_rows, "import")
    typer.echo(f"import: {accepted:,} events from {file} into project {project.id}")


def _validate(payloads: list[dict[str, Any]]) -> None:
    """Refuse the whole file before sending anything if a row cannot be ingested."""
    receipt = Receipt(project_id=0, received_at=now_us())
    problems: list[str] = []
    for number, payload in enumerate(payloads):
        try:
            segment.parse_body(payload, receipt, None, len(payload["batch"]))
        except PayloadError as error:
            offset = number * len(payloads[0]["batch"])
            problems += [_row_problem(p, offset) for p in error.problems]
    if problems:
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise ValueError("nothing imported; rows that cannot be ingested: " + "; ".join(problems[:10]) + more)


def _row_problem(problem: str, offset: int) -> str:
    where, _, what = problem.partition(": ")
    if where.startswith("batch[") and where.endswith("]"):
        return f"row {offset + int(where[6:-1]) + 1}: {what}"
    return problem
