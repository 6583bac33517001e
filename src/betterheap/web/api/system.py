"""Projects and ingestion status."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

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
