"""From an acknowledged request to a stored event, exactly once, across crashes and restarts."""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from betterheap.ingest.errors import PayloadError
from betterheap.ingest.gateway import WireFormat
from betterheap.ingest.prepare import prepare
from betterheap.runtime import Runtime, open_runtime
from betterheap.settings import Settings
from betterheap.taxonomy.plan import Filters, PlannedEvent, PlannedProperty, TrackingPlan


def open_at(data_dir: Path, **options: Any) -> Runtime:
    settings: dict[str, Any] = {"data_dir": data_dir, "loader_processes": 0, **options}
    return open_runtime(Settings(**settings))


def crash(runtime: Runtime) -> None:
    """Let go of every file without the loader's final drain, as a killed process would."""
    assert runtime.spool is not None and runtime.projects is not None
    runtime.spool.close()
    runtime.store.close()
    runtime.projects.close()


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    opened = open_at(tmp_path / "data")
    try:
        yield opened
    finally:
        opened.close()


def key_of(runtime: Runtime) -> str:
    assert runtime.projects is not None
    return runtime.projects.ensure_default().write_key


def send(runtime: Runtime, messages: list[dict[str, Any]], wire: WireFormat = "segment") -> int:
    assert runtime.gateway is not None
    return runtime.gateway.accept_now(wire, {"batch": messages}, key=key_of(runtime))


def close_within(runtime: Runtime, seconds: float) -> bool:
    """runtime.close() (which stops and drains the loader), guarded against a hang."""
    closed = threading.Event()

    def close() -> None:
        runtime.close()
        closed.set()

    closer = threading.Thread(target=close, daemon=True)
    closer.start()
    closer.join(timeout=seconds)
    return closed.is_set()


def drain(runtime: Runtime) -> int:
    assert runtime.loader is not None
    return runtime.loader.drain()


def track(number: int, user: str = "u1", **extra: Any) -> dict[str, Any]:
    return {
        "type": "track",
        "event": "item_viewed",
        "userId": user,
        "messageId": f"msg-{number}",
        "timestamp": "2024-06-01T10:00:00Z",
        "properties": {"n": number},
        **extra,
    }


def stored(runtime: Runtime) -> list[dict[str, Any]]:
    return runtime.store.query_sql(
        "SELECT uuid::VARCHAR AS uuid, event, distinct_id, properties FROM events ORDER BY properties"
    )


def stored_count(data_dir: Path) -> int:
    con = duckdb.connect(str(data_dir / "events.duckdb"), read_only=True)
    try:
        row = con.execute("SELECT count(*) FROM events").fetchone()
        return int(row[0]) if row else 0
    finally:
        con.close()


def test_accepted_events_reach_the_store_after_drain(runtime: Runtime) -> None:
    assert send(runtime, [track(i) for i in range(5)]) == 5
    assert stored(runtime) == []  # accepted means spooled; loading is the loader's job
    assert drain(runtime) == 5
    rows = stored(runtime)
    assert len(rows) == 5
    assert {r["event"] for r in rows} == {"item_viewed"}
    assert runtime.loader is not None and runtime.loader.backlog_bytes() == 0


def test_the_same_message_id_in_separate_requests_is_stored_once(runtime: Runtime) -> None:
    send(runtime, [track(1), track(2)])
    drain(runtime)
    send(runtime, [track(1)])  # a client retry after a lost response
    send(runtime, [track(2), track(3)])
    drain(runtime)
    assert len(stored(runtime)) == 3
    assert runtime.loader is not None
    assert runtime.loader.stats.duplicates == 2


def test_a_retry_in_the_same_load_batch_is_stored_once(runtime: Runtime) -> None:
    send(runtime, [track(1)])
    send(runtime, [track(1)])
    drain(runtime)
    assert len(stored(runtime)) == 1


def test_the_same_message_id_twice_inside_one_batch_is_stored_once(runtime: Runtime) -> None:
    send(runtime, [track(1), track(1), track(2)])
    drain(runtime)
    assert len(stored(runtime)) == 2


def test_same_message_id_from_different_users_is_still_one_message(runtime: Runtime) -> None:
    # The message id is the dedup key, whatever the rest of the message says.
    send(runtime, [track(1, user="a"), track(1, user="b")])
    drain(runtime)
    assert [r["distinct_id"] for r in stored(runtime)] == ["a"]


def test_a_crash_between_spooling_and_loading_loses_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = open_at(data_dir, spool_segment_bytes=2048)
    for request in range(10):
        send(first, [track(request * 10 + i) for i in range(10)])
    crash(first)  # acknowledged, never loaded

    second = open_at(data_dir, spool_segment_bytes=2048)
    try:
        assert drain(second) == 100
        assert len(stored(second)) == 100
    finally:
        second.close()
    assert stored_count(data_dir) == 100


