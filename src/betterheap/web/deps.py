"""Dependency shortcuts and parameter types shared by the routers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, TypeVar

from fastapi import Depends, HTTPException, Query, Request

from betterheap.runtime import Runtime

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
