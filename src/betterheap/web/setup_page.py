"""The setup assistant in the browser: the interview that proposes a tracking plan, one
question at a time — the kind of product as buttons, key actions as check boxes, text
questions with Skip, the proposed plan with what approving would change, refinements in
plain words, *Approve and deploy*. Works without JavaScript. Thin: the interview is
``tracking_plan.setup``; the same sessions as ``/api/setup`` and the Chrome extension."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from betterheap.taxonomy.interview import AnswerError
from betterheap.tracking_plan import setup
from betterheap.web.auth import form_session, page_session
from betterheap.web.deps import ProjectId, RuntimeDep, metadata_engine
from betterheap.web.plan_pages import render_plan_page
from betterheap.web.templates import back, message_of

router = APIRouter(include_in_schema=False)


def _sessions(runtime: RuntimeDep) -> setup.SetupSessions:
    return setup.SetupSessions(metadata_engine(runtime))


def _turn(runtime: RuntimeDep, session: str, project_id: int) -> dict[str, Any]:
    assert runtime.plans is not None
    try:
        turn = setup.show(runtime.plans, _sessions(runtime), session)
    except LookupError as error:
        raise HTTPException(404, str(error)) from error
    if turn["project_id"] != project_id:
        raise HTTPException(404, "no such interview in this project")
    return turn


@router.get("/plan/setup", response_class=HTMLResponse)
def setup_page(
    request: Request, runtime: RuntimeDep, project_id: ProjectId = 1, session: str | None = None
) -> Response:
    who = page_session(request, runtime)
    context: dict[str, Any] = {"turn": _turn(runtime, session, project_id) if session else None}
    context |= {"session": session or "", "message": message_of(request), "error": None, "typed": ""}
    return render_plan_page(request, runtime, who, project_id, "plan_setup.html", context)


@router.post("/plan/setup/start")
def start(
    request: Request,
    runtime: RuntimeDep,
    csrf: Annotated[str | None, Form()] = None,
    project_id: Annotated[int, Form()] = 1,
) -> Response:
    form_session(request, runtime, csrf, at_least="analyst")
    try:
        turn = setup.start(runtime.store, _sessions(runtime), project_id)
    except ValueError as error:
        raise HTTPException(404, str(error)) from error
    return RedirectResponse(back("/plan/setup", project_id, session=turn["session_id"]), status_code=303)


@router.post("/plan/setup/answer", response_class=HTMLResponse)
def answer(
    request: Request,
    runtime: RuntimeDep,
    session: Annotated[str, Form()],
    csrf: Annotated[str | None, Form()] = None,
    answer: Annotated[str, Form()] = "",
    picked: Annotated[list[str] | None, Form()] = None,
    own: Annotated[str, Form()] = "",
    project_id: Annotated[int, Form()] = 1,
) -> Response:
    """One answer: a button's value, the boxes ticked plus the person's own (comma-separated),
    or what was typed; an answer the assistant cannot use is said, and the text kept."""
    who = form_session(request, runtime, csrf, at_least="analyst")
    _turn(runtime, session, project_id)  # the interview is this project's
    text = ", ".join([*(picked or []), *([own.strip()] if own.strip() else [])]) if picked or own else answer
    assert runtime.plans is not None
    try:
        turn = setup.answer(runtime.store, runtime.plans, _sessions(runtime), session, text, who.account.name)
    except (AnswerError, ValueError) as error:
        context = {"turn": _turn(runtime, session, project_id), "session": session, "message": ""}
        context |= {"error": str(error), "typed": text}
        return render_plan_page(
            request, runtime, who, project_id, "plan_setup.html", context, status_code=400
        )
    deployed = turn.get("deployed")
    if deployed:
        done = f"Approved: tracking plan version {deployed['version']} is in force"
        return RedirectResponse(back("/plan", project_id, message=done), status_code=303)
    return RedirectResponse(back("/plan/setup", project_id, session=session), status_code=303)
