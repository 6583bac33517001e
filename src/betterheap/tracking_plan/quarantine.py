"""The quarantine: events the tracking plan refused, kept raw until a plan accepts them.

:func:`replay` runs every quarantined event of a project through the current plan again.
Those it now accepts move to the event store (or to the filtered counts), in the same
transaction that removes them from the quarantine; the rest stay with their new reason.
The store's ``(project, uuid)`` key makes a replay idempotent: running it twice, or after
the event arrived again, stores nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, cast

import orjson
import sqlglot
from sqlglot import exp

from betterheap.events.model import IncomingEvent
from betterheap.pipeline.shape import shape
from betterheap.pipeline.tracking_plan import CompiledPlan
from betterheap.store.arrow import events_table, filtered_table, quarantine_table
from betterheap.store.protocol import EventStore

Row = dict[str, Any]
REPLAY_PAGE: Final = 5000

_LIST = """
SELECT uuid::VARCHAR AS uuid, timestamp, received_at, event, reason, violations, plan_version
FROM quarantine WHERE project_id = $project_id
  AND ($reason IS NULL OR reason = $reason) AND ($event IS NULL OR event = $event)
ORDER BY received_at DESC, uuid LIMIT $limit
"""
_SUMMARY = """
SELECT reason, event, count(*) AS events, max(received_at) AS last_received
FROM quarantine WHERE project_id = $project_id GROUP BY reason, event ORDER BY events DESC, reason, event
"""
_PAGE = """
SELECT uuid::VARCHAR AS uuid, payload FROM quarantine
WHERE project_id = $project_id AND uuid::VARCHAR > $after ORDER BY uuid::VARCHAR LIMIT $limit
"""


def _parse(sql: str) -> exp.Expression:
    return cast(exp.Expression, sqlglot.parse_one(sql, read="duckdb"))


def _query(store: EventStore, statement: str | exp.Expression, params: dict[str, Any]) -> list[Row]:
    """Run one of this module's fixed statements; only the parameters it names are bound."""
    tree = _parse(statement) if isinstance(statement, str) else statement
    used = {node.name for node in tree.find_all(exp.Placeholder)}
    return store.query(tree, {key: value for key, value in params.items() if key in used})


def list_quarantine(
    store: EventStore,
    project_id: int,
    limit: int = 50,
    reason: str | None = None,
    event: str | None = None,
    *,
    with_payload: bool = False,
) -> list[Row]:
    """The newest quarantined events, each with every violation found. ``with_payload``
    adds each one's raw payload as received (``payload``, parsed): personal data, for
    callers that checked the reader may see it."""
    if not 1 <= limit <= 10_000:
        raise ValueError("limit must be between 1 and 10000")
    tree = _parse(_LIST)
    if with_payload:
        tree = cast(exp.Select, tree).select(exp.column("payload"), copy=False)
    rows = _query(store, tree, {"project_id": project_id, "reason": reason, "event": event, "limit": limit})
    for row in rows:
        row["violations"] = orjson.loads(row["violations"]) if row["violations"] else []
        if with_payload:
            row["payload"] = orjson.loads(row["payload"])
    return rows


def quarantine_summary(store: EventStore, project_id: int) -> list[Row]:
    """Quarantined events counted by reason and event name."""
    return _query(store, _SUMMARY, {"project_id": project_id})


@dataclass
class ReplayResult:
    replayed: int = 0
    stored: int = 0
    filtered: int = 0
    still_quarantined: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "replayed": self.replayed,
            "stored": self.stored,
            "filtered": self.filtered,
            "still_quarantined": self.still_quarantined,
        }


def replay(
    store: EventStore,
    project_id: int,
    compiled: CompiledPlan,
    progress: Callable[[ReplayResult], None] | None = None,
) -> ReplayResult:
    """Run the project's quarantine through ``compiled`` (its current plan); see the
    module docstring. ``progress`` is called after every page of events."""
    result = ReplayResult()
    after = ""
    while True:
        page = _query(store, _PAGE, {"project_id": project_id, "after": after, "limit": REPLAY_PAGE})
        if not page:
            return result
        after = page[-1]["uuid"]
        events: list[IncomingEvent] = [orjson.loads(row["payload"]) for row in page]
        for event in events:
            if "links" in event:  # JSON made the (id, id) tuples lists; the pipeline ignores them
                del event["links"]
        shaped = shape(events, {project_id: compiled})
        still = {row["uuid"].lower() for row in shaped.quarantined}
        released = [(project_id, row["uuid"]) for row in page if row["uuid"] not in still]
        new = store.write_batch(
            events_table(shaped.stored),
            [],
            None,
            quarantine_table(shaped.quarantined),
            filtered_table(shaped.filtered),
            released,
        )
        result.replayed += len(page)
        result.stored += new.stored
        result.filtered += len(shaped.filtered)
        result.still_quarantined += len(shaped.quarantined)
        if progress is not None:
            progress(result)
