"""Tracking-plan versions: every deploy is a new numbered version, kept forever."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import orjson
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from betterheap.meta.models import Project, TrackingPlanVersion
from betterheap.taxonomy.plan import TrackingPlan


@dataclass(frozen=True)
class DeployedPlan:
    project_id: int
    version: int
    plan: TrackingPlan
    note: str
    author: str
    created_at: datetime


def _deployed(row: TrackingPlanVersion) -> DeployedPlan:
    return DeployedPlan(
        row.project_id,
        row.version,
        TrackingPlan.model_validate_json(row.body),
        row.note,
        row.author,
        row.created_at,
    )


def require_project(engine: Engine, project_id: int) -> None:
    with Session(engine) as session:
        if session.get(Project, project_id) is None:
            raise ValueError(f"there is no project {project_id}; `betterheap project list` shows them")


class PlanConflict(RuntimeError):
    """Another plan version was deployed after the one a change was made from."""


class PlanVersions:
    """Reads and deploys tracking plans in the metadata store."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def deploy(
        self,
        project_id: int,
        plan: TrackingPlan,
        note: str = "",
        author: str = "",
        based_on: int | None = None,
    ) -> DeployedPlan:
        """Store ``plan`` as the project's next version (1, 2, ...); ValueError when there is
        no such project (a mistyped ``--project-id`` must not deploy to nowhere).

        With ``based_on``, the plan was made from that version and must become the very next
        one: :class:`PlanConflict` when another deploy took its number first."""
        require_project(self._engine, project_id)
        body = orjson.dumps(plan.model_dump(mode="json")).decode()
        for _ in range(5):  # two deploys racing for the same number: the loser takes the next
            with Session(self._engine) as session:
                latest = session.scalar(
                    select(func.max(TrackingPlanVersion.version)).where(
                        TrackingPlanVersion.project_id == project_id
                    )
                )
                if based_on is not None and (latest or 0) != based_on:
                    raise PlanConflict(f"version {latest} was deployed after version {based_on}")
                row = TrackingPlanVersion(
                    project_id=project_id, version=(latest or 0) + 1, body=body, note=note, author=author
                )
                session.add(row)
                try:
                    session.commit()
                except IntegrityError:
                    continue
                return _deployed(row)
        raise RuntimeError("could not deploy the plan: too many concurrent deploys")

    def current(self, project_id: int) -> DeployedPlan | None:
        with Session(self._engine) as session:
            row = session.scalars(
                select(TrackingPlanVersion)
                .where(TrackingPlanVersion.project_id == project_id)
                .order_by(TrackingPlanVersion.version.desc())
                .limit(1)
            ).first()
            return _deployed(row) if row is not None else None

    def get(self, project_id: int, version: int) -> DeployedPlan | None:
        with Session(self._engine) as session:
            row = session.scalars(
                select(TrackingPlanVersion).where(
                    TrackingPlanVersion.project_id == project_id, TrackingPlanVersion.version == version
                )
            ).first()
            return _deployed(row) if row is not None else None

    def versions(self, project_id: int) -> list[DeployedPlan]:
        with Session(self._engine) as session:
            rows = session.scalars(
                select(TrackingPlanVersion)
                .where(TrackingPlanVersion.project_id == project_id)
                .order_by(TrackingPlanVersion.version)
            ).all()
            return [_deployed(row) for row in rows]

    def all_current(self) -> dict[int, DeployedPlan]:
        """The latest version of every project that has deployed one."""
        with Session(self._engine) as session:
            latest = (
                select(TrackingPlanVersion.project_id, func.max(TrackingPlanVersion.version).label("version"))
                .group_by(TrackingPlanVersion.project_id)
                .subquery()
            )
            rows = session.scalars(
                select(TrackingPlanVersion).join(
                    latest,
                    (TrackingPlanVersion.project_id == latest.c.project_id)
                    & (TrackingPlanVersion.version == latest.c.version),
                )
            ).all()
            return {row.project_id: _deployed(row) for row in rows}

    def generation(self) -> int:
        """Changes whenever any plan is deployed: a cheap check before reloading plans."""
        with Session(self._engine) as session:
            return int(session.scalar(select(func.max(TrackingPlanVersion.id))) or 0)


class CurrentPlans:
    """Every project's current plan as ``{project: (version, plan)}``, reloaded only when
    a deploy happened (one small query per call): the loader asks before every batch."""

    def __init__(self, versions: PlanVersions) -> None:
        self._versions = versions
        self._generation = -1
        self._snapshot: dict[int, tuple[int, TrackingPlan]] = {}

    def __call__(self) -> dict[int, tuple[int, TrackingPlan]]:
        generation = self._versions.generation()
        if generation != self._generation:
            self._snapshot = {
                project: (deployed.version, deployed.plan)
                for project, deployed in self._versions.all_current().items()
            }
            self._generation = generation
        return self._snapshot
