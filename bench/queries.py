"""Latency of the core insights on a data directory filled by ``betterheap demo``.

Run: ``.venv/bin/python -m bench.queries --data-dir DIR [--runs 5]``. Prints the median
wall time per query (the first run, which warms DuckDB's caches, is not counted).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from betterheap.insights import service
from betterheap.store.duckdb import DuckDBStore

FUNNEL = ["product_viewed", "product_added", "checkout_started", "order_completed"]


def cases(store: DuckDBStore) -> dict[str, Callable[[], Any]]:
    last = service.resolve_range(store, 1, None, None).date_to
    month = (last - timedelta(days=29), last)
    quarter = (last - timedelta(days=89), last)
    return {
        "dau, 30 days": lambda: service.metric(store, 1, "dau", *month),
        "dau, 90 days": lambda: service.metric(store, 1, "dau", *quarter),
        "mau, 30 days": lambda: service.metric(store, 1, "mau", *month),
        "new users by channel, 30 days": lambda: service.metric(store, 1, "new_users", *month, "channel"),
        "revenue by type, 30 days": lambda: service.metric(store, 1, "revenue", *month, "revenue_type"),
        "4-step funnel, 14d window, 30 days": lambda: service.funnel(store, 1, FUNNEL, 14 * 86400, *month),
        "first-day funnel, 30 days": lambda: service.funnel(
            store, 1, FUNNEL, 86400, *month, first_day=True
        ),
        "retention D0-D30, 30 cohorts": lambda: service.retention(store, 1, None, None, "day", *month),
        "retention D0-D30, 90 cohorts": lambda: service.retention(store, 1, None, None, "day", *quarter),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    store = DuckDBStore(args.data_dir / "events.duckdb", read_only=True)
    total = store.query_sql("SELECT count(*) AS n FROM events")[0]["n"]
    print(f"{total:,} events in {args.data_dir}")
    for name, run in cases(store).items():
        run()
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            run()
            times.append(time.perf_counter() - started)
        print(f"{name:<40} median {statistics.median(times) * 1000:8.0f} ms  (min {min(times) * 1000:.0f})")
    store.close()


if __name__ == "__main__":
    main()
