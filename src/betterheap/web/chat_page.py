"""The chat panel: ask in plain words and get the number, a chart, the rows and the SQL
(behind a disclosure); follow up in the same conversation; pin an answer to a dashboard.
The role is the signed-in person's, so a viewer's chat never reads personal data. Thin: the
answers come from ``chat.service.Chat``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from betterheap.chat.parser import examples
from betterheap.meta.users import SignedIn, at_least
from betterheap.runtime import Runtime
from betterheap.web.auth import form_session, page_session
from betterheap.web.dashboards import saved_dashboards
from betterheap.web.deps import RuntimeDep, chat_of
from betterheap.web.templates import back, inline_json, templates

router = APIRouter(include_in_schema=False)
MAX_QUESTION = 1_000


def _turn(response: dict[str, Any]) -> dict[str, Any]:
    """A stored answer as the template draws it (the chart's spec as safe inline JSON)."""
    chart = response.get("chart")
    spec = inline_json(chart) if chart else ""
    rows = response.get("rows") or []
    columns = list(rows[0]) if rows and isinstance(rows[0], dict) else []
    return response | {
        "spec": spec,
        "columns": columns,
        "table": [[r.get(c) for c in columns] for r in rows[:50]],
    }


def _values(
    request: Request, runtime: Runtime, who: SignedIn, project_id: int, conversation: dict[str, Any] | None
) -> dict[str, Any]:
    turns = [
        {"question": t["question"], **_turn(t["response"])} for t in (conversation or {}).get("turns", [])
    ]
    return {
        "signed_in": who,
        "wide": True,
        "project_id": project_id,
        "conversation_id": conversation["id"] if conversation else "",
        "turns": turns,
        "examples": examples(chat_of(request, runtime).vocabulary(project_id)),
        "dashboards": saved_dashboards(request, runtime).list(project_id),
        "can_pin": at_least(who.account.role, "analyst"),
    }


@router.get("/chat", response_class=HTMLResponse)
def chat_page(
    request: Request, runtime: RuntimeDep, conversation: str | None = None, project_id: int = 1
) -> Response:
    who = page_session(request, runtime)
    chat = chat_of(request, runtime)
    found = None
    if conversation:
        try:
            found = chat.conversations.readable(conversation, who.account.role)
        except LookupError as error:
            raise HTTPException(404, str(error)) from error
        except PermissionError as error:
            raise HTTPException(403, str(error)) from error
        if found["project_id"] != project_id:
            raise HTTPException(404, "no such conversation in this project")
    values = _values(request, runtime, who, project_id, found)
    values["recent"] = chat.conversations.list(project_id, limit=10, role=who.account.role)
    return templates.TemplateResponse(request, "chat.html", values)


@router.post("/chat/ask", response_class=HTMLResponse)
def ask(
    request: Request,
    runtime: RuntimeDep,
    question: Annotated[str, Form()],
    csrf: Annotated[str | None, Form()] = None,
    conversation_id: Annotated[str, Form()] = "",
    project_id: Annotated[int, Form()] = 1,
) -> Response:
    """One question; htmx gets the new turn as a fragment, a plain form the whole page."""
    who = form_session(request, runtime, csrf)
    question = question.strip()[:MAX_QUESTION]
    if not question:
        raise HTTPException(400, "type a question")
    chat = chat_of(request, runtime)
    role = who.account.role
    try:
        if conversation_id:
            # A follow-up keeps the conversation's role, so no answer with more in it lands
            # where fewer may read it.
            held = chat.conversations.readable(conversation_id, role)
            if held["project_id"] != project_id:
                raise LookupError("no such conversation in this project")
            role = held["role"]
        response = chat.ask(project_id, question, conversation_id or None, role, who=who.account.name)
    except LookupError as error:
        raise HTTPException(404, str(error)) from error
    except PermissionError as error:
        raise HTTPException(403, str(error)) from error
    except ValueError as error:
        raise HTTPException(400, str(error)) from error
    if request.headers.get("HX-Request") != "true":
        target = f"/chat?conversation={response['conversation_id']}&project_id={project_id}"
        return RedirectResponse(target, status_code=303)
    values = _values(request, runtime, who, project_id, None)
    turns = chat.conversations.get(response["conversation_id"])["turns"]
    values["turn"] = {"question": question, "index": len(turns) - 1, **_turn(response)}
    values["conversation_id"] = response["conversation_id"]
    return templates.TemplateResponse(request, "chat_turn.html", values)


@router.post("/chat/pin")
def pin(
    request: Request,
    runtime: RuntimeDep,
    conversation_id: Annotated[str, Form()],
    turn: Annotated[int, Form()],
    csrf: Annotated[str | None, Form()] = None,
    dashboard_id: Annotated[str, Form()] = "",
    new_dashboard: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    project_id: Annotated[int, Form()] = 1,
) -> Response:
    """Pin the answer of turn ``turn`` to a dashboard: its structured query is kept and
    computed again each time the dashboard opens."""
    who = form_session(request, runtime, csrf, at_least="analyst")
    chat = chat_of(request, runtime)
    try:
        held = chat.conversations.readable(conversation_id, who.account.role)
        if held["project_id"] != project_id:
            raise LookupError("no such conversation in this project")
        turns = held["turns"]
        response = turns[turn]["response"] if 0 <= turn < len(turns) else None
    except LookupError as error:
        raise HTTPException(404, str(error)) from error
    except PermissionError as error:
        raise HTTPException(403, str(error)) from error
    if response is None or response.get("status") != "answered" or not response.get("query"):
        raise HTTPException(400, "only an answered question can be pinned")
    boards = saved_dashboards(request, runtime)
    try:
        target = boards.chosen(project_id, dashboard_id, new_dashboard, who.account.name)
        name = (title.strip() or turns[turn]["question"])[:200]
        asked = turns[turn]
        body = {"question": asked["question"], "query": response["query"], "asked_on": asked["at"][:10]}
        boards.add_panel(project_id, target, "chat", name, body, who.account.name)
    except (ValueError, LookupError) as error:
        raise HTTPException(400, str(error)) from error
    pinned = back(f"/dashboards/saved/{target}", project_id, message=f"Pinned: {name[:100]}")
    return RedirectResponse(pinned, status_code=303)
