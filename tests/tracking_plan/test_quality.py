"""The quality report's figures, on a store filled directly (end-to-end counts are in
tests/e2e/test_tracking_plan.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from betterheap.query.ir import DateRange
from betterheap.store.duckdb import DuckDBStore
from betterheap.taxonomy.plan import PlannedEvent, TrackingPlan
from betterheap.tracking_plan.quality import quality_report
from factories import stored_event

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