def test_a_crash_after_a_partial_load_stores_everything_exactly_once(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = open_at(data_dir, spool_segment_bytes=2048, loader_batch_bytes=1500)
    for request in range(10):
        send(first, [track(request * 10 + i) for i in range(10)])
    assert first.loader is not None
    first.loader.load_once()  # one transaction committed, the rest still spooled
    assert 0 < len(stored(first)) < 100
    crash(first)

    second = open_at(data_dir, spool_segment_bytes=2048, loader_batch_bytes=1500)
    try:
        send(second, [track(5), track(1000)])  # a retry of a stored event, and a new one
        drain(second)
        uuids = [r["uuid"] for r in stored(second)]
        assert len(uuids) == len(set(uuids)) == 101
    finally:
        second.close()


def test_rereading_the_spool_after_a_lost_checkpoint_inserts_nothing_new(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = open_at(data_dir)
    send(first, [track(i) for i in range(20)])
    send(first, [track(i) for i in range(20, 30)])
    drain(first)
    crash(first)
    con = duckdb.connect(str(data_dir / "events.duckdb"))
    con.execute("DELETE FROM ingest_checkpoint")
    con.close()

    second = open_at(data_dir)
    try:
        assert second.loader is not None
        assert drain(second) == 30  # read again from the start of the spool...
        assert second.loader.stats.stored == 0  # ...and nothing stored twice
        assert len(stored(second)) == 30
    finally:
        second.close()


def test_writing_the_same_batch_twice_inserts_nothing_the_second_time(runtime: Runtime) -> None:
    send(runtime, [track(i) for i in range(8)])
    assert runtime.spool is not None
    records, _ = runtime.spool.read(runtime.spool.start(), max_bytes=1 << 20)
    batch = prepare(records)
    assert runtime.store.write_batch(batch.table, batch.links, None).stored == 8
    assert runtime.store.write_batch(batch.table, batch.links, None).stored == 0
    assert len(stored(runtime)) == 8


def test_identity_links_are_persisted_and_survive_reopen(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = open_at(data_dir)
    send(
        first,
        [
            {"type": "identify", "userId": "user-1", "anonymousId": "anon-1", "messageId": "i1"},
            {"type": "alias", "userId": "user-1", "previousId": "old-id", "messageId": "a1"},
            {"type": "track", "anonymousId": "anon-2", "event": "x", "messageId": "t1"},
        ],
    )
    drain(first)
    project = first.projects.ensure_default().id if first.projects else 1
    first.close()

    second = open_at(data_dir)
    try:
        links = {(p, d): q for p, d, q in second.store.person_links()}
        assert links[(project, "anon-1")] == "user-1"
        assert links[(project, "old-id")] == "user-1"
        assert second.loader is not None
        ids = second.loader.identities
        assert ids.person_of(project, "anon-1") == ids.person_of(project, "old-id") == "user-1"
        # A later merge after the restart moves the whole known group.
        send(second, [{"type": "alias", "userId": "user-9", "previousId": "user-1", "messageId": "a2"}])
        drain(second)
        assert {ids.person_of(project, x) for x in ("anon-1", "old-id", "user-1", "user-9")} == {"user-9"}
        persisted = {d: q for p, d, q in second.store.person_links() if p == project}
        assert persisted["anon-1"] == persisted["old-id"] == persisted["user-1"] == "user-9"
    finally:
        second.close()


def test_posthog_events_are_loaded_too(runtime: Runtime) -> None:
    events: list[dict[str, Any]] = [
        {"event": "$pageview", "distinct_id": "anon", "uuid": str(uuid.uuid4())},
        {"event": "$identify", "distinct_id": "user", "properties": {"$anon_distinct_id": "anon"}},
    ]
    send(runtime, events, wire="posthog")
    drain(runtime)
    assert sorted(r["event"] for r in stored(runtime)) == ["$identify", "$pageview"]
    assert runtime.loader is not None and runtime.projects is not None
    project = runtime.projects.ensure_default().id
    assert runtime.loader.identities.person_of(project, "anon") == "user"


def test_one_out_of_range_timestamp_does_not_block_later_events(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    runtime = open_at(data_dir)
    try:
        with contextlib.suppress(PayloadError):  # rejecting it up front would be fine too
            send(runtime, [track(1, timestamp=1.5e16)])
        send(runtime, [track(2)])
        drain(runtime)
        assert [r["properties"] for r in stored(runtime)][-1] == '{"n":2}'
    finally:
        crash(runtime)


def test_a_background_loader_in_a_worker_process_stores_everything(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    runtime = open_at(data_dir, loader_processes=1, spool_segment_bytes=4096)
    assert runtime.loader is not None
    runtime.loader.start()
    try:
        for request in range(20):
            send(runtime, [track(request * 25 + i) for i in range(25)])
        send(runtime, [track(0), track(499)])  # retries
        deadline = time.monotonic() + 30
        while len(stored(runtime)) < 500 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(stored(runtime)) == 500
    finally:
        closed = close_within(runtime, 30)
    assert closed, "runtime.close() did not return within 30 s"
    assert stored_count(data_dir) == 500


def test_close_stores_what_the_background_loader_had_not_reached(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    runtime = open_at(data_dir, loader_processes=1)
    assert runtime.loader is not None
    runtime.loader.start()
    for request in range(10):
        send(runtime, [track(request * 10 + i) for i in range(10)])
    assert close_within(runtime, 30), "runtime.close() did not return within 30 s"
    assert stored_count(data_dir) == 100


def test_a_chain_of_merges_in_one_batch_leaves_one_person(runtime: Runtime) -> None:
    from betterheap.insights import service

    day = "2024-03-05T10:00:00Z"
    send(
        runtime,
        [
            {"type": "track", "event": "viewed", "anonymousId": "x", "timestamp": day},
            {"type": "alias", "previousId": "x", "userId": "y", "timestamp": day},
            {"type": "alias", "previousId": "y", "userId": "z", "timestamp": day},
        ],
    )
    assert runtime.loader is not None
    runtime.loader.drain()  # one batch holds both merges
    send(runtime, [{"type": "track", "event": "bought", "anonymousId": "x", "timestamp": day}])
    runtime.loader.drain()
    day_one = date(2024, 3, 5)
    dau = service.metric(runtime.store, 1, "dau", day_one, day_one)
    assert dau == [{"date": "2024-03-05", "value": 1}]


def test_a_resent_quarantined_or_filtered_event_counts_as_a_duplicate(runtime: Runtime) -> None:
    """received = stored + quarantined + filtered + duplicates holds across batches too: a
    retry of a bot's or a refused event is a duplicate, not a second filtered one."""
    assert runtime.plans is not None
    plan = TrackingPlan(
        events=(PlannedEvent(name="item_viewed", properties=(PlannedProperty(name="sku", required=True),)),),
        filters=Filters(bots=True),
    )
    runtime.plans.deploy(1, plan)
    bot = {
        "context": {"userAgent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"}
    }
    messages = [track(1, properties={"sku": "a"}), track(2), track(3, properties={"sku": "b"}, **bot)]
    for _ in range(2):  # two sends, two loader batches
        send(runtime, messages)
        drain(runtime)
    assert runtime.loader is not None
    stats = runtime.loader.stats
    assert (stats.received, stats.stored, stats.quarantined, stats.filtered, stats.duplicates) == (
        6,
        1,
        1,
        1,
        3,
    )


def test_a_retry_routed_differently_after_a_plan_change_leaves_one_row(runtime: Runtime) -> None:
    """Each uuid is in one place: the events, the quarantine or the filtered counts."""
    assert runtime.plans is not None

    def deploy(required: bool, internal: tuple[str, ...] = ()) -> None:
        sku = PlannedProperty(name="sku", required=required)
        plan = TrackingPlan(
            events=(PlannedEvent(name="item_viewed", properties=(sku,)),),
            filters=Filters(internal_ips=internal),
        )
        runtime.plans.deploy(1, plan)  # type: ignore[union-attr]

    def where() -> list[tuple[str, int]]:
        return [
            (table, int(runtime.store.query_sql(f"SELECT count(*) AS n FROM {table}")[0]["n"]))
            for table in ("events", "quarantine", "filtered_events")
        ]

    staff = {"context": {"ip": "10.1.2.3"}}
    deploy(required=True, internal=("10.0.0.0/8",))
    send(runtime, [track(1), track(2, properties={"sku": "a"}), track(3, properties={"sku": "b"}, **staff)])
    drain(runtime)
    assert where() == [("events", 1), ("quarantine", 1), ("filtered_events", 1)]

    deploy(required=False)  # sku optional, no internal network: all three would be stored now
    send(runtime, [track(1), track(3, properties={"sku": "b"}, **staff)])
    drain(runtime)
    assert where() == [("events", 3), ("quarantine", 0), ("filtered_events", 0)]

    deploy(required=True, internal=("10.0.0.0/8",))  # stricter again: retries stay stored
    send(runtime, [track(1), track(2, properties={"sku": "a"}), track(3, properties={"sku": "b"}, **staff)])
    drain(runtime)
    assert where() == [("events", 3), ("quarantine", 0), ("filtered_events", 0)]
    assert runtime.loader is not None
    stats = runtime.loader.stats
    assert stats.received == stats.stored + stats.quarantined + stats.filtered + stats.duplicates
