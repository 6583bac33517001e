"""The team's knowledge base in the metadata store: definitions, business metrics (as
structured queries, never SQL) and notes."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, Final, Literal

import orjson
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from betterheap.meta.models import KnowledgeEntry
from betterheap.meta.plans import require_project

Kind = Literal["definition", "metric", "note"]
KINDS: Final[tuple[Kind, ...]] = ("definition", "metric", "note")
_NAME: Final = re.compile(r"^[A-Za-z][A-Za-z0-9_ .:-]{0,99}$")
MAX_TEXT: Final = 5_000


class Knowledge:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def put(
        self,
        project_id: int,
        kind: str,
        name: str,
        text: str = "",
        query: dict[str, Any] | None = None,
        author: str = "",
    ) -> dict[str, Any]:
        """Add an entry, or replace the one of that kind and name. A ``metric`` carries its
        structured query (validated by the caller); the others carry text."""
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}; kinds: {', '.join(KINDS)}")
        if not _NAME.match(name):
            raise ValueError(f"invalid name {name!r}: start with a letter; letters, digits, space _ . : -")
        if len(text) > MAX_TEXT:
            raise ValueError(f"the text is longer than {MAX_TEXT:,} characters")
        if kind == "metric" and not query:
            raise ValueError("a business metric is defined by a structured query (see docs/chat.md)")
        if kind != "metric" and not text.strip():
            raise ValueError(f"a {kind} needs its text")
        require_project(self._engine, project_id)
        body = orjson.dumps(query).decode() if query else ""
        with Session(self._engine) as session:
            row = session.scalars(
                select(KnowledgeEntry).where(
                    KnowledgeEntry.project_id == project_id,
                    KnowledgeEntry.kind == kind,
                    KnowledgeEntry.name == name,
                )
            ).first()
            if row is None:
                row = KnowledgeEntry(project_id=project_id, kind=kind, name=name)
                session.add(row)
            row.text, row.query, row.author, row.updated_at = text, body, author, datetime.now(UTC)
            session.commit()
            return _entry(row)

    def entries(self, project_id: int, kind: str | None = None) -> list[dict[str, Any]]:
        with Session(self._engine) as session:
            query = select(KnowledgeEntry).where(KnowledgeEntry.project_id == project_id)
            if kind is not None:
                query = query.where(KnowledgeEntry.kind == kind)
            return [
                _entry(r) for r in session.scalars(query.order_by(KnowledgeEntry.kind, KnowledgeEntry.name))
            ]

    def remove(self, project_id: int, entry_id: int) -> None:
        with Session(self._engine) as session:
            removed = session.execute(
                delete(KnowledgeEntry).where(
                    KnowledgeEntry.project_id == project_id, KnowledgeEntry.id == entry_id
                )
            )
            session.commit()
        if not removed.rowcount:  # type: ignore[attr-defined]
            raise LookupError(f"no knowledge entry {entry_id} in project {project_id}")

    def about(self, project_id: int, names: set[str]) -> list[dict[str, Any]]:
        """Entries that name one of ``names`` (an event or metric) or mention it."""
        wanted = {n.lower() for n in names if n}
        found = []
        for entry in self.entries(project_id):
            words = set(re.findall(r"[a-z0-9_$]+", f"{entry['name']} {entry['text']}".lower()))
            if entry["name"].lower() in wanted or words & wanted:
                found.append(entry)
        return found


def _entry(row: KnowledgeEntry) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "name": row.name,
        "text": row.text,
        "query": orjson.loads(row.query) if row.query else None,
        "author": row.author,
        "updated_at": row.updated_at.isoformat(),
    }
