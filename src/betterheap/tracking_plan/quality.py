"""The data-quality report: how clean the events are, and what the plan did about it.

Every figure comes from the stored events, the quarantine and the filtered counts of the
date range (UTC days of the event timestamps), so received = stored + quarantined +
filtered holds for any range. Two views of naming and schema are given:

* **as sent** — what the senders produced: the share of events whose name, exactly as
  sent, is a planned (or SDK-reserved ``$``) name; the share whose properties needed no
  fix at all (no coercion, no violation, not quarantined);
* **after the plan** — what is stored: the share of stored events with a planned or
  reserved name, and the share with no flagged violation.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Final, cast

import sqlglot
from sqlglot import exp

from betterheap.query.build import day_start
from betterheap.query.ir import DateRange
from betterheap.store.protocol import EventStore
from betterheap.taxonomy.learn import DYNAMIC_ID
from betterheap.taxonomy.naming import NameResolver
from betterheap.taxonomy.plan import NO_PLAN, TrackingPlan

Row = dict[str, Any]
TOP: Final = 20
# A name pattern with this many distinct names is a dynamic event name (ids in the name).
EXPLODING_NAMES: Final = 10
STALE_DAYS: Final = 7

_RANGE = "project_id = $project_id AND timestamp >= $ts_from AND timestamp < $ts_until"
_STORED = f"""
SELECT
  count(*) AS stored,
  count(*) FILTER (WHERE starts_with(event, '$') OR list_contains($planned, event)) AS named_after,
  count(*) FILTER (WHERE starts_with(coalesce(original_event, event), '$')
                   OR (original_event IS NULL AND list_contains($planned, event))) AS named_as_sent,
  count(*) FILTER (WHERE violations IS NULL) AS clean_after,
  count(*) FILTER (WHERE violations IS NULL AND coerced IS NULL) AS clean_as_sent,
  count(*) FILTER (WHERE original_event IS NOT NULL) AS renamed,
  count(*) FILTER (WHERE coerced IS NOT NULL) AS coerced,
  count(*) FILTER (WHERE set_aside IS NOT NULL) AS set_aside
FROM events WHERE {_RANGE}
"""
_QUARANTINED = f"""
SELECT count(*) AS quarantined,
  count(*) FILTER (WHERE starts_with(event, '$') OR list_contains($planned, event)) AS named_as_sent
FROM quarantine WHERE {_RANGE}
"""
_FILTERED = f"SELECT reason, count(*) AS events FROM filtered_events WHERE {_RANGE} GROUP BY reason"
# Names with ids in them ("viewed_product_18734"): one pattern, "viewed_product_#".
_PATTERN = "regexp_replace({}, '" + DYNAMIC_ID.replace("{", "{{").replace("}", "}}") + "', '#', 'g')"
# An unplanned name is listed as its pattern when the pattern is exploding.
_FOLDED = (
    f"CASE WHEN list_contains($exploding_patterns, {_PATTERN.format('event')}) "
    f"THEN {_PATTERN.format('event')} ELSE event END"
)
_UNPLANNED_EVENTS = f"""
SELECT name AS event, count(DISTINCT raw) AS names, sum(events) AS events,
       bool_or(quarantined) AS quarantined FROM (
  SELECT {_FOLDED} AS name, event AS raw, count(*) AS events, false AS quarantined FROM events
  WHERE {_RANGE} AND NOT starts_with(event, '$') AND NOT list_contains($planned, event) GROUP BY event
  UNION ALL
  SELECT {_FOLDED}, event, count(*), true FROM quarantine
  WHERE {_RANGE} AND reason = 'unplanned_event' GROUP BY event
) GROUP BY name ORDER BY events DESC, name LIMIT $top
"""
_UNPLANNED_PROPERTIES = f"""
SELECT event, key AS property, count(*) AS events FROM (
  SELECT event, unnest(json_keys(properties)) AS key FROM events
  WHERE {_RANGE} AND list_contains($planned, event)
) WHERE NOT starts_with(key, '$') AND NOT list_contains($known, event || '.' || key)
GROUP BY event, key ORDER BY events DESC, event, key LIMIT $top
"""
_VIOLATIONS = f"""
SELECT kind, event, property, outcome, sum(events) AS events, any_value(example) AS example FROM (
  SELECT v ->> 'kind' AS kind, {_FOLDED} AS event, v ->> 'property' AS property, 'stored' AS outcome,
         count(*) AS events, any_value(v ->> 'detail') AS example
  FROM events, unnest(from_json(violations, '["json"]')) AS t(v)
  WHERE {_RANGE} AND violations IS NOT NULL GROUP BY ALL
  UNION ALL
  SELECT v ->> 'kind', {_FOLDED}, v ->> 'property', 'quarantined', count(*), any_value(v ->> 'detail')
  FROM quarantine, unnest(from_json(violations, '["json"]')) AS t(v)
  WHERE {_RANGE} AND v ->> 'kind' = reason GROUP BY ALL
) GROUP BY ALL ORDER BY events DESC, kind, event LIMIT $top
"""
_LAST_SEEN = """
SELECT event, max(timestamp) AS last_seen FROM events
WHERE project_id = $project_id AND timestamp < $ts_until AND list_contains($planned, event) GROUP BY event
"""
_NAME_PATTERNS = f"""
SELECT pattern, count(DISTINCT event) AS names, count(*) AS events, min(event) AS example FROM (
  SELECT {_PATTERN.format("event")} AS pattern, event FROM events WHERE {_RANGE}
  UNION ALL
  SELECT {_PATTERN.format("event")}, event FROM quarantine WHERE {_RANGE}
) GROUP BY pattern HAVING count(DISTINCT event) >= $exploding ORDER BY names DESC LIMIT $top
"""
_QUARANTINE_SIZE = "SELECT count(*) AS events FROM quarantine WHERE project_id = $project_id"


def _query(store: EventStore, sql: str, params: dict[str, Any]) -> list[Row]:
    """Run one of this module's fixed statements; only the parameters it names are bound."""
    tree = cast(exp.Expression, sqlglot.parse_one(sql, read="duckdb"))
    used = {node.name for node in tree.find_all(exp.Placeholder)}
    return store.query(tree, {key: value for key, value in params.items() if key in used})


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 6) if whole else None


