"""The ingestion gateway: authenticate, parse, fix timestamps, and spool durably.

The gateway answers 2xx only once the events are fsynced in the spool; from there the
loader moves them into the event store exactly once.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Literal

import orjson

from betterheap.events.model import IncomingEvent
from betterheap.events.time import now_us
from betterheap.ingest.errors import PayloadError, UnknownWriteKey
from betterheap.ingest.formats import posthog, segment
from betterheap.ingest.formats.common import Receipt
from betterheap.ingest.spool import Spool
from betterheap.meta.projects import ProjectDirectory

WireFormat = Literal["segment", "posthog"]


@dataclass(frozen=True)
class GatewayLimits:
    max_body_bytes: int = 5 * 1024 * 1024
    max_batch_messages: int = 10_000
    future_clamp_hours: float = 23.0


class Gateway:
    """Validates requests and appends them to the spool."""

    def __init__(self, projects: ProjectDirectory, spool: Spool, limits: GatewayLimits) -> None:
        self.projects = projects
        self.spool = spool
        self.limits = limits

    def parse(
        self,
        wire: WireFormat,
        body: Any,
        *,
        key: str | None = None,
        implied_type: str | None = None,
        received_at: int | None = None,
    ) -> list[IncomingEvent]:
        """Events of one request; raises UnknownWriteKey or PayloadError."""
        if key is None:
            key = segment.write_key(body) if wire == "segment" and isinstance(body, dict) else None
            if wire == "posthog":
                key = posthog.write_key(body)
        if not key:
            raise UnknownWriteKey("no write key: send it as the Basic-auth user name or in the body")
        project = self.projects.by_write_key(key)
        if project is None:
            raise UnknownWriteKey("unknown write key")
        receipt = Receipt(project.id, received_at or now_us(), self.limits.future_clamp_hours)
        if wire == "segment":
            return segment.parse_body(body, receipt, implied_type, self.limits.max_batch_messages)
        return posthog.parse_body(body, receipt, self.limits.max_batch_messages)

    def submit(self, wire: WireFormat, body: Any, **options: Any) -> tuple[int, Future[None]]:
        """Parse and queue for the spool: the event count, and a future done once durable."""
        events = self.parse(wire, body, **options)
        return len(events), self.spool.submit(encode(events))

    async def accept(self, wire: WireFormat, body: Any, **options: Any) -> int:
        """Parse and durably spool; returns the number of events accepted."""
        count, durable = self.submit(wire, body, **options)
        await asyncio.wrap_future(durable)
        return count

    def accept_now(self, wire: WireFormat, body: Any, **options: Any) -> int:
        """The same as ``accept`` for callers without an event loop."""
        count, durable = self.submit(wire, body, **options)
        durable.result()
        return count


def encode(events: list[IncomingEvent]) -> bytes:
    return orjson.dumps(events)


def decode(record: bytes) -> list[IncomingEvent]:
    events: list[IncomingEvent] = orjson.loads(record)
    return events


__all__ = ["Gateway", "GatewayLimits", "PayloadError", "UnknownWriteKey", "decode", "encode"]
