"""Chat conversations and the audit log, in the metadata store."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from betterheap.meta.models import AuditEntry, ChatConversation, ChatTurn
from betterheap.meta.plans import require_project
from betterheap.meta.users import ROLES, outranks


class Conversations:
    """Conversations by id, with their turns."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def start(self, project_id: int, role: str, title: str) -> str:
        require_project(self._engine, project_id)
        conversation_id = secrets.token_urlsafe(12)
        with Session(self._engine) as session:
            session.add(
                ChatConversation(id=conversation_id, project_id=project_id, role=role, title=title[:200])
            )
            session.commit()
        return conversation_id

    def add(self, conversation_id: str, question: str, response: dict[str, Any]) -> None:
        with Session(self._engine) as session:
            session.add(
                ChatTurn(
                    conversation_id=conversation_id,
                    question=question,
                    response=orjson.dumps(response).decode(),
                )
            )
            row = session.get(ChatConversation, conversation_id)
            if row is not None:
                row.updated_at = datetime.now(UTC)
            session.commit()

    def get(self, conversation_id: str) -> dict[str, Any]:
        with Session(self._engine) as session:
            row = session.get(ChatConversation, conversation_id)
            if row is None:
                raise LookupError(
                    f"no conversation {conversation_id!r}; GET /api/chat/conversations lists them"
                )
            turns = session.scalars(
                select(ChatTurn).where(ChatTurn.conversation_id == conversation_id).order_by(ChatTurn.id)
            ).all()
            return {
                "id": row.id,
                "project_id": row.project_id,
                "role": row.role,
                "title": row.title,
                "created_at": row.created_at.isoformat(),
                "turns": [
                    {
                        "question": t.question,
                        "response": orjson.loads(t.response),
                        "at": t.created_at.isoformat(),
                    }
                    for t in turns
                ],
            }

    def readable(self, conversation_id: str, role: str) -> dict[str, Any]:
        """The conversation, when ``role`` may read what it was held at: answers given to an
        admin may hold personal data a viewer must not see (PermissionError)."""
        kept = self.get(conversation_id)
        if outranks(kept["role"], role):
            raise PermissionError(f"this conversation was held with the {kept['role']} role; you are {role}")
        return kept

    def last_query(self, conversation_id: str) -> dict[str, Any] | None:
        """The structured query of the conversation's last answered turn."""
        for turn in reversed(self.get(conversation_id)["turns"]):
            query = turn["response"].get("query")
            if turn["response"].get("status") == "answered" and query:
                return dict(query)
        return None

    def list(self, project_id: int, limit: int = 50, role: str | None = None) -> list[dict[str, Any]]:
        """The newest conversations (only those held at ``role`` or below, when given)."""
        query = select(ChatConversation).where(ChatConversation.project_id == project_id)
        if role is not None:
            # In the query, not after the limit: newer conversations of higher roles must not
            # crowd a lower role's own out of its list.
            query = query.where(ChatConversation.role.in_([r for r in ROLES if not outranks(r, role)]))
        with Session(self._engine) as session:
            rows = session.scalars(query.order_by(ChatConversation.updated_at.desc()).limit(limit)).all()
            return [
                {"id": r.id, "title": r.title, "role": r.role, "updated_at": r.updated_at.isoformat()}
                for r in rows
            ]


@dataclass(frozen=True)
class Audited:
    project_id: int
    who: str
    role: str
    source: str
    question: str
    sql: str
    status: str
    row_count: int
    duration_ms: int


class AuditLog:
    """Who, when, the question, the SQL, row count and duration — never result rows —
    kept ``retention_days``."""

    def __init__(self, engine: Engine, retention_days: int) -> None:
        self._engine = engine
        self.retention_days = retention_days

    def record(self, entry: Audited) -> None:
        cutoff = datetime.now(UTC) - timedelta(days=self.retention_days)
        with Session(self._engine) as session:
            session.add(AuditEntry(**entry.__dict__))
            session.execute(delete(AuditEntry).where(AuditEntry.at < cutoff))
            session.commit()

    def get(self, project_id: int, entry_id: int) -> dict[str, Any]:
        with Session(self._engine) as session:
            row = session.get(AuditEntry, entry_id)
            if row is None or row.project_id != project_id:
                raise LookupError(f"no audit entry {entry_id} in project {project_id}")
            return _audited(row)

    def entries(self, project_id: int, limit: int = 100) -> list[dict[str, Any]]:
        with Session(self._engine) as session:
            rows = session.scalars(
                select(AuditEntry)
                .where(AuditEntry.project_id == project_id)
                .order_by(AuditEntry.id.desc())
                .limit(limit)
            ).all()
            return [_audited(r) for r in rows]


def _audited(row: AuditEntry) -> dict[str, Any]:
    return {
        "id": row.id,
        "at": row.at.isoformat(),
        "who": row.who,
        "role": row.role,
        "source": row.source,
        "question": row.question,
        "sql": row.sql,
        "status": row.status,
        "row_count": row.row_count,
        "duration_ms": row.duration_ms,
    }
