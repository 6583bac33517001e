"""A seeded random dataset written to a real DuckDB store, plus the same rows for the oracle."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

from betterheap.store.duckdb import DuckDBStore
from tests.factories import stored_event
from tests.insights.oracle import Oracle, Row

EVENTS = ["$pageview", "signup", "activate", "buy", "buy"]
START = datetime(2024, 1, 1)


def build(
    path: Path, seed: int = 7, people: int = 250, events: int = 3000
) -> tuple[DuckDBStore, Oracle]:
    rng = random.Random(seed)
    ids = [f"d{i}" for i in range(people)]
    links = {d: rng.choice(ids[: people // 2]) for d in rng.sample(ids[people // 2 :], people // 5)}
    rows: list[Row] = []
    stored = []
    for _ in range(events):
        distinct_id = rng.choice(ids)
        offset = timedelta(seconds=rng.randrange(0, 75 * 86400), microseconds=rng.randrange(10**6))
        ts = START + offset
        event = rng.choice(EVENTS)
        columns = {
            "country": rng.choice(["FR", "US", "DE", None]),
            "channel": rng.choice(["ads", "organic", "email"]),
            "revenue": round(rng.uniform(1, 50), 2) if event == "buy" else None,
            "revenue_type": rng.choice(["sub", "one_off"]) if event == "buy" else None,
        }
        props = {"plan": rng.choice(["free", "pro", "team"])} if rng.random() < 0.7 else {}
        if rng.random() < 0.3:
            props["amount"] = rng.randrange(1, 100)
        rows.append(Row(event, distinct_id, ts, props, columns))
        stored.append(stored_event(event, distinct_id, ts, properties=props, **columns))
    # noise in another project must never show up
    stored += [
        stored_event("signup", f"x{i}", START + timedelta(days=i), project_id=2)
        for i in range(40)
    ]
    store = DuckDBStore(path)
    store.write_batch(stored, [(1, d, p) for d, p in links.items()] + [(2, "x1", "d0")], None)
    return store, Oracle(rows, links)
