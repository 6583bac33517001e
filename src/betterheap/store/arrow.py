"""Stored events as an Arrow table: the columnar batch every store backend loads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
import pyarrow as pa

from betterheap.events.model import StoredEvent
from betterheap.store.schema import EVENT_COLUMNS

_ARROW_TYPES: dict[str, pa.DataType] = {
    "UUID": pa.string(),
    "INTEGER": pa.int32(),
    "VARCHAR": pa.string(),
    "TIMESTAMP": pa.timestamp("us"),
    "JSON": pa.string(),
    "DOUBLE": pa.float64(),
}


def unique_events(events: Sequence[StoredEvent]) -> list[StoredEvent]:
    """The first of each (project, uuid): a retry can land in the same batch as the original."""
    seen: set[tuple[int, str]] = set()
    unique: list[StoredEvent] = []
    for event in events:
        key = (event["project_id"], event["uuid"])
        if key not in seen:
            seen.add(key)
            unique.append(event)
    return unique


def events_table(events: Sequence[StoredEvent]) -> pa.Table:
    """Columns for the store, one row per (project, uuid)."""
    events = unique_events(events)
    columns: dict[str, pa.Array] = {}
    for name, sql_type in EVENT_COLUMNS:
        if name == "properties":
            values: list[Any] = [orjson.dumps(e["properties"]).decode() for e in events]
        else:
            values = [e[name] for e in events]  # type: ignore[literal-required]
        columns[name] = pa.array(values, type=_ARROW_TYPES[sql_type])
    return pa.table(columns)
