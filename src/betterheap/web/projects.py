"""Projects, their write keys and the install page, behind sign-in. Admins create projects
and rotate keys; everyone signed in sees the install snippet (a write key is public by
design: it is in every page that sends events)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from betterheap.meta.projects import ProjectDirectory
from betterheap.web.auth import require_admin_form, sign_in_first, signed_in, users_of
from betterheap.web.deps import RuntimeDep
from betterheap.web.sdk import script, snippet
from betterheap.web.templates import back, message_of, templates

router = APIRouter(include_in_schema=False)


def _directory(runtime: RuntimeDep) -> ProjectDirectory:
    if runtime.projects is None:
        raise HTTPException(503, "this server has no metadata store")
    return runtime.projects


@router.get("/projects", response_class=HTMLResponse)
def projects_page(request: Request, runtime: RuntimeDep) -> Response:
    who = signed_in(request, users_of(request, runtime))
    if who is None:
        return sign_in_first(request)
    context = {
        "signed_in": who,
        "projects": _directory(runtime).list(),
        "admin": who.account.role == "admin",
        "message": message_of(request),
    }
    return templates.TemplateResponse(request, "projects.html", context)


@router.post("/projects")
def create_project(
    request: Request,
    runtime: RuntimeDep,
    name: Annotated[str, Form()],
    csrf: Annotated[str | None, Form()] = None,
) -> Response:
    require_admin_form(request, runtime, csrf, "create projects")
    try:
        project = _directory(runtime).create(name)
    except ValueError as error:
        raise HTTPException(400, str(error)) from error
    return RedirectResponse(back("/projects", message=f"Created {project.name}"), status_code=303)


@router.post("/projects/{project_id}/rotate")
def rotate_key(
    request: Request, runtime: RuntimeDep, project_id: int, csrf: Annotated[str | None, Form()] = None
) -> Response:
    require_admin_form(request, runtime, csrf, "rotate write keys")
    try:
        project = _directory(runtime).rotate_key(project_id)
    except LookupError as error:
        raise HTTPException(404, str(error)) from error
    message = f"New write key for {project.name}: the old one no longer works; update your snippet"
    return RedirectResponse(back("/projects", message=message), status_code=303)


@router.get("/projects/{project_id}/install", response_class=HTMLResponse)
def install_page(request: Request, runtime: RuntimeDep, project_id: int) -> Response:
    who = signed_in(request, users_of(request, runtime))
    if who is None:
        return sign_in_first(request)
    project = next((p for p in _directory(runtime).list() if p.id == project_id), None)
    if project is None:
        raise HTTPException(404, f"there is no project {project_id}")
    host = str(request.base_url).rstrip("/")
    _, version = script()
    context = {
        "signed_in": who,
        "project": project,
        "host": host,
        "snippet": snippet(host, project.write_key, version),
    }
    return templates.TemplateResponse(request, "install.html", context)
