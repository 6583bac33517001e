"""Projects and their write keys."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass

from sqlalchemy import Engine, create_engine, select
from sqlalchemy.orm import Session

from betterheap.meta.models import Base, Project

DEFAULT_PROJECT_NAME = "Demo marketplace"


@dataclass(frozen=True)
class ProjectInfo:
    id: int
    name: str
    write_key: str


class ProjectDirectory:
    """Looks up projects by write key (cached: this is on every ingestion request)."""

    def __init__(self, url: str) -> None:
        self._engine = create_engine(url)
        Base.metadata.create_all(self._engine)
        self._by_key: dict[str, ProjectInfo] = {}
        self._lock = threading.Lock()

    def list(self) -> list[ProjectInfo]:
        with Session(self._engine) as session:
            rows = session.scalars(select(Project).order_by(Project.id)).all()
            return [ProjectInfo(p.id, p.name, p.write_key) for p in rows]

    def create(self, name: str) -> ProjectInfo:
        if not name.strip():
            raise ValueError("a project needs a name")
        with Session(self._engine) as session:
            project = Project(name=name.strip(), write_key="bh_" + secrets.token_urlsafe(24))
            session.add(project)
            session.commit()
            return ProjectInfo(project.id, project.name, project.write_key)

    def rotate_key(self, project_id: int) -> ProjectInfo:
        """A new write key for the project; the old one stops working at once in this
        process (other processes cache keys too: rotate where the server runs)."""
        with Session(self._engine) as session:
            project = session.get(Project, project_id)
            if project is None:
                raise LookupError(f"there is no project {project_id}")
            project.write_key = "bh_" + secrets.token_urlsafe(24)
            session.commit()
            info = ProjectInfo(project.id, project.name, project.write_key)
        with self._lock:
            for key in [k for k, v in self._by_key.items() if v.id == project_id]:
                del self._by_key[key]
        return info

    def ensure_default(self) -> ProjectInfo:
        """The first project, created on first use so a fresh install can take events."""
        projects = self.list()
        return projects[0] if projects else self.create(DEFAULT_PROJECT_NAME)

    def by_write_key(self, key: str) -> ProjectInfo | None:
        with self._lock:
            found = self._by_key.get(key)
        if found is not None:
            return found
        with Session(self._engine) as session:
            project = session.scalars(select(Project).where(Project.write_key == key)).first()
            if project is None:
                return None
            info = ProjectInfo(project.id, project.name, project.write_key)
        with self._lock:
            self._by_key[key] = info
        return info

    @property
    def engine(self) -> Engine:
        """The metadata store's engine, shared with the other metadata repositories."""
        return self._engine

    def close(self) -> None:
        self._engine.dispose()
