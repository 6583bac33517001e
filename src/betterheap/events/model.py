"""The normalized event every wire format is turned into, and the row the store keeps.

Times are integer microseconds since the Unix epoch, UTC: cheap to move through the spool,
exact, and what the store's TIMESTAMP columns hold.
"""

from __future__ import annotations

import re
import uuid as uuid_lib
from typing import Any, Literal, NotRequired, TypedDict

MessageType = Literal["track", "page", "screen", "identify", "group", "alias"]

# Names given to the non-track message types, shared by every wire format so that Segment
# and PostHog clients land on the same event names.
PAGE_EVENT = "$pageview"
SCREEN_EVENT = "$screen"
IDENTIFY_EVENT = "$identify"
ALIAS_EVENT = "$create_alias"
GROUP_EVENT = "$groupidentify"

_NAMESPACE = uuid_lib.UUID("6f1c3b9e-2d7a-4c55-9f43-2a1f0e8b7c10")
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class IncomingEvent(TypedDict):
    """An event as the gateway accepted it: validated shape, timestamps fixed, not yet enriched."""

    uuid: str
    project_id: int
    type: MessageType
    event: str
    distinct_id: str
    user_id: str | None
    anonymous_id: str | None
    timestamp: int
    client_timestamp: int | None
    sent_at: int | None
    received_at: int
    source: str
    properties: dict[str, Any]
    context: dict[str, Any]
    # Identity links this message asserts: (distinct id, the id it belongs to).
    links: NotRequired[list[tuple[str, str]]]


class StoredEvent(TypedDict):
    """One row of the ``events`` table (see store/schema.py for the column types)."""

    uuid: str
    project_id: int
    type: str
    event: str
    distinct_id: str
    user_id: str | None
    anonymous_id: str | None
    timestamp: int
    client_timestamp: int | None
    sent_at: int | None
    received_at: int
    source: str
    properties: dict[str, Any]
    country: str | None
    channel: str | None
    utm_source: str | None
    utm_medium: str | None
    utm_campaign: str | None
    referrer: str | None
    url: str | None
    browser: str | None
    os: str | None
    device_type: str | None
    session_id: str | None
    revenue: float | None
    revenue_type: str | None
    elements_chain: str | None
    plan_version: int
    original_event: str | None
    violations: str | None
    set_aside: str | None
    coerced: str | None


def event_uuid(project_id: int, message_id: str | None) -> str:
    """The deduplication key of a message.

    A client-supplied UUID is kept as is; any other message id is mapped to a UUIDv5 in a
    per-project namespace, so retries of the same message always get the same key.
    """
    if message_id is None or message_id == "":
        return str(uuid_lib.uuid4())
    if _CANONICAL_UUID.fullmatch(message_id):
        return message_id
    try:
        return str(uuid_lib.UUID(message_id))
    except ValueError:
        return str(uuid_lib.uuid5(_NAMESPACE, f"{project_id}:{message_id}"))
