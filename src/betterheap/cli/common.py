"""Shared pieces of the ``betterheap`` command: the app, options, output and routing.

Every command takes ``--data-dir`` (default ``$BETTERHEAP_DATA_DIR``, else ``./.betterheap``).
Reads go to a running server for the same data directory when there is one (see
server_link.py; the command sends the server's local token, so it acts as the admin
``local-cli``), otherwise straight to the store.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import duckdb
import httpx
import orjson
import typer

from betterheap.runtime import Runtime, open_runtime
from betterheap.server_link import ServerLink, running_server
from betterheap.settings import Settings, load_settings

app = typer.Typer(help="BetterHeap product analytics.", no_args_is_help=True, add_completion=False)
project_app = typer.Typer(help="Projects and their write keys.", no_args_is_help=True)
app.add_typer(project_app, name="project")

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", envvar="BETTERHEAP_DATA_DIR", help="Data directory (default ./.betterheap)."),
]
FromDate = Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD (UTC).")]
ToDate = Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD (UTC).")]
Format = Annotated[str, typer.Option("--format", help="table, json or csv.")]
ProjectId = Annotated[int, typer.Option("--project-id", help="Project to read (default 1).")]


def _settings(data_dir: Path | None) -> Settings:
    return load_settings(data_dir)


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail(f"{option} must be a date like 2024-03-31, got {value!r}")
    return None


def _print_rows(rows: list[dict[str, Any]], fmt: str) -> None:
    _check_format(fmt)
    if fmt == "json":
        sys.stdout.write(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    if not rows:
        typer.echo("no data" if fmt == "table" else "")
        return
    columns = list(rows[0])
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        writer.writerows(cells)
        sys.stdout.write(buffer.getvalue())
        return
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    typer.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    for row in cells:
        typer.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    if isinstance(value, list):
        return " ".join(_cell(v) for v in value)
    return str(value)


def _check_format(fmt: str) -> None:
    if fmt not in ("table", "json", "csv"):
        _fail(f"--format must be table, json or csv, got {fmt!r}")


def _read(
    settings: Settings,
    path: str,
    params: list[tuple[str, Any]],
    local: Callable[[Runtime], list[dict[str, Any]]],
) -> list[dict[str, Any]]:
    """Ask the running server, or open the store (after loading any spooled events)."""
    rows: list[dict[str, Any]] = _call(settings, "GET", path, params, local)
    return rows


def _call(
    settings: Settings,
    method: str,
    path: str,
    params: list[tuple[str, Any]],
    local: Callable[[Runtime], Any],
    body: dict[str, Any] | None = None,
) -> Any:
    """``method path`` on the running server, or ``local`` on the opened data directory
    (after loading any spooled events). Errors become a clear message and exit code 2."""
    link = running_server(settings.server_file)
    if link is not None:
        return _request(link, method, path, params, body)
    runtime = open_data_dir(settings)
    try:
        assert runtime.loader is not None
        runtime.loader.drain()
        return local(runtime)
    except ValueError as error:
        _fail(str(error))
        return []
    finally:
        runtime.close()


def open_data_dir(settings: Settings) -> Runtime:
    """Open the data directory for writing, or explain who holds it."""
    try:
        return open_runtime(settings)
    except duckdb.IOException as error:
        _fail(
            f"{settings.data_dir} is in use by another BetterHeap process "
            f"(a `serve` that does not answer, or another command): {error}"
        )
        raise


def _request(
    link: ServerLink, method: str, path: str, params: list[tuple[str, Any]], body: dict[str, Any] | None
) -> Any:
    query: list[tuple[str, str | int | float | bool | None]] = [
        (k, str(v)) for k, v in params if v is not None
    ]
    try:
        answer = httpx.request(
            method, f"{link.url}{path}", params=query, json=body, headers=link.headers(), timeout=600.0
        )
    except httpx.HTTPError as error:
        _fail(f"the server at {link.url} did not answer: {error}")
    if answer.status_code != 200:
        try:
            detail = answer.json().get("detail")
        except ValueError:
            detail = answer.text[:500]
        _fail(f"the server refused ({answer.status_code}): {detail}")
    return answer.json()
