"""The analytics chat and guarded SQL over HTTP. Thin.

Every endpoint needs credentials (``callers``: a session cookie, or an API token); the
caller's role decides what they may read — personal data needs admin — and a ``role`` in
the body may only lower it. The audit log records the caller's name. A conversation is
kept with the role it was held at: only callers with that role or above see it, and
follow-ups stay at that role (so no answer with more in it lands where fewer may read).
Reading the audit log (it holds the questions and SQL as typed) is for admins; changing
the knowledge base for analysts and admins."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Request

from betterheap.chat.service import Chat
from betterheap.chat.sql_tool import GuardError, QueryTimeout, rerun, run_sql
from betterheap.web.api.callers import Caller, CallerDep
from betterheap.web.deps import ProjectId, RuntimeDep, chat_of

router = APIRouter(prefix="/api", tags=["chat"])


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise HTTPException(400, f'send {{"{key}": "..."}}')
    return value


def _conversation(chat: Chat, caller: Caller, conversation_id: str) -> dict[str, Any]:
    """A kept conversation, when the caller's role may read what it was held at."""
    try:
        return chat.conversations.readable(conversation_id, caller.role)
    except LookupError as error:
        raise HTTPException(404, str(error)) from error
    except PermissionError as error:
        raise HTTPException(403, f"{error} ({caller.who})") from error


@router.post("/chat")
def ask(
    request: Request,
    runtime: RuntimeDep,
    caller: CallerDep,
    body: Annotated[dict[str, Any], Body()],
    project_id: ProjectId = 1,
) -> dict[str, Any]:
    """``{"question", "conversation_id"?, "role"?}`` → ``status`` (answered, clarify or
    refused), ``answer``, ``query``, ``sql``, ``rows``, ``chart`` (Vega-Lite),
    ``suggestions`` and the ``conversation_id`` to follow up in. A follow-up is asked with
    the conversation's role."""
    question = _text(body, "question")
    conversation = body.get("conversation_id")
    if conversation is not None and not isinstance(conversation, str):
        raise HTTPException(400, "conversation_id is a string")
    role = caller.acting_as(body.get("role"))
    chat = chat_of(request, runtime)
    if conversation is not None:
        held = _conversation(chat, caller, conversation)["role"]
        if body.get("role") is None:
            role = held
        elif role != held:
            raise HTTPException(
                400, f"this conversation is held with the {held} role: follow up as {held} or start another"
            )
    try:
        return chat.ask(project_id, question, conversation, role, who=caller.who)
    except LookupError as error:
        raise HTTPException(404, str(error)) from error
    except ValueError as error:
        raise HTTPException(400, str(error)) from error


@router.get("/chat/conversations")
def conversations(
    request: Request, runtime: RuntimeDep, caller: CallerDep, project_id: ProjectId = 1
) -> list[dict[str, Any]]:
    """The newest conversations held with the caller's role or a lower one."""
    return chat_of(request, runtime).conversations.list(project_id, role=caller.role)


@router.get("/chat/conversations/{conversation_id}")
def conversation(
    request: Request, runtime: RuntimeDep, caller: CallerDep, conversation_id: str
) -> dict[str, Any]:
    return _conversation(chat_of(request, runtime), caller, conversation_id)


@router.post("/sql")
def sql(
    request: Request,
    runtime: RuntimeDep,
    caller: CallerDep,
    body: Annotated[dict[str, Any], Body()],
    project_id: ProjectId = 1,
) -> dict[str, Any]:
    """``{"sql", "role"?}``: one guarded SELECT (see docs/chat.md) for the caller's role; a
    refusal is a 400 with the reason, a query past the timeout a 408."""
    role = caller.acting_as(body.get("role"))
    query = _text(body, "sql")
    chat = chat_of(request, runtime)
    try:
        return run_sql(
            chat.store, chat.plans, chat.audit, project_id, query, role, caller.who, timeout=chat.timeout
        )
    except GuardError as error:
        raise HTTPException(400, f"refused: {error}") from error
    except QueryTimeout as error:
        raise HTTPException(408, str(error)) from error
    except ValueError as error:
        raise HTTPException(400, str(error)) from error


@router.get("/audit")
def audit(
    request: Request, runtime: RuntimeDep, caller: CallerDep, project_id: ProjectId = 1, limit: int = 100
) -> list[dict[str, Any]]:
    """The newest audit entries: who asked what, the SQL, row count and duration. Admins
    only: questions and SQL are kept as typed, personal data included."""
    caller.require("admin", "reading the audit log")
    return chat_of(request, runtime).audit.entries(project_id, min(max(limit, 1), 1000))


@router.get("/knowledge")
def list_knowledge(
    request: Request,
    runtime: RuntimeDep,
    caller: CallerDep,
    project_id: ProjectId = 1,
    kind: str | None = None,
) -> list[dict[str, Any]]:
    """The team's definitions, business metrics and notes."""
    chat = chat_of(request, runtime)
    assert chat.knowledge is not None
    return chat.knowledge.entries(project_id, kind)


@router.post("/knowledge")
def add_knowledge(
    request: Request,
    runtime: RuntimeDep,
    caller: CallerDep,
    body: Annotated[dict[str, Any], Body()],
    project_id: ProjectId = 1,
) -> dict[str, Any]:
    """``{"kind": "definition"|"metric"|"note", "name", "text"?, "query"?}`` — a metric is a
    structured query (no SQL), checked against the project's events and dimensions.
    Analysts and admins."""
    caller.require("analyst", "changing the knowledge base")
    query = body.get("query")
    if query is not None and not isinstance(query, dict):
        raise HTTPException(400, "query is a structured query object")
    try:
        return chat_of(request, runtime).define(
            project_id,
            str(body.get("kind", "")),
            str(body.get("name", "")),
            str(body.get("text", "")),
            query,
            author=caller.who,
        )
    except ValueError as error:
        raise HTTPException(400, str(error)) from error


@router.delete("/knowledge/{entry_id}")
def remove_knowledge(
    request: Request, runtime: RuntimeDep, caller: CallerDep, entry_id: int, project_id: ProjectId = 1
) -> dict[str, Any]:
    """Analysts and admins."""
    caller.require("analyst", "changing the knowledge base")
    chat = chat_of(request, runtime)
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
    caller: CallerDep,
    entry_id: int,
    body: Annotated[dict[str, Any] | None, Body()] = None,
    project_id: ProjectId = 1,
) -> dict[str, Any]:
    """Run a logged SQL query again — admins only, through the guard, under the caller's
    own name and role — audited as a re-run."""
    role = caller.acting_as((body or {}).get("role"))
    chat = chat_of(request, runtime)
    try:
        return rerun(
            chat.store, chat.plans, chat.audit, project_id, entry_id, role, caller.who, timeout=chat.timeout
        )
    except PermissionError as error:
        raise HTTPException(403, str(error)) from error
    except LookupError as error:
        raise HTTPException(404, str(error)) from error
    except GuardError as error:
        raise HTTPException(400, f"refused: {error}") from error
    except ValueError as error:
        raise HTTPException(400, str(error)) from error
