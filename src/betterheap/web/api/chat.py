"""The analytics chat and guarded SQL over HTTP. Thin.

There is no sign-in yet (#6): the caller states its role, which decides what it may read;
personal data needs the admin role."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Request

from betterheap.chat.service import Chat, open_chat
from betterheap.chat.sql_tool import GuardError, QueryTimeout, rerun, run_sql
from betterheap.web.deps import ProjectId, RuntimeDep

router = APIRouter(prefix="/api", tags=["chat"])


def _chat(request: Request, runtime: RuntimeDep) -> Chat:
    chat: Chat | None = getattr(request.app.state, "chat", None)
    if chat is None:
        if runtime.projects is None or runtime.plans is None:
            raise HTTPException(503, "this server has no metadata store")
        chat = open_chat(runtime.store, runtime.plans, runtime.projects.engine, runtime.settings)
        request.app.state.chat = chat
    return chat


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise HTTPException(400, f'send {{"{key}": "..."}}')
    return value


@router.post("/chat")
def ask(
    request: Request, runtime: RuntimeDep, body: Annotated[dict[str, Any], Body()], project_id: ProjectId = 1
) -> dict[str, Any]:
    """``{"question", "conversation_id"?, "role"?}`` → ``status`` (answered, clarify or
    refused), ``answer``, ``query``, ``sql``, ``rows``, ``chart`` (Vega-Lite),
    ``suggestions`` and the ``conversation_id`` to follow up in."""
    question = _text(body, "question")
    conversation = body.get("conversation_id")
    role = body.get("role", "analyst")
    if conversation is not None and not isinstance(conversation, str):
        raise HTTPException(400, "conversation_id is a string")
    try:
        return _chat(request, runtime).ask(project_id, question, conversation, str(role))
    except LookupError as error:
        raise HTTPException(404, str(error)) from error
    except ValueError as error:
        raise HTTPException(400, str(error)) from error


@router.get("/chat/conversations")
def conversations(request: Request, runtime: RuntimeDep, project_id: ProjectId = 1) -> list[dict[str, Any]]:
    return _chat(request, runtime).conversations.list(project_id)


@router.get("/chat/conversations/{conversation_id}")
def conversation(request: Request, runtime: RuntimeDep, conversation_id: str) -> dict[str, Any]:
    try:
        return _chat(request, runtime).conversations.get(conversation_id)
    except LookupError as error:
        raise HTTPException(404, str(error)) from error


@router.post("/sql")
def sql(
    request: Request, runtime: RuntimeDep, body: Annotated[dict[str, Any], Body()], project_id: ProjectId = 1
) -> dict[str, Any]:
    """``{"sql", "role"?}``: one guarded SELECT (see docs/chat.md); a refusal is a 400 with
    the reason, a query past the timeout a 408."""
    chat = _chat(request, runtime)
    try:
        role = str(body.get("role", "analyst"))
        return run_sql(
            chat.store, chat.plans, chat.audit, project_id, _text(body, "sql"), role, timeout=chat.timeout
        )
    except GuardError as error:
        raise HTTPException(400, f"refused: {error}") from error
    except QueryTimeout as error:
        raise HTTPException(408, str(error)) from error
    except ValueError as error:
        raise HTTPException(400, str(error)) from error


@router.get("/audit")
def audit(
    request: Request, runtime: RuntimeDep, project_id: ProjectId = 1, limit: int = 100
) -> list[dict[str, Any]]:
    """The newest audit entries: who asked what, the SQL, row count and duration."""
    return _chat(request, runtime).audit.entries(project_id, min(max(limit, 1), 1000))


@router.get("/knowledge")
def list_knowledge(
    request: Request, runtime: RuntimeDep, project_id: ProjectId = 1, kind: str | None = None
) -> list[dict[str, Any]]:
    """The team's definitions, business metrics and notes."""
    chat = _chat(request, runtime)
    assert chat.knowledge is not None
    return chat.knowledge.entries(project_id, kind)


@router.post("/knowledge")
def add_knowledge(
    request: Request, runtime: RuntimeDep, body: Annotated[dict[str, Any], Body()], project_id: ProjectId = 1
) -> dict[str, Any]:
    """``{"kind": "definition"|"metric"|"note", "name", "text"?, "query"?}`` — a metric is a
    structured query (no SQL), checked against the project's events and dimensions."""
    query = body.get("query")
    if query is not None and not isinstance(query, dict):
        raise HTTPException(400, "query is a structured query object")
    try:
        return _chat(request, runtime).define(
            project_id, str(body.get("kind", "")), str(body.get("name", "")), str(body.get("text", "")), query
        )
    except ValueError as error:
        raise HTTPException(400, str(error)) from error


@router.delete("/knowledge/{entry_id}")
def remove_knowledge(
    request: Request, runtime: RuntimeDep, entry_id: int, project_id: ProjectId = 1
) -> dict[str, Any]:
    chat = _chat(request, runtime)
    assert chat.knowledge is not None
    try:
        chat.knowledge.remove(project_id, entry_id)
    except LookupError as error:
        raise HTTPException(404, str(error)) from error
    chat.forget(project_id)
    return {"removed": entry_id}


@router.post("/audit/{entry_id}/rerun")
def rerun_logged(
    request: Request,
    runtime: RuntimeDep,
    entry_id: int,
    body: Annotated[dict[str, Any], Body()],
    project_id: ProjectId = 1,
) -> dict[str, Any]:
    """Run a logged SQL query again — admins only, through the guard, under the caller's
    identity — audited as a re-run. Until sign-in exists (#6) the caller states its role."""
    chat = _chat(request, runtime)
    try:
        return rerun(chat.store, chat.plans, chat.audit, project_id, entry_id, str(body.get("role", "")),
                     timeout=chat.timeout)  # fmt: skip
    except PermissionError as error:
        raise HTTPException(403, str(error)) from error
    except LookupError as error:
        raise HTTPException(404, str(error)) from error
    except GuardError as error:
        raise HTTPException(400, f"refused: {error}") from error
    except ValueError as error:
        raise HTTPException(400, str(error)) from error
