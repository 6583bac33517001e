"""Pieces shared by the wire-format parsers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from betterheap.events.model import IncomingEvent
from betterheap.events.time import BadTimestamp, corrected_timestamp, parse_timestamp
from betterheap.ingest.errors import PayloadError


@dataclass(frozen=True)
class Receipt:
    """Facts about the request a message arrived in."""

    project_id: int
    received_at: int
    future_clamp_hours: float = 23.0


def as_id(value: Any) -> str | None:
    """User ids may arrive as numbers; empty values mean absent."""
    if value is None:
        return None
    if type(value) is str and value and not value[0].isspace() and not value[-1].isspace():
        return value
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"ids must be strings or numbers, got {type(value).__name__}")
    text = str(value).strip()
    return text or None


def as_dict(value: Any, field: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"'{field}' must be an object, got {type(value).__name__}")
    return value


def timestamps(client_value: Any, sent_at_value: Any, receipt: Receipt) -> tuple[int, int | None, int | None]:
    """(corrected timestamp, original client timestamp, sent_at) in µs."""
    try:
        client = parse_timestamp(client_value)
        sent_at = (
            _parse_sent_at(sent_at_value) if type(sent_at_value) is str else parse_timestamp(sent_at_value)
        )
    except BadTimestamp as error:
        raise ValueError(str(error)) from error
    corrected = corrected_timestamp(client, sent_at, receipt.received_at, receipt.future_clamp_hours)
    return corrected, client, sent_at


@lru_cache(maxsize=256)
def _parse_sent_at(value: str) -> int | None:
    """A batch's messages share one sentAt string: parse it once."""
    return parse_timestamp(value)


def parse_each(
    messages: list[Any], parse: Callable[[Any], IncomingEvent], where: Callable[[int], str | None]
) -> list[IncomingEvent]:
    """Every message parsed, or one PayloadError listing each bad message at ``where(index)``."""
    events: list[IncomingEvent] = []
    problems: list[str] = []
    for index, message in enumerate(messages):
        try:
            events.append(parse(message))
        except ValueError as error:
            place = where(index)
            problems.append(f"{place}: {error}" if place else str(error))
    if problems:
        raise PayloadError(problems)
    return events
