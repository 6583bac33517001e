"""Projects and ingestion status."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException
from pydantic import BaseModel

from betterheap import __version__
from betterheap.tracking_plan import service as plan_service
from betterheap.web.deps import RuntimeDep

router = APIRouter(prefix="/api", tags=["system"])


class ProjectOut(BaseModel):
    id: int
    name: str


@router.get("/projects", response_model=list[ProjectOut])
def list_projects(runtime: RuntimeDep) -> list[ProjectOut]:
    """Projects by id and name. Write keys are not served over HTTP (no sign-in exists yet);
    `betterheap project list` shows them to whoever can read the data directory."""
    if runtime.projects is None:
        raise HTTPException(503, "no metadata store")
    return [ProjectOut(id=p.id, name=p.name) for p in runtime.projects.list()]


@router.post("/connect")
def connect(runtime: RuntimeDep, body: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    """What a companion (the Chrome extension) needs to work on a project: ``{"key":
    "<write key>"}`` → the project, the plan version in force and the server's version."""
    if runtime.projects is None or runtime.plans is None:
        raise HTTPException(503, "no metadata store")
    key = body.get("key")
    if not isinstance(key, str) or not key.strip():
        raise HTTPException(400, 'send {"key": "<write key>"}; `betterheap project list` shows the keys')
    project = runtime.projects.by_write_key(key.strip())
    if project is None:
        raise HTTPException(401, "no project has this write key; `betterheap project list` shows the keys")
    plan_version, plan = plan_service.current(runtime.plans, project.id)
    return {
        "project_id": project.id,
        "project": project.name,
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
