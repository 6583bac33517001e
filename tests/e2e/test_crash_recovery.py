"""Kill the server with SIGKILL in the middle of a load: nothing acknowledged is lost."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path

import duckdb
import httpx
import pytest

from server import start_server, write_key

pytestmark = pytest.mark.slow


def _batch(number: int, size: int) -> list[dict[str, object]]:
    return [
        {
            "type": "track",
            "event": "item_viewed",
            "userId": f"user-{(number * size + i) % 97}",
            "messageId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"crash-{number}-{i}")),
            "timestamp": "2024-06-01T10:00:00Z",
        }
        for i in range(size)
    ]


def _stored_ids(data_dir: Path) -> list[str]:
    con = duckdb.connect(str(data_dir / "events.duckdb"), read_only=True)
    rows = con.execute("SELECT uuid::VARCHAR FROM events").fetchall()
    con.close()
    return [row[0] for row in rows]


def test_sigkill_mid_load_keeps_every_acknowledged_event_exactly_once(data_dir: Path) -> None:
    key = write_key(data_dir)
    server = start_server(data_dir)
    acknowledged: set[str] = set()
    unacknowledged: list[list[dict[str, object]]] = []
    stop = threading.Event()
    size = 200

    def load(worker: int) -> None:
        number = worker
        with httpx.Client(base_url=server.url, auth=(key, ""), timeout=10) as client:
            while not stop.is_set():
                batch = _batch(number, size)
                number += 4
                try:
                    answer = client.post("/v1/batch", json={"batch": batch})
                    if answer.status_code == 200:
                        acknowledged.update(str(m["messageId"]) for m in batch)
                        continue
                except httpx.HTTPError:
                    pass
                unacknowledged.append(batch)
                return

    workers = [threading.Thread(target=load, args=(w,)) for w in range(4)]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 20_000 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.kill()  # SIGKILL: no shutdown hook runs
    stop.set()
    for worker in workers:
        worker.join()
    assert len(acknowledged) >= 20_000

    restarted = start_server(data_dir)
    try:
        restarted.wait_loaded()
        # A client retries what was not acknowledged; the retry must not double-count.
        with httpx.Client(base_url=restarted.url, auth=(key, ""), timeout=10) as client:
            for batch in unacknowledged:
                assert client.post("/v1/batch", json={"batch": batch}).status_code == 200
        restarted.wait_loaded()
    finally:
        restarted.stop()
    stored = _stored_ids(data_dir)
    assert len(stored) == len(set(stored)), "an event was stored twice"
    assert acknowledged <= set(stored), f"{len(acknowledged - set(stored))} acknowledged events were lost"
    retried = {str(m["messageId"]) for batch in unacknowledged for m in batch}
    assert set(stored) == acknowledged | retried
