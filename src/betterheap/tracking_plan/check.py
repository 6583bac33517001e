"""What the plan would do with events, without storing them: the live debugger's verdicts
(the Chrome extension, a developer testing a snippet, CI checking its tracking calls)."""

from __future__ import annotations

from typing import Any, Literal

import orjson

from betterheap.events.model import IncomingEvent
from betterheap.pipeline.shape import shape
from betterheap.pipeline.tracking_plan import compile_plan
from betterheap.taxonomy.plan import TrackingPlan

Verdict = Literal["clean", "renamed", "flagged", "quarantined", "filtered"]


def verdicts(events: list[IncomingEvent], plan: TrackingPlan, version: int) -> list[dict[str, Any]]:
    """One verdict per event, in the order given: ``clean`` (stored as sent), ``renamed``
    (stored under the planned name), ``flagged`` (stored with violations: values converted,
    set aside or not allowed), ``quarantined`` or ``filtered`` — with the reasons."""
    if not events:
        return []
    project_id = events[0]["project_id"]
    shaped = shape(events, {project_id: compile_plan(plan, version)})
    found: dict[str, dict[str, Any]] = {}
    for row in shaped.stored:
        violations = orjson.loads(row["violations"]) if row["violations"] else []
        sent_as = row["original_event"] or row["event"]
        verdict: Verdict = (
            "flagged" if violations or row["set_aside"] else "renamed" if sent_as != row["event"] else "clean"
        )
        found[row["uuid"]] = {
            "verdict": verdict,
            "event": row["event"],
            "sent_as": sent_as,
            "violations": violations,
            "converted": row["coerced"].split(",") if row["coerced"] else [],
            "set_aside": orjson.loads(row["set_aside"]) if row["set_aside"] else {},
        }
    for held in shaped.quarantined:
        found[held["uuid"]] = {
            "verdict": "quarantined",
            "event": held["event"],
            "sent_as": held["event"],
            "reason": held["reason"],
            "violations": orjson.loads(held["violations"]),
        }
    for dropped in shaped.filtered:
        found[dropped["uuid"]] = {
            "verdict": "filtered",
            "event": dropped["event"],
            "sent_as": dropped["event"],
            "reason": dropped["reason"],
            "violations": [],
        }
    return [{"uuid": event["uuid"], "plan_version": version, **found[event["uuid"]]} for event in events]
