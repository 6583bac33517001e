"""Projects, the companion's connection, ingestion status and health.

``/api/projects`` and ``/api/connect`` need credentials (``callers``); the ingestion status
and the health check stay open (monitoring, and tests waiting for the loader)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from betterheap import __version__
from betterheap.tracking_plan import service as plan_service
from betterheap.web.api.callers import CallerDep
from betterheap.web.deps import ProjectId, RuntimeDep

router = APIRouter(prefix="/api", tags=["system"])


class ProjectOut(BaseModel):
    id: int
    name: str


@router.get("/projects", response_model=list[ProjectOut])
def list_projects(runtime: RuntimeDep, caller: CallerDep) -> list[ProjectOut]:
    """Projects by id and name, for any signed-in role. A project's write key is in its
    install snippet (``GET /api/install``), on the Projects page and in `betterheap project
    list`."""
    if runtime.projects is None:
        raise HTTPException(503, "no metadata store")
    return [ProjectOut(id=p.id, name=p.name) for p in runtime.projects.list()]


@router.post("/connect")
def connect(runtime: RuntimeDep, caller: CallerDep, project_id: ProjectId = 1) -> dict[str, Any]:
    """What a companion (the Chrome extension) needs to work on ``project_id`` for the
    caller: who they are and their role, the project, its write key (the debugger checks
    batches that carry none with it), the plan version in force and the server's version.
    A companion changes the tracking plan, so this needs the analyst role."""
    caller.require("analyst", "connecting the Chrome extension (it changes the tracking plan)")
    if runtime.projects is None or runtime.plans is None:
        raise HTTPException(503, "no metadata store")
    project = next((p for p in runtime.projects.list() if p.id == project_id), None)
    if project is None:
        raise HTTPException(404, f"there is no project {project_id}; `betterheap project list` shows them")
    plan_version, plan = plan_service.current(runtime.plans, project.id)
    return {
        "who": caller.who,
        "role": caller.role,
        "project_id": project.id,
        "project": project.name,
        "write_key": project.write_key,
        "plan_version": plan_version,
        "actions": len(plan.actions),
        "server_version": __version__,
    }


@router.get("/ingest/status")
def ingest_status(runtime: RuntimeDep) -> dict[str, Any]:
    """How far the loader is behind the spool; ``backlog_bytes`` 0 means every acknowledged
    event is queryable."""
    loader = runtime.loader
    if loader is None:
        raise HTTPException(503, "this server does not ingest")
    stats = loader.stats
    return {
        "backlog_bytes": loader.backlog_bytes(),
        "received": stats.received,
        "stored": stats.stored,
        "quarantined": stats.quarantined,
        "filtered": stats.filtered,
        "duplicates": stats.duplicates,
        "batches": stats.batches,
    }


@router.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
