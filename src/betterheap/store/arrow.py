"""Stored events as an Arrow table: the columnar batch every store backend loads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import orjson
import pyarrow as pa

from betterheap.events.model import StoredEvent
from betterheap.store.schema import EVENT_COLUMNS, FILTERED_COLUMNS, QUARANTINE_COLUMNS

_ARROW_TYPES: dict[str, pa.DataType] = {
    "UUID": pa.string(),
    "INTEGER": pa.int32(),
    "VARCHAR": pa.string(),
    "TIMESTAMP": pa.timestamp("us"),
    "JSON": pa.string(),
    "DOUBLE": pa.float64(),
}


Row = TypeVar("Row", StoredEvent, dict[str, Any])


def unique_events(events: Sequence[Row]) -> list[Row]:
    """The first of each (project, uuid): a retry can land in the same batch as the original."""
    seen: set[tuple[int, str]] = set()
    unique: list[Row] = []
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
            values = [e.get(name) for e in events]
        columns[name] = pa.array(values, type=_ARROW_TYPES[sql_type])
    return pa.table(columns)


def rows_table(rows: Sequence[dict[str, Any]], layout: tuple[tuple[str, str], ...]) -> pa.Table:
    """Rows (dicts keyed by column) as an Arrow table with the layout's types, the first
    of each (project, uuid) only."""
    rows = unique_events(rows)
    return pa.table(
        {
            name: pa.array([row[name] for row in rows], type=_ARROW_TYPES[sql_type])
            for name, sql_type in layout
        }
    )


def quarantine_table(rows: Sequence[dict[str, Any]]) -> pa.Table:
    return rows_table(rows, QUARANTINE_COLUMNS)


def filtered_table(rows: Sequence[dict[str, Any]]) -> pa.Table:
    return rows_table(rows, FILTERED_COLUMNS)
