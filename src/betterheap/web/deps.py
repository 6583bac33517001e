"""Dependency shortcuts and parameter types shared by the routers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, TypeVar

from fastapi import Depends, HTTPException, Query, Request
from sqlalchemy import Engine

from betterheap.chat.service import Chat, open_chat
from betterheap.runtime import Runtime
from betterheap.tracking_plan import service as plans_service

T = TypeVar("T")
FromDate = Annotated[date | None, Query(alias="from")]
ToDate = Annotated[date | None, Query(alias="to")]
ProjectId = Annotated[int, Query(ge=1)]


def answer(call: Callable[[], T]) -> T:
    """``call()``, its ValueError (bad input, in the user's words) turned into a 400."""
    try:
        return call()
    except ValueError as error:
        raise HTTPException(status_code=400, detail=str(error)) from error


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def app_service(request: Request, name: str, make: Callable[[], T]) -> T:
    """The app's one ``name`` (users, chat, saved dashboards...), made on first use and
    kept on the app."""
    found: T | None = getattr(request.app.state, name, None)
    if found is None:
        found = make()
        setattr(request.app.state, name, found)
    return found


def metadata_engine(runtime: Runtime) -> Engine:
    """The metadata store's engine (503 on a server without one)."""
    if runtime.projects is None or runtime.plans is None:
        raise HTTPException(503, "this server has no metadata store")
    return runtime.projects.engine


def chat_of(request: Request, runtime: Runtime) -> Chat:
    """The app's one chat, shared by the API and the chat page (opened on first use)."""

    def make() -> Chat:
        engine = metadata_engine(runtime)
        assert runtime.plans is not None
        return open_chat(runtime.store, runtime.plans, engine, runtime.settings)

    return app_service(request, "chat", make)


def pii_properties(runtime: Runtime, project_id: int) -> frozenset[str]:
    """The properties the project's plan flags as personal data."""
    if runtime.plans is None:
        return frozenset()
    _, plan = plans_service.current(runtime.plans, project_id)
    return plan.pii_properties()
