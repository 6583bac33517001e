"""The PostHog capture API: ``/capture/``, ``/batch/``, ``/e/``, ``/i/v0/e/``.

Bodies are a single event, ``{"batch": [...]}`` or a bare list; the project key travels as
``api_key`` (body), or ``token`` (body or event properties).
"""

from __future__ import annotations

from typing import Any

from betterheap.events.model import ALIAS_EVENT, IDENTIFY_EVENT, PAGE_EVENT, IncomingEvent, event_uuid
from betterheap.events.time import corrected_timestamp
from betterheap.ingest.errors import PayloadError
from betterheap.ingest.formats.common import Receipt, as_dict, as_id, parse_each, timestamps


def write_key(body: Any) -> str | None:
    """The project key wherever PostHog clients put it."""
    candidates: list[Any] = []
    if isinstance(body, dict):
        candidates += [body.get("api_key"), body.get("token")]
        candidates.append(as_dict_or_empty(body.get("properties")).get("token"))
        batch = body.get("batch")
        if isinstance(batch, list) and batch and isinstance(batch[0], dict):
            candidates += [batch[0].get("api_key"), as_dict_or_empty(batch[0].get("properties")).get("token")]
    elif isinstance(body, list) and body and isinstance(body[0], dict):
        first = body[0]
        candidates += [first.get("api_key"), first.get("token")]
        candidates.append(as_dict_or_empty(first.get("properties")).get("token"))
    for candidate in candidates:
        if isinstance(candidate, str) and candidate:
            return candidate
    return None


def as_dict_or_empty(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def parse_body(body: Any, receipt: Receipt, max_messages: int) -> list[IncomingEvent]:
    default_sent_at: Any = None
    if isinstance(body, list):
        messages: list[Any] = body
    elif isinstance(body, dict) and "batch" in body:
        if not isinstance(body["batch"], list):
            raise PayloadError(["'batch' must be a list of events"])
        messages = body["batch"]
        default_sent_at = body.get("sent_at")
    elif isinstance(body, dict):
        messages = [body]
        default_sent_at = body.get("sent_at")
    else:
        raise PayloadError(["the body must be a JSON object or a list of events"])
    if len(messages) > max_messages:
        raise PayloadError([f"a batch holds at most {max_messages} events, got {len(messages)}"])
    return parse_each(
        messages,
        lambda message: parse_event(message, receipt, default_sent_at),
        lambda index: f"batch[{index}]" if len(messages) > 1 else None,
    )


def parse_event(message: Any, receipt: Receipt, default_sent_at: Any = None) -> IncomingEvent:
    if not isinstance(message, dict):
        raise ValueError("an event must be a JSON object")
    name = message.get("event")
    if not isinstance(name, str) or not name.strip():
        raise ValueError("an event needs a non-empty 'event' name")
    name = name.strip()
    properties = dict(as_dict(message.get("properties"), "properties"))
    properties.pop("token", None)
    distinct_id = as_id(
        message.get("distinct_id", properties.get("distinct_id", properties.get("$distinct_id")))
    )
    if distinct_id is None:
        raise ValueError("an event needs a 'distinct_id'")
    links: list[tuple[str, str]] = []
    user_id: str | None = None
    if name == IDENTIFY_EVENT:
        user_id = distinct_id
        anonymous = as_id(properties.get("$anon_distinct_id"))
        if anonymous is not None and anonymous != distinct_id:
            links.append((anonymous, distinct_id))
    elif name == ALIAS_EVENT:
        alias = as_id(properties.get("alias"))
        if alias is None:
            raise ValueError("a $create_alias event needs an 'alias' property")
        if alias != distinct_id:
            links.append((distinct_id, alias))
    for key in ("$set", "$set_once"):
        if key in message and key not in properties:
            properties[key] = message[key]
    sent_at_value = message.get("sent_at", default_sent_at)
    client_value = message.get("timestamp")
    offset = message.get("offset")
    if client_value is None and isinstance(offset, int | float) and not isinstance(offset, bool):
        # posthog-js may send "offset": milliseconds before the request instead of a timestamp.
        if not -1e12 < offset < 1e12:
            raise ValueError(f"'offset' out of range: {offset!r}")
        timestamp = corrected_timestamp(
            receipt.received_at - int(offset * 1000), None, receipt.received_at, receipt.future_clamp_hours
        )
        client_timestamp, sent_at = None, None
    else:
        timestamp, client_timestamp, sent_at = timestamps(client_value, sent_at_value, receipt)
    event: IncomingEvent = {
        "uuid": event_uuid(receipt.project_id, as_id(message.get("uuid"))),
        "project_id": receipt.project_id,
        "type": "page" if name == PAGE_EVENT else "identify" if name == IDENTIFY_EVENT else "track",
        "event": name,
        "distinct_id": distinct_id,
        "user_id": user_id,
        "anonymous_id": None,
        "timestamp": timestamp,
        "client_timestamp": client_timestamp,
        "sent_at": sent_at,
        "received_at": receipt.received_at,
        "source": "posthog",
        "properties": properties,
        "context": {},
    }
    if links:
        event["links"] = links
    return event
