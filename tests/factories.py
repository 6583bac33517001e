"""Build StoredEvent rows for tests without going through ingestion."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from betterheap.events.model import StoredEvent


def micros(value: datetime | str) -> int:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp() * 1_000_000)


def stored_event(
    event: str,
    distinct_id: str,
    at: datetime | str,
    *,
    project_id: int = 1,
    properties: dict[str, Any] | None = None,
    **columns: Any,
) -> StoredEvent:
    """A stored event row; any promoted column (country, channel, revenue...) may be given."""
    ts = micros(at)
    row: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "project_id": project_id,
        "type": "track",
        "event": event,
        "distinct_id": distinct_id,
        "user_id": None,
        "anonymous_id": None,
        "timestamp": ts,
        "client_timestamp": ts,
        "sent_at": None,
        "received_at": ts,
        "source": "test",
        "properties": properties or {},
        "country": None,
        "channel": None,
        "utm_source": None,
        "utm_medium": None,
        "utm_campaign": None,
        "referrer": None,
        "url": None,
        "browser": None,
        "os": None,
        "device_type": None,
        "session_id": None,
        "revenue": None,
        "revenue_type": None,
        "elements_chain": None,
        "plan_version": 0,
        "original_event": None,
        "violations": None,
        "set_aside": None,
        "coerced": None,
    }
    unknown = set(columns) - set(row)
    if unknown:
        raise TypeError(f"unknown columns {sorted(unknown)}")
    row.update(columns)
    return row  # type: ignore[return-value]
