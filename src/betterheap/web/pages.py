"""The home page: the Overview dashboard, after sign-in."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from betterheap.web.auth import page_session
from betterheap.web.deps import RuntimeDep

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request, runtime: RuntimeDep, project_id: int = 1) -> Response:
    page_session(request, runtime)
    return RedirectResponse(f"/dashboards/overview?project_id={project_id}", status_code=303)
