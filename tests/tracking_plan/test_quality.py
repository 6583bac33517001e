"""The quality report's figures, on a store filled directly (end-to-end counts are in
tests/e2e/test_tracking_plan.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from betterheap.events.model import IncomingEvent
from betterheap.pipeline.shape import shape
from betterheap.pipeline.tracking_plan import compile_plan
from betterheap.query.ir import DateRange
from betterheap.store.arrow import quarantine_table
from betterheap.store.duckdb import DuckDBStore
from betterheap.taxonomy.plan import PlannedEvent, PlannedProperty, TrackingPlan
from betterheap.tracking_plan.quality import quality_report
from factories import micros, stored_event

PLAN = TrackingPlan(
    events=tuple(PlannedEvent(name=n) for n in ("signed_up", "order_completed", "plan_upgraded"))
)


def test_stale_events_are_judged_at_the_end_of_the_range(tmp_path: Path) -> None:
    store = DuckDBStore(tmp_path / "events.duckdb")
    try:
        store.write_batch(
            [
                stored_event("signed_up", "a", "2026-09-29T10:00:00", plan_version=1),
                stored_event("order_completed", "a", "2026-09-10T10:00:00", plan_version=1),
                # after the range: does not make order_completed fresh in September
                stored_event("order_completed", "b", "2026-10-05T10:00:00", plan_version=1),
            ],
            [],
            None,
        )
        september = DateRange(date(2026, 9, 1), date(2026, 9, 30))
        stale = quality_report(store, 1, PLAN, september, 1)["stale_events"]
        assert stale == [
            {"event": "order_completed", "last_seen": "2026-09-10T10:00:00"},
            {"event": "plan_upgraded", "last_seen": None},
        ]
        october = DateRange(date(2026, 10, 1), date(2026, 10, 5))
        assert [s["event"] for s in quality_report(store, 1, PLAN, october, 1)["stale_events"]] == [
            "plan_upgraded"
        ]
    finally:
        store.close()


def test_quarantined_violations_are_grouped_under_the_planned_name(tmp_path: Path) -> None:
    plan = TrackingPlan(
        events=(
            PlannedEvent(
                name="order_completed", properties=(PlannedProperty(name="order_id", required=True),)
            ),
        )
    )
    sent = [("Order Completed", 1), ("order_completed", 2), ("OrderCompleted", 3)]
    events: list[IncomingEvent] = [
        {  # type: ignore[typeddict-item]
            "uuid": f"00000000-0000-4000-8000-00000000000{n}",
            "project_id": 1,
            "type": "track",
            "event": name,
            "distinct_id": "d",
            "user_id": None,
            "anonymous_id": "d",
            "timestamp": micros("2026-09-10T10:00:00"),
            "client_timestamp": None,
            "sent_at": None,
            "received_at": micros("2026-09-10T10:00:00"),
            "source": "test",
            "properties": {},
            "context": {},
        }
        for name, n in sent
    ]
    shaped = shape(events, {1: compile_plan(plan, 1)})
    store = DuckDBStore(tmp_path / "events.duckdb")
    try:
        store.write_batch([], [], None, quarantine_table(shaped.quarantined))
        september = DateRange(date(2026, 9, 1), date(2026, 9, 30))
        (row,) = quality_report(store, 1, plan, september, 1)["top_violations"]
        assert (row["kind"], row["event"], row["property"], row["outcome"], row["events"]) == (
            "missing_required",
            "order_completed",
            "order_id",
            "quarantined",
            3,
        )
        assert row["example"] == "order_completed needs order_id"
    finally:
        store.close()
