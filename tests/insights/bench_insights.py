"""Timing check on synthetic rows generated inside DuckDB (not collected by pytest).

    .venv/bin/python -m tests.insights.bench_insights 2000000
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from betterheap.insights import service
from betterheap.store.duckdb import DuckDBStore


def generate(store: DuckDBStore, rows: int) -> None:
    con = store._connection  # benchmark setup only: bulk insert without Python rows
    people = max(rows // 10, 1)
    con.execute(
        f"""
        INSERT INTO events (uuid, project_id, type, event, distinct_id, timestamp, properties,
                            country, channel, revenue, revenue_type)
        SELECT gen_random_uuid(), 1, 'track',
               ['$pageview','$pageview','signup','activate','buy'][1 + (hash(i) % 5)::INT],
               'd' || (hash(i * 7) % {people})::VARCHAR,
               TIMESTAMP '2024-01-01'
                 + to_microseconds((hash(i * 13) % (90 * 86400000000))::BIGINT),
               json_object('plan', ['free','pro','team'][1 + (hash(i * 3) % 3)::INT]),
               ['FR','US','DE','GB'][1 + (hash(i * 5) % 4)::INT],
               ['ads','organic','email'][1 + (hash(i * 11) % 3)::INT],
               CASE WHEN hash(i) % 5 = 4 THEN (hash(i * 17) % 5000) / 100.0 END,
               CASE WHEN hash(i) % 5 = 4 THEN 'sub' END
        FROM range({rows}) t(i)
        """
    )
    con.execute(
        f"INSERT OR REPLACE INTO person_distinct_ids SELECT 1, 'd' || i::VARCHAR, "
        f"'d' || (i % {max(people // 2, 1)})::VARCHAR FROM range({people // 2}, {people}, 5) t(i)"
    )


def timed(label: str, call: Callable[[], Any]) -> None:
    call()  # warm
    start = time.perf_counter()
    call()
    print(f"{label:45s} {time.perf_counter() - start:6.3f} s")


def main(rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = DuckDBStore(Path(tmp) / "bench.duckdb")
        start = time.perf_counter()
        generate(store, rows)
        print(f"generated {rows} rows in {time.perf_counter() - start:.1f} s")
        d0, d1 = date(2024, 2, 1), date(2024, 3, 30)
        timed("dau (59 days)", lambda: service.metric(store, 1, "dau", d0, d1))
        timed("mau (59 days)", lambda: service.metric(store, 1, "mau", d0, d1))
        timed("new_users by channel",
              lambda: service.metric(store, 1, "new_users", d0, d1, "channel"))
        timed("revenue by country", lambda: service.metric(store, 1, "revenue", d0, d1, "country"))
        timed("trend unique users weekly by plan",
              lambda: service.trend(store, 1, None, "unique_users", None, "week", d0, d1, "plan"))
        timed("funnel 4 steps 14d",
              lambda: service.funnel(store, 1, ["$pageview", "signup", "activate", "buy"],
                                     14 * 86400, d0, d1))
        timed("funnel 3 steps by country",
              lambda: service.funnel(store, 1, ["signup", "activate", "buy"], 7 * 86400, d0, d1,
                                     "country"))
        timed("first-day funnel",
              lambda: service.funnel(store, 1, ["$pageview", "signup", "buy"], 86400, d0, d1,
                                     first_day=True))
        timed("retention day x30",
              lambda: service.retention(store, 1, None, None, "day", d0, d1))
        timed("retention week by first-day funnel",
              lambda: service.retention(store, 1, "signup", "buy", "week", d0, d1, None,
                                        ["$pageview", "signup", "buy"]))
        store.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000)
