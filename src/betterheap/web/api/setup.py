"""The setup assistant over HTTP, for the web UI and the Chrome extension. Thin.

Every endpoint needs credentials (``callers``): any role reads a session and the proposals;
starting or answering an interview (its approval deploys a plan) needs the analyst role."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException

from betterheap.taxonomy.interview import AnswerError
from betterheap.tracking_plan import setup
from betterheap.web.api.callers import CallerDep
from betterheap.web.deps import ProjectId, RuntimeDep, metadata_engine

router = APIRouter(prefix="/api/setup", tags=["setup assistant"])


def _sessions(runtime: RuntimeDep) -> setup.SetupSessions:
    return setup.SetupSessions(metadata_engine(runtime))


@router.post("/sessions")
def start_session(runtime: RuntimeDep, caller: CallerDep, project_id: ProjectId = 1) -> dict[str, Any]:
    """Start an interview; answers with the session id and the first question. Analysts
    and admins."""
    caller.require("analyst", "starting the setup assistant")
    try:
        return setup.start(runtime.store, _sessions(runtime), project_id)
    except ValueError as error:
        raise HTTPException(404, str(error)) from error


@router.get("/sessions/{session_id}")
def get_session(runtime: RuntimeDep, caller: CallerDep, session_id: str) -> dict[str, Any]:
    try:
        assert runtime.plans is not None
        return setup.show(runtime.plans, _sessions(runtime), session_id)
    except LookupError as error:
        raise HTTPException(404, str(error)) from error


@router.post("/sessions/{session_id}/answer")
def answer(
    runtime: RuntimeDep, caller: CallerDep, session_id: str, body: Annotated[dict[str, Any], Body()]
) -> dict[str, Any]:
    """``{"answer": "..."}``: the next question, or ``deployed`` once the plan is approved.
    A reply the assistant cannot use is a 400 whose detail says what it expected. Analysts
    and admins."""
    caller.require("analyst", "answering the setup assistant")
    text = body.get("answer")
    if not isinstance(text, str):
        raise HTTPException(400, 'send {"answer": "<text>"}')
    assert runtime.plans is not None
    try:
        return setup.answer(runtime.store, runtime.plans, _sessions(runtime), session_id, text, caller.who)
    except LookupError as error:
        raise HTTPException(404, str(error)) from error
    except (AnswerError, ValueError) as error:
        raise HTTPException(400, str(error)) from error


@router.get("/proposals")
def proposals(runtime: RuntimeDep, caller: CallerDep, project_id: ProjectId = 1) -> dict[str, Any]:
    """What the current plan would learn from events already received: name variants
    grouped under canonical events, and named actions for frequent auto-captured clicks."""
    assert runtime.plans is not None
    return setup.proposals(runtime.store, runtime.plans, project_id)
