"""The official Segment and PostHog Python clients, unchanged, against a real server."""

from __future__ import annotations

from datetime import UTC, datetime

import posthog
import pytest
from segment.analytics.client import Client as SegmentClient

from server import Server, write_key


def stored(server: Server, sql_where: str = "") -> list[dict[str, object]]:
    import duckdb

    server.stop()
    con = duckdb.connect(str(server.data_dir / "events.duckdb"), read_only=True)
    cursor = con.execute(
        "SELECT e.event, e.distinct_id, e.source, e.type, e.properties, "
        "COALESCE(p.person_id, e.distinct_id) AS person "
        "FROM events e LEFT JOIN person_distinct_ids p USING (project_id, distinct_id) "
        + sql_where
        + " ORDER BY e.timestamp"
    )
    names = [d[0] for d in cursor.description or []]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    con.close()
    return rows


def test_segment_client_events_reach_the_store_and_merge_identity(server: Server) -> None:
    errors: list[object] = []
    client = SegmentClient(
        write_key(server.data_dir), host=server.url, gzip=True, on_error=lambda e, b: errors.append(e)
    )
    client.track(anonymous_id="anon-1", event="Product Viewed", properties={"price": 12.5})
    client.page(anonymous_id="anon-1", name="Home", properties={"url": "https://shop.test/"})
    client.identify(user_id="user-1", anonymous_id="anon-1", traits={"plan": "pro"})
    client.track(user_id="user-1", event="Order Completed", properties={"revenue": 30})
    client.flush()
    client.shutdown()
    assert errors == []
    rows = stored(server)
    # Order is not asserted: each batch's clock-skew correction may shift it by microseconds.
    assert sorted(r["event"] for r in rows) == ["$identify", "$pageview", "Order Completed", "Product Viewed"]
    assert {r["source"] for r in rows} == {"segment"}
    # Events sent before the merge belong to the same person.
    assert {r["person"] for r in rows} == {"user-1"}


def test_posthog_client_events_reach_the_store_and_merge_identity(server: Server) -> None:
    client = posthog.Posthog(write_key(server.data_dir), host=server.url, sync_mode=True, gzip=True)
    client.capture("signup started", distinct_id="anon-9", properties={"$current_url": "https://a.test/x"})
    client.alias(previous_id="anon-9", distinct_id="user-9")
    client.capture("signed up", distinct_id="user-9", timestamp=datetime(2024, 5, 1, tzinfo=UTC))
    client.flush()
    client.shutdown()
    rows = stored(server)
    assert sorted(r["event"] for r in rows) == ["$create_alias", "signed up", "signup started"]
    assert {r["source"] for r in rows} == {"posthog"}
    assert len({r["person"] for r in rows}) == 1


@pytest.mark.parametrize("retries", [3])
def test_a_retried_message_is_stored_once(server: Server, retries: int) -> None:
    import httpx

    key = write_key(server.data_dir)
    body = {"batch": [{"type": "track", "event": "x", "userId": "u", "messageId": "m-1"}]}
    for _ in range(retries):
        answer = httpx.post(f"{server.url}/v1/batch", json=body, auth=(key, ""))
        assert answer.status_code == 200
    assert len(stored(server)) == 1
