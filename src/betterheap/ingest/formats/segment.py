"""The Segment HTTP Tracking API: ``/v1/track|identify|page|screen|group|alias|batch``.

https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/
"""

from __future__ import annotations

from typing import Any, cast

from betterheap.events.model import (
    ALIAS_EVENT,
    GROUP_EVENT,
    IDENTIFY_EVENT,
    PAGE_EVENT,
    SCREEN_EVENT,
    IncomingEvent,
    MessageType,
    event_uuid,
)
from betterheap.ingest.errors import PayloadError
from betterheap.ingest.formats.common import Receipt, as_dict, as_id, parse_each, timestamps

MESSAGE_TYPES: frozenset[str] = frozenset({"track", "page", "screen", "identify", "group", "alias"})


def write_key(body: dict[str, Any]) -> str | None:
    key = body.get("writeKey")
    return key if isinstance(key, str) and key else None


def parse_body(
    body: Any, receipt: Receipt, implied_type: str | None, max_messages: int
) -> list[IncomingEvent]:
    """Messages of a single-message or ``batch`` request, or a PayloadError naming each problem."""
    if not isinstance(body, dict):
        raise PayloadError(["the body must be a JSON object"])
    if implied_type is None:
        messages = body.get("batch")
        if not isinstance(messages, list):
            raise PayloadError(["'batch' must be a list of messages"])
        if len(messages) > max_messages:
            raise PayloadError([f"a batch holds at most {max_messages} messages, got {len(messages)}"])
        default_sent_at = body.get("sentAt")
    else:
        messages = [dict(body, type=implied_type)]
        default_sent_at = None
    return parse_each(
        messages,
        lambda message: parse_message(message, receipt, default_sent_at),
        lambda index: f"batch[{index}]" if implied_type is None else "message",
    )


def parse_message(message: Any, receipt: Receipt, default_sent_at: Any = None) -> IncomingEvent:
    if not isinstance(message, dict):
        raise ValueError("a message must be a JSON object")
    kind = message.get("type")
    if not isinstance(kind, str) or kind not in MESSAGE_TYPES:
        raise ValueError(f"'type' must be one of {sorted(MESSAGE_TYPES)}, got {kind!r}")
    user_id = as_id(message.get("userId"))
    anonymous_id = as_id(message.get("anonymousId"))
    links: list[tuple[str, str]] = []
    if kind == "alias":
        previous_id = as_id(message.get("previousId"))
        if previous_id is None or user_id is None:
            raise ValueError("an alias needs both 'previousId' and 'userId'")
        links.append((previous_id, user_id))
    distinct_id = user_id or anonymous_id
    if distinct_id is None:
        raise ValueError("a message needs 'userId' or 'anonymousId'")
    if user_id is not None and anonymous_id is not None and user_id != anonymous_id:
        links.append((anonymous_id, user_id))
    properties = dict(as_dict(message.get("properties"), "properties"))
    name = _event_name(kind, message, properties)
    if kind == "identify":
        properties["$set"] = as_dict(message.get("traits"), "traits")
    elif kind == "group":
        properties["$group_id"] = as_id(message.get("groupId"))
        properties["$group_set"] = as_dict(message.get("traits"), "traits")
    sent_at_value = message.get("sentAt", default_sent_at)
    client_value = message.get("timestamp") or message.get("originalTimestamp")
    timestamp, client_timestamp, sent_at = timestamps(client_value, sent_at_value, receipt)
    message_id = as_id(message.get("messageId"))
    event: IncomingEvent = {
        "uuid": event_uuid(receipt.project_id, message_id),
        "project_id": receipt.project_id,
        "type": _message_type(kind),
        "event": name,
        "distinct_id": distinct_id,
        "user_id": user_id,
        "anonymous_id": anonymous_id,
        "timestamp": timestamp,
        "client_timestamp": client_timestamp,
        "sent_at": sent_at,
        "received_at": receipt.received_at,
        "source": "segment",
        "properties": properties,
        "context": as_dict(message.get("context"), "context"),
    }
    if links:
        event["links"] = links
    return event


def _event_name(kind: str, message: dict[str, Any], properties: dict[str, Any]) -> str:
    if kind == "track":
        name = message.get("event")
        if not isinstance(name, str) or not name.strip():
            raise ValueError("a track message needs a non-empty 'event' name")
        return name.strip()
    if kind in ("page", "screen"):
        page_name = message.get("name")
        if isinstance(page_name, str) and page_name:
            properties.setdefault("name", page_name)
        return PAGE_EVENT if kind == "page" else SCREEN_EVENT
    return {"identify": IDENTIFY_EVENT, "group": GROUP_EVENT, "alias": ALIAS_EVENT}[kind]


def _message_type(kind: str) -> MessageType:
    """``kind`` was checked against MESSAGE_TYPES."""
    return cast(MessageType, kind)