def quality_report(
    store: EventStore, project_id: int, plan: TrackingPlan | None, days: DateRange, version: int = 0
) -> dict[str, Any]:
    """The report behind ``betterheap quality`` and ``GET /api/quality`` (see docs/quality.md)."""
    plan = plan or NO_PLAN
    planned = sorted(plan.event_names)
    known = sorted(
        {f"{e.name}.{p.name}" for e in plan.events for p in e.properties}
        | {f"{e.name}.{p.name}" for e in plan.events for p in plan.common_properties}
    )
    params: dict[str, Any] = {
        "project_id": project_id,
        "ts_from": day_start(days.date_from),
        "ts_until": day_start(days.date_to + timedelta(days=1)),
        "planned": planned,
    }
    stored = _query(store, _STORED, params)[0]
    quarantine = _query(store, _QUARANTINED, params)[0]
    filtered = {row["reason"]: int(row["events"]) for row in _query(store, _FILTERED, params)}
    total_filtered = sum(filtered.values())
    kept = int(stored["stored"])
    held = int(quarantine["quarantined"])
    checked = kept + held
    exploding = _query(store, _NAME_PATTERNS, params | {"exploding": EXPLODING_NAMES, "top": TOP})
    params["exploding_patterns"] = [row["pattern"] for row in exploding]
    violations = _by_planned_name(_query(store, _VIOLATIONS, params | {"top": 3 * TOP}), plan)[:TOP]
    report: dict[str, Any] = {
        "project_id": project_id,
        "date_from": days.date_from.isoformat(),
        "date_to": days.date_to.isoformat(),
        "plan_version": version,
        "received": kept + held + total_filtered,
        "stored": kept,
        "quarantined": held,
        "filtered": total_filtered,
        "filtered_by_reason": filtered,
        "naming_consistency": _share(int(stored["named_after"]), kept),
        "naming_consistency_as_sent": _share(
            int(stored["named_as_sent"]) + int(quarantine["named_as_sent"]), checked
        ),
        "schema_pass_rate": _share(int(stored["clean_after"]), kept),
        "schema_pass_rate_as_sent": _share(int(stored["clean_as_sent"]), checked),
        "fixed_by_plan": {
            "renamed": int(stored["renamed"]),
            "coerced": int(stored["coerced"]),
            "set_aside": int(stored["set_aside"]),
        },
        "unplanned_events": (_query(store, _UNPLANNED_EVENTS, params | {"top": TOP}) if plan.events else []),
        "unplanned_properties": (
            _query(store, _UNPLANNED_PROPERTIES, params | {"known": known, "top": TOP}) if plan.events else []
        ),
        "top_violations": violations,
        "quarantine_size": int(_query(store, _QUARANTINE_SIZE, {"project_id": project_id})[0]["events"]),
        "stale_events": _stale(store, project_id, plan, days.date_to) if plan.events else [],
        "exploding_names": exploding,
    }
    return report


def _by_planned_name(rows: list[Row], plan: TrackingPlan) -> list[Row]:
    """Violations grouped under the planned name: stored events carry it already, the
    quarantine keeps the name as sent ("Order Completed" is order_completed)."""
    resolver = NameResolver(plan)
    merged: dict[tuple[Any, ...], Row] = {}
    for row in rows:
        if row["outcome"] == "quarantined" and row["event"] is not None:
            name, match = resolver.resolve(row["event"])
            if match != "unplanned":
                row = {**row, "event": name}
        key = (row["kind"], row["event"], row["property"], row["outcome"])
        if key in merged:
            merged[key]["events"] += row["events"]
        else:
            merged[key] = dict(row)
    return sorted(merged.values(), key=lambda r: (-r["events"], r["kind"], r["event"] or ""))


def _stale(store: EventStore, project_id: int, plan: TrackingPlan, until: date) -> list[Row]:
    """Planned events not seen in the STALE_DAYS days up to ``until`` (nor before), as
    of the end of the range: what came later does not count."""
    seen = {
        row["event"]: row["last_seen"]
        for row in _query(
            store,
            _LAST_SEEN,
            {
                "project_id": project_id,
                "planned": sorted(plan.event_names),
                "ts_until": day_start(until + timedelta(days=1)),
            },
        )
    }
    cutoff = day_start(until - timedelta(days=STALE_DAYS - 1))
    stale = []
    for event in plan.events:
        last = seen.get(event.name)
        if last is None or last < cutoff:
            stale.append({"event": event.name, "last_seen": last.isoformat() if last is not None else None})
    return stale
