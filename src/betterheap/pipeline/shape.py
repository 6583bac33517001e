"""The whole ingestion pipeline over one batch: plan, filter, enrich, scrub, route.

Each event ends in exactly one place, so for every batch
received = stored + quarantined + filtered:

1. **filter** — bots (by user agent) and internal traffic (IP, page host or a flag) are
   routed to the filtered counts with their reason. This is decided first so a crawler's
   junk never fills the quarantine; the plan's checks are not spent on it either.
2. **plan** — :func:`~betterheap.pipeline.tracking_plan.apply_plan`: normalize the name,
   coerce and validate properties; a violation whose policy is ``quarantine`` routes the
   raw event to the quarantine with the reason and the plan version.
3. **enrich** — the column steps of :mod:`betterheap.pipeline.steps` (device, country,
   page, campaign, channel, revenue, elements) on the renamed, coerced event.
4. **scrub** — e-mail addresses masked in the url columns and free-text properties; the
   client IP truncated to its network. Quarantined payloads are scrubbed the same way.

Projects without a deployed plan pass through steps 1–2 untouched (:data:`NO_PLAN`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import orjson

from betterheap.events.model import IncomingEvent, StoredEvent
from betterheap.pipeline.filters import URL_PROPERTIES, is_bot, scrub_emails, truncate_ip
from betterheap.pipeline.steps import to_stored
from betterheap.pipeline.tracking_plan import CompiledPlan, Outcome, apply_plan, compile_plan
from betterheap.taxonomy.plan import NO_PLAN

URL_COLUMNS: Final = ("url", "referrer")

#: The plan of projects that have not deployed one (version 0).
UNPLANNED: Final = compile_plan(NO_PLAN, 0)


@dataclass
class ShapedBatch:
    stored: list[StoredEvent] = field(default_factory=list)
    #: Rows for the quarantine: the raw event as JSON, why, and under which plan version.
    quarantined: list[dict[str, Any]] = field(default_factory=list)
    #: Rows for the filtered counts: which event and why (bot, internal).
    filtered: list[dict[str, Any]] = field(default_factory=list)


def quarantine_row(event: IncomingEvent, outcome: Outcome, version: int) -> dict[str, Any]:
    return {
        "project_id": event["project_id"],
        "uuid": event["uuid"],
        "timestamp": event["timestamp"],
        "received_at": event["received_at"],
        "event": event["event"],
        "reason": outcome.reason,
        "violations": orjson.dumps(outcome.violations).decode(),
        "plan_version": version,
        "payload": orjson.dumps(event).decode(),
    }


def shape(events: Sequence[IncomingEvent], plans: Mapping[int, CompiledPlan]) -> ShapedBatch:
    """Route and shape a batch under each project's compiled plan (see the module doc).

    Written for speed, since it runs on every event: flags are precomputed on the compiled
    plan, an event the plan leaves untouched costs no allocation, and a batch of projects
    without a plan goes straight to enrichment."""
    batch = ShapedBatch()
    if not plans or all(event["project_id"] not in plans for event in events):
        batch.stored = to_stored(list(events))
        return batch
    keep: list[IncomingEvent] = []
    outcomes: list[tuple[CompiledPlan, Outcome | None]] = []
    filtered = batch.filtered
    for event in events:
        compiled = plans.get(event["project_id"], UNPLANNED)
        if compiled.filtering:
            context = event["context"]
            agent = context.get("userAgent") or event["properties"].get("$raw_user_agent")
            if compiled.bots and agent.__class__ is str and is_bot(agent):
                reason: str | None = "bot"
            elif compiled.internal_traffic and compiled.internal.matches(context, event["properties"]):
                reason = "internal"
            else:
                reason = None
            if reason is not None:
                filtered.append(
                    {
                        "project_id": event["project_id"],
                        "uuid": event["uuid"],
                        "timestamp": event["timestamp"],
                        "event": event["event"],
                        "reason": reason,
                    }
                )
                continue
        outcome = apply_plan(event, compiled) if compiled.enforce else None
        if outcome is None:
            keep.append(event)
        elif outcome.route == "quarantine":
            raw = scrubbed_payload(event, compiled)
            batch.quarantined.append(quarantine_row(raw, outcome, compiled.version))
            continue
        else:
            keep.append(outcome.event)
        outcomes.append((compiled, outcome))
    batch.stored = to_stored(keep)
    for row, (compiled, outcome) in zip(batch.stored, outcomes, strict=True):
        row["plan_version"] = compiled.version
        if outcome is not None:
            if outcome.original_event is not None:
                row["original_event"] = outcome.original_event
            if outcome.violations:
                row["violations"] = orjson.dumps(outcome.violations).decode()
            if outcome.coerced:
                row["coerced"] = ",".join(outcome.coerced)
            if outcome.set_aside:
                row["set_aside"] = orjson.dumps(outcome.set_aside).decode()
        if compiled.scrubbing:
            _scrub(row, compiled)
    return batch


def _scrub(row: StoredEvent, compiled: CompiledPlan) -> None:
    """Mask e-mails in url columns and free text, truncate the IP (copy-on-write)."""
    if compiled.plan.filters.scrub_pii:
        for column in URL_COLUMNS:
            value = row[column]
            if value is not None:
                row[column] = scrub_emails(value)
    properties = _scrubbed_properties(row["properties"], compiled)
    if properties is not None:
        row["properties"] = properties


def scrubbed_payload(event: IncomingEvent, compiled: CompiledPlan) -> IncomingEvent:
    """The raw event as the quarantine keeps it: e-mails masked and the IP truncated by the
    same rules as stored events, so refused events are no back door for personal data.
    Replay loses nothing by it: the plan would have scrubbed the same values on storing."""
    if not compiled.scrubbing:
        return event
    filters = compiled.plan.filters
    context = event["context"]
    scrubbed_context = dict(context)
    page = context.get("page")
    if filters.scrub_pii and page.__class__ is dict:
        scrubbed_context["page"] = {
            key: scrub_emails(value) if value.__class__ is str else value for key, value in page.items()
        }
    ip = context.get("ip")
    if filters.truncate_ip and ip.__class__ is str:
        scrubbed_context["ip"] = truncate_ip(ip) or None
    properties = _scrubbed_properties(event["properties"], compiled)
    return {
        **event,
        "context": scrubbed_context,
        "properties": event["properties"] if properties is None else properties,
    }


def _scrubbed_properties(properties: dict[str, Any], compiled: CompiledPlan) -> dict[str, Any] | None:
    """``properties`` with e-mails masked in urls and free text (not in properties the plan
    flags PII: those are declared and kept) and ``$ip`` truncated; None when nothing changes."""
    filters = compiled.plan.filters
    changed: dict[str, Any] | None = None
    if filters.scrub_pii:
        keep = compiled.pii
        for key, value in properties.items():
            if (
                value.__class__ is str
                and ("@" in value or "%40" in value)
                and (key in URL_PROPERTIES or key not in keep)
            ):
                masked = scrub_emails(value)
                if masked != value:
                    if changed is None:
                        changed = dict(properties)
                    changed[key] = masked
    if filters.truncate_ip:
        ip = properties.get("$ip")
        if ip.__class__ is str:
            if changed is None:
                changed = dict(properties)
            changed["$ip"] = truncate_ip(ip) or None
    return changed
