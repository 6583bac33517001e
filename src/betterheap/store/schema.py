"""The columns of the events table, shared by every backend.

Properties stay in a JSON column; the context fields every core metric needs (country,
channel, device, revenue...) are promoted to real columns at ingestion so the hot queries
never parse JSON.
"""

from __future__ import annotations

from typing import Final

# (column, DuckDB type, arrow type name); ordered as in the table.
EVENT_COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("uuid", "UUID"),
    ("project_id", "INTEGER"),
    ("type", "VARCHAR"),
    ("event", "VARCHAR"),
    ("distinct_id", "VARCHAR"),
    ("user_id", "VARCHAR"),
    ("anonymous_id", "VARCHAR"),
    ("timestamp", "TIMESTAMP"),
    ("client_timestamp", "TIMESTAMP"),
    ("sent_at", "TIMESTAMP"),
    ("received_at", "TIMESTAMP"),
    ("source", "VARCHAR"),
    # JSON text. Declared VARCHAR because a JSON column re-validates every value on insert
    # (measured: 1.5 µs/event); the pipeline produced it with orjson, so it is valid.
    ("properties", "VARCHAR"),
    ("country", "VARCHAR"),
    ("channel", "VARCHAR"),
    ("utm_source", "VARCHAR"),
    ("utm_medium", "VARCHAR"),
    ("utm_campaign", "VARCHAR"),
    ("referrer", "VARCHAR"),
    ("url", "VARCHAR"),
    ("browser", "VARCHAR"),
    ("os", "VARCHAR"),
    ("device_type", "VARCHAR"),
    ("session_id", "VARCHAR"),
    ("revenue", "DOUBLE"),
    ("revenue_type", "VARCHAR"),
    # PostHog-format element chain of auto-captured clicks (matched by actions).
    ("elements_chain", "VARCHAR"),
    # What the tracking plan did: the version that shaped the event, the name as sent when
    # it was renamed, flagged violations and properties moved aside (JSON text, or NULL).
    ("plan_version", "INTEGER"),
    ("original_event", "VARCHAR"),
    ("violations", "VARCHAR"),
    ("set_aside", "VARCHAR"),
    ("coerced", "VARCHAR"),  # comma-separated properties the plan converted losslessly
)

EVENT_COLUMN_NAMES: Final[tuple[str, ...]] = tuple(name for name, _ in EVENT_COLUMNS)

# Columns a breakdown or filter may name directly; any other name is looked up in properties.
PROMOTED_PROPERTIES: Final[frozenset[str]] = frozenset(
    {
        "event",
        "type",
        "source",
        "country",
        "channel",
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "referrer",
        "url",
        "browser",
        "os",
        "device_type",
        "session_id",
        "revenue",
        "revenue_type",
        "elements_chain",
        "plan_version",
        "original_event",
    }
)

# Added after the first release: opening an older store adds them (NULL for old events).
LATER_EVENT_COLUMNS: Final[tuple[str, ...]] = (
    "elements_chain",
    "plan_version",
    "original_event",
    "violations",
    "set_aside",
    "coerced",
)

QUARANTINE_COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("project_id", "INTEGER"),
    ("uuid", "UUID"),
    ("timestamp", "TIMESTAMP"),
    ("received_at", "TIMESTAMP"),
    ("event", "VARCHAR"),  # the name as sent
    ("reason", "VARCHAR"),  # the violation kind that quarantined it
    ("violations", "VARCHAR"),  # JSON list of every violation found
    ("plan_version", "INTEGER"),
    ("payload", "VARCHAR"),  # the raw event as the gateway accepted it (JSON), for replay
)

FILTERED_COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("project_id", "INTEGER"),
    ("uuid", "UUID"),
    ("timestamp", "TIMESTAMP"),
    ("event", "VARCHAR"),
    ("reason", "VARCHAR"),  # bot, internal
)
