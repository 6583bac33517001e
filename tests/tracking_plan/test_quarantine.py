"""Listing the quarantine: the raw payloads only when asked for (they are personal data)."""

from __future__ import annotations

from pathlib import Path

from betterheap.events.model import IncomingEvent
from betterheap.pipeline.shape import shape
from betterheap.pipeline.tracking_plan import compile_plan
from betterheap.store.arrow import quarantine_table
from betterheap.store.duckdb import DuckDBStore
from betterheap.taxonomy.plan import PlannedEvent, PlannedProperty, TrackingPlan
from betterheap.tracking_plan import quarantine
from factories import micros

PLAN = TrackingPlan(
    events=(
        PlannedEvent(name="order_completed", properties=(PlannedProperty(name="order_id", required=True),)),
    )
)


def held(n: int, customer: str) -> IncomingEvent:
    return {  # type: ignore[typeddict-item]
        "uuid": f"00000000-0000-4000-8000-00000000000{n}",
        "project_id": 1,
        "type": "track",
        "event": "order_completed",
        "distinct_id": "d",
        "user_id": None,
        "anonymous_id": "d",
        "timestamp": micros(f"2026-09-10T10:0{n}:00"),
        "client_timestamp": None,
        "sent_at": None,
        "received_at": micros(f"2026-09-10T10:0{n}:00"),
        "source": "test",
        "properties": {"customer_name": customer},
        "context": {},
    }


def test_payloads_are_listed_only_when_asked_for(tmp_path: Path) -> None:
    shaped = shape([held(1, "Ada Lovelace"), held(2, "Grace Hopper")], {1: compile_plan(PLAN, 1)})
    store = DuckDBStore(tmp_path / "events.duckdb")
    try:
        store.write_batch([], [], None, quarantine_table(shaped.quarantined))
        plain = quarantine.list_quarantine(store, 1)
        assert [row["uuid"][-1] for row in plain] == ["2", "1"], "newest first"
        assert all("payload" not in row for row in plain)
        assert "missing_required" in [v["kind"] for v in plain[0]["violations"]]

        rows = quarantine.list_quarantine(store, 1, 1, with_payload=True)
        (row,) = rows
        assert row["uuid"] == plain[0]["uuid"] and row["violations"] == plain[0]["violations"]
        assert row["payload"]["event"] == "order_completed"
        assert row["payload"]["properties"] == {"customer_name": "Grace Hopper"}
        assert quarantine.list_quarantine(store, 1, reason="not_allowed", with_payload=True) == []
    finally:
        store.close()
