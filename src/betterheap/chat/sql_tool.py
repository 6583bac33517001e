"""Free-form SQL, guarded: the one path for SQL a person, the API or an LLM writes. It
passes :func:`betterheap.query.guard.guard` for the caller's role, runs with the timeout,
and is audited (who, when, the SQL, row count, duration — never the rows)."""

from __future__ import annotations

import time
from datetime import date, datetime
from typing import Any

from betterheap.meta.chat import Audited, AuditLog
from betterheap.meta.plans import PlanVersions
from betterheap.query.access import access_for
from betterheap.query.guard import GuardError, aggregates_only, guard
from betterheap.store.protocol import EventStore, QueryTimeout
from betterheap.tracking_plan import service as plans_service


def run_sql(
    store: EventStore,
    plans: PlanVersions,
    audit: AuditLog,
    project_id: int,
    sql: str,
    role: str,
    who: str = "anonymous",
    timeout: float = 30.0,
    source: str = "sql",
    aggregates: bool = False,
) -> dict[str, Any]:
    """``{"sql", "rows", "row_count", "limit", "duration_ms"}`` or GuardError/QueryTimeout
    (both audited as refused or stopped). With ``aggregates``, only queries returning
    aggregates pass (what an LLM may read)."""
    _, plan = plans_service.current(plans, project_id)
    access = access_for(role, project_id, plan.pii_properties())
    started = time.perf_counter()
    status, shown, rows = "refused", sql, []
    try:
        guarded = guard(sql, access, store.dialect)
        if aggregates and not aggregates_only(guarded.expression):
            raise GuardError("the assistant sees aggregates only: use GROUP BY or aggregate functions")
        shown = guarded.sql
        status = "stopped"
        rows = store.query(guarded.expression, guarded.params, timeout=timeout)
        status = "answered"
    finally:
        audit.record(
            Audited(
                project_id=project_id,
                who=who,
                role=role,
                source=source,
                question=sql,
                sql=shown,
                status=status,
                row_count=len(rows),
                duration_ms=int((time.perf_counter() - started) * 1000),
            )
        )
    return {
        "sql": guarded.sql,
        "rows": [{k: _plain(v) for k, v in row.items()} for row in rows],
        "row_count": len(rows),
        "limit": guarded.limit,
        "duration_ms": int((time.perf_counter() - started) * 1000),
    }


def _plain(value: Any) -> Any:
    """JSON-able values (dates as ISO text, UUIDs and decimals as text)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def rerun(
    store: EventStore,
    plans: PlanVersions,
    audit: AuditLog,
    project_id: int,
    entry_id: int,
    role: str,
    who: str = "anonymous",
    timeout: float = 30.0,
) -> dict[str, Any]:
    """Run a logged SQL query again: admins only, through the same guard, under the
    caller's own identity and role (never the original caller's), audited as a re-run."""
    if role != "admin":
        raise PermissionError("re-running a logged query needs the admin role")
    entry = audit.get(project_id, entry_id)
    if entry["source"] not in ("sql", "llm", "rerun"):
        raise ValueError("only SQL queries are re-run; ask a chat question again instead")
    return run_sql(store, plans, audit, project_id, entry["question"], role, who, timeout, source="rerun")


__all__ = ["GuardError", "QueryTimeout", "rerun", "run_sql"]
