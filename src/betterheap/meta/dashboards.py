"""Saved dashboards in the metadata store: named per project, each a list of panels holding
an insight's definition or a pinned chat answer's structured query (JSON)."""

from __future__ import annotations

from typing import Any, Final, Literal

import orjson
from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from betterheap.meta.models import Dashboard, DashboardPanel
from betterheap.meta.plans import require_project

PanelKind = Literal["insight", "chat"]
MAX_NAME: Final = 200


class Dashboards:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def list(self, project_id: int) -> list[dict[str, Any]]:
        with Session(self._engine) as session:
            rows = session.scalars(
                select(Dashboard).where(Dashboard.project_id == project_id).order_by(Dashboard.name)
            ).all()
            return [_public(row) for row in rows]

    def create(self, project_id: int, name: str, author: str = "") -> dict[str, Any]:
        name = " ".join(name.split())
        if not name or len(name) > MAX_NAME:
            raise ValueError(f"a dashboard's name has 1 to {MAX_NAME} characters")
        require_project(self._engine, project_id)
        with Session(self._engine) as session:
            row = Dashboard(project_id=project_id, name=name, author=author)
            session.add(row)
            try:
                session.commit()
            except IntegrityError:
                raise ValueError(f"there is already a dashboard named {name!r}") from None
            return _public(row)

    def chosen(self, project_id: int, dashboard_id: str, new_name: str, author: str = "") -> int:
        """The id of the dashboard picked in a form, or of a new one named ``new_name``."""
        if new_name.strip():
            return int(self.create(project_id, new_name, author)["id"])
        if not dashboard_id.isdigit():
            raise ValueError("pick a dashboard or name a new one")
        return int(self.get(project_id, int(dashboard_id))["id"])

    def get(self, project_id: int, dashboard_id: int) -> dict[str, Any]:
        """The dashboard with its panels (``body`` parsed), oldest first."""
        with Session(self._engine) as session:
            row = session.get(Dashboard, dashboard_id)
            if row is None or row.project_id != project_id:
                raise LookupError(f"no dashboard {dashboard_id} in project {project_id}")
            found = session.scalars(
                select(DashboardPanel)
                .where(DashboardPanel.dashboard_id == dashboard_id)
                .order_by(DashboardPanel.id)
            ).all()
            panels = [
                {
                    "id": p.id,
                    "kind": p.kind,
                    "title": p.title,
                    "body": orjson.loads(p.body),
                    "author": p.author,
                }
                for p in found
            ]
            return _public(row) | {"panels": panels}

    def add_panel(
        self, project_id: int, dashboard_id: int, kind: PanelKind, title: str, body: dict[str, Any],
        author: str = "",
    ) -> int:  # fmt: skip
        self.get(project_id, dashboard_id)
        with Session(self._engine) as session:
            body_json = orjson.dumps(body).decode()
            row = DashboardPanel(
                dashboard_id=dashboard_id, kind=kind, title=title[:MAX_NAME], body=body_json, author=author
            )
            session.add(row)
            session.commit()
            return row.id

    def remove_panel(self, project_id: int, dashboard_id: int, panel_id: int) -> None:
        self.get(project_id, dashboard_id)
        with Session(self._engine) as session:
            removed = session.execute(
                delete(DashboardPanel).where(
                    DashboardPanel.id == panel_id, DashboardPanel.dashboard_id == dashboard_id
                )
            )
            if not removed.rowcount:  # type: ignore[attr-defined]
                raise LookupError(f"no panel {panel_id} on dashboard {dashboard_id}")
            session.commit()

    def delete(self, project_id: int, dashboard_id: int) -> None:
        self.get(project_id, dashboard_id)
        with Session(self._engine) as session:
            session.execute(delete(DashboardPanel).where(DashboardPanel.dashboard_id == dashboard_id))
            session.execute(delete(Dashboard).where(Dashboard.id == dashboard_id))
            session.commit()


def _public(row: Dashboard) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "author": row.author, "created_at": row.created_at.isoformat()}
