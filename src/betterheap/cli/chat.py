"""``betterheap ask``, ``betterheap sql`` and ``betterheap audit``: the chat, guarded SQL
and the audit log in the terminal."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import orjson
import typer

from betterheap.chat.service import Chat, open_chat
from betterheap.chat.sql_tool import GuardError, QueryTimeout, run_sql
from betterheap.cli.common import DataDir, Format, ProjectId, _call, _fail, _print_rows, _settings, app
from betterheap.meta.users import LOCAL_CLI
from betterheap.runtime import Runtime

Role = Annotated[str, typer.Option("--as-role", help="viewer, analyst or admin: what may be read.")]
knowledge_app = typer.Typer(help="The team's definitions, business metrics and notes.", no_args_is_help=True)
app.add_typer(knowledge_app, name="knowledge")


def _chat(runtime: Runtime) -> Chat:
    assert runtime.projects is not None and runtime.plans is not None
    return open_chat(runtime.store, runtime.plans, runtime.projects.engine, runtime.settings)


@app.command()
def ask(
    question: str,
    fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    conversation: Annotated[
        str | None, typer.Option("--conversation", help="Follow up in this conversation.")
    ] = None,
    role: Role = "analyst",
    project_id: ProjectId = 1,
    data_dir: DataDir = None,
) -> None:
    """Ask a question in plain words: the number, a chart (in JSON), an explanation and the
    SQL behind it. No LLM needed."""
    if fmt not in ("text", "json"):
        _fail(f"--format must be text or json, got {fmt!r}")
    body = {"question": question, "conversation_id": conversation, "role": role}
    answer: dict[str, Any] = _call(
        _settings(data_dir),
        "POST",
        "/api/chat",
        [("project_id", project_id)],
        lambda rt: _chat(rt).ask(project_id, question, conversation, role, who=LOCAL_CLI),
        body,
    )
    if fmt == "json":
        sys.stdout.write(orjson.dumps(answer, option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    typer.echo(answer["answer"])
    if answer.get("rows") and answer["status"] == "answered":
        typer.echo("")
        _print_rows(answer["rows"][:20], "table")
        if len(answer["rows"]) > 20:
            typer.echo(f"... {len(answer['rows']) - 20} more rows (--format json shows all)")
    if answer.get("suggestions"):
        typer.echo("\nTry: " + " | ".join(answer["suggestions"]))
    if answer.get("sql"):
        typer.echo(f"\nSQL:\n{answer['sql']}")
    conversation_id = answer["conversation_id"]
    typer.echo(f"\n(conversation {conversation_id}: --conversation {conversation_id} to follow up)")


@app.command()
def sql(
    query: str,
    role: Role = "analyst",
    fmt: Format = "table",
    project_id: ProjectId = 1,
    data_dir: DataDir = None,
) -> None:
    """Run one SELECT through the SQL guard: allowed tables and columns for the role,
    personal data only for admins, a LIMIT and a timeout; audited."""

    def local(runtime: Runtime) -> dict[str, Any]:
        chat = _chat(runtime)
        try:
            return run_sql(
                chat.store, chat.plans, chat.audit, project_id, query, role, LOCAL_CLI, timeout=chat.timeout
            )
        except GuardError as error:
            raise ValueError(f"refused: {error}") from error
        except QueryTimeout as error:
            raise ValueError(str(error)) from error

    result = _call(
        _settings(data_dir),
        "POST",
        "/api/sql",
        [("project_id", project_id)],
        local,
        {"sql": query, "role": role},
    )
    _print_rows(result["rows"], fmt)


@app.command()
def audit(
    limit: Annotated[int, typer.Option("--limit", help="Newest entries to show.")] = 50,
    fmt: Format = "table",
    project_id: ProjectId = 1,
    data_dir: DataDir = None,
) -> None:
    """The audit log: who asked what, when, the SQL that ran, row count and duration."""
    rows = _call(
        _settings(data_dir),
        "GET",
        "/api/audit",
        [("project_id", project_id), ("limit", limit)],
        lambda rt: _chat(rt).audit.entries(project_id, limit),
    )
    _print_rows(rows, fmt)


@knowledge_app.command("list")
def knowledge_list(fmt: Format = "table", project_id: ProjectId = 1, data_dir: DataDir = None) -> None:
    """Every definition, business metric and note."""

    def local(runtime: Runtime) -> list[dict[str, Any]]:
        chat = _chat(runtime)
        assert chat.knowledge is not None
        return chat.knowledge.entries(project_id)

    rows = _call(_settings(data_dir), "GET", "/api/knowledge", [("project_id", project_id)], local)
    _print_rows([{k: v for k, v in r.items() if k != "updated_at"} for r in rows], fmt)


@knowledge_app.command("add")
def knowledge_add(
    kind: Annotated[str, typer.Argument(help="definition, metric or note.")],
    name: str,
    text: Annotated[str, typer.Option("--text", help="The definition or note.")] = "",
    query: Annotated[
        str | None, typer.Option("--query", help="A metric's structured query, as JSON.")
    ] = None,
    project_id: ProjectId = 1,
    data_dir: DataDir = None,
) -> None:
    """Add (or replace) an entry: `knowledge add note signed_up --text "..."`, `knowledge add
    metric activation --query '{"kind": "funnel", "steps": ["signed_up", "listing_created"]}'`."""
    try:
        parsed = orjson.loads(query) if query else None
    except orjson.JSONDecodeError as error:
        _fail(f"--query is not JSON: {error}")
    body = {"kind": kind, "name": name, "text": text, "query": parsed}
    entry = _call(
        _settings(data_dir),
        "POST",
        "/api/knowledge",
        [("project_id", project_id)],
        lambda rt: _chat(rt).define(project_id, kind, name, text, parsed),
        body,
    )
    typer.echo(f"saved {entry['kind']} {entry['name']} (id {entry['id']})")


@knowledge_app.command("remove")
def knowledge_remove(entry_id: int, project_id: ProjectId = 1, data_dir: DataDir = None) -> None:
    """Remove an entry by id (`knowledge list` shows them)."""

    def local(runtime: Runtime) -> dict[str, Any]:
        chat = _chat(runtime)
        assert chat.knowledge is not None
        try:
            chat.knowledge.remove(project_id, entry_id)
            chat.forget(project_id)
        except LookupError as error:
            raise ValueError(str(error)) from error
        return {"removed": entry_id}

    _call(_settings(data_dir), "DELETE", f"/api/knowledge/{entry_id}", [("project_id", project_id)], local)
    typer.echo(f"removed {entry_id}")
