"""Ingestion over real HTTP: answers for bad input, envelopes, and timestamp columns."""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import httpx
import pytest

from server import Server, start_server, write_key


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    data_dir = tmp_path_factory.mktemp("ingest") / "data"
    key = write_key(data_dir)
    server = start_server(data_dir)
    yield server, key
    server.stop()


def test_wrong_key_is_401_with_a_json_reason(live: tuple[Server, str]) -> None:
    server, _ = live
    answer = httpx.post(f"{server.url}/v1/track", json={"event": "x", "userId": "u"}, auth=("nope", ""))
    assert answer.status_code == 401
    assert answer.json()["error"] == "unauthorized"
    missing = httpx.post(f"{server.url}/capture/", json={"event": "x", "distinct_id": "u"})
    assert missing.status_code == 401
    assert "write key" in missing.json()["detail"]


def test_malformed_payloads_are_400_naming_each_problem(live: tuple[Server, str]) -> None:
    server, key = live
    body = {"batch": [{"type": "track", "event": "ok", "userId": "u"}, {"type": "track", "userId": "u"}]}
    answer = httpx.post(f"{server.url}/v1/batch", json=body, auth=(key, ""))
    assert answer.status_code == 400
    payload = answer.json()
    assert payload["error"] == "invalid_payload"
    assert payload["problems"] == ["batch[1]: a track message needs a non-empty 'event' name"]
    not_json = httpx.post(f"{server.url}/v1/batch", content=b"{oops", auth=(key, ""))
    assert not_json.status_code == 400
    assert "not valid JSON" in not_json.json()["detail"]
    bad_time = httpx.post(
        f"{server.url}/v1/track", json={"event": "x", "userId": "u", "timestamp": "yesterday"}, auth=(key, "")
    )
    assert bad_time.status_code == 400
    assert "timestamp" in bad_time.json()["detail"]


def test_oversized_bodies_are_413(live: tuple[Server, str]) -> None:
    server, key = live
    huge = {"batch": [{"type": "track", "event": "x", "userId": "u", "properties": {"p": "x" * 6_000_000}}]}
    answer = httpx.post(f"{server.url}/v1/batch", json=huge, auth=(key, ""))
    assert answer.status_code == 413
    bomb = gzip.compress(json.dumps({"batch": [], "pad": "0" * 20_000_000}).encode())
    answer = httpx.post(
        f"{server.url}/v1/batch", content=bomb, headers={"content-encoding": "gzip"}, auth=(key, "")
    )
    assert answer.status_code == 413


def test_posthog_gzip_and_base64_bodies_are_accepted(live: tuple[Server, str]) -> None:
    server, key = live
    event = {"api_key": key, "event": "clicked", "distinct_id": "d1", "properties": {"a": 1}}
    zipped = httpx.post(
        f"{server.url}/e/?compression=gzip-js", content=gzip.compress(json.dumps([event]).encode())
    )
    assert zipped.status_code == 200 and zipped.json()["status"] == 1
    encoded = base64.b64encode(json.dumps(event).encode()).decode()
    form = httpx.post(f"{server.url}/i/v0/e/", data={"data": encoded})
    assert form.status_code == 200
    plain = httpx.post(f"{server.url}/batch/", json={"api_key": key, "batch": [event]})
    assert plain.status_code == 200 and plain.json()["accepted"] == 1


def test_clock_skew_is_corrected_and_the_original_times_kept(data_dir: Path) -> None:
    key = write_key(data_dir)
    server = start_server(data_dir)
    now = datetime.now(UTC)
    skew = timedelta(hours=2)  # the client's clock runs two hours fast
    client_time = now + skew - timedelta(minutes=5)
    far_future = now + timedelta(days=3)
    body = {
        "batch": [
            {
                "type": "track",
                "event": "skewed",
                "userId": "u",
                "messageId": "a",
                "timestamp": client_time.isoformat(),
            },
            {
                "type": "track",
                "event": "future",
                "userId": "u",
                "messageId": "b",
                "timestamp": far_future.isoformat(),
            },
        ],
        "sentAt": (now + skew).isoformat(),
    }
    try:
        assert httpx.post(f"{server.url}/v1/batch", json=body, auth=(key, "")).status_code == 200
        server.wait_loaded()
    finally:
        server.stop()
    con = duckdb.connect(str(data_dir / "events.duckdb"), read_only=True)
    rows = {
        event: (ts, client_ts, sent_at, received_at)
        for event, ts, client_ts, sent_at, received_at in con.execute(
            "SELECT event, timestamp, client_timestamp, sent_at, received_at FROM events"
        ).fetchall()
    }
    con.close()
    ts, client_ts, sent_at, received_at = rows["skewed"]
    assert client_ts == client_time.replace(tzinfo=None)
    assert sent_at == (now + skew).replace(tzinfo=None)
    # Corrected: five minutes before it was received, by the server's clock.
    assert abs((received_at - ts) - timedelta(minutes=5)) < timedelta(seconds=2)
    ts, client_ts, _, received_at = rows["future"]
    assert ts == received_at and client_ts == far_future.replace(tzinfo=None)


def test_a_body_streamed_without_length_is_cut_off_at_the_limit(live: tuple[Server, str]) -> None:
    server, key = live

    def chunks() -> Iterator[bytes]:
        yield b'{"batch": [{"type": "track", "event": "x", "userId": "u", "properties": {"p": "'
        for _ in range(700):
            yield b"x" * 10_000
        yield b'"}}]}'

    answer = httpx.post(f"{server.url}/v1/batch", content=chunks(), auth=(key, ""))
    assert answer.status_code == 413
