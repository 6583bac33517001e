"""Funnels and retention against brute force on small generated histories (ties included)."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from betterheap.insights import service
from betterheap.store.duckdb import DuckDBStore
from tests.factories import stored_event
from tests.insights.oracle import Oracle, Row

NAMES = ["a", "b", "c"]
BASE = datetime(2024, 3, 4)
DAY = date(2024, 3, 4)

event_rows = st.lists(
    st.tuples(
        st.sampled_from(NAMES),
        st.sampled_from(["u1", "u2", "u3", "anon"]),
        # coarse times on 3 days: many exact ties and same-day/next-day cases
        st.integers(0, 3 * 24 * 6 - 1).map(lambda m: BASE + timedelta(minutes=10 * m)),
        st.sampled_from(["x", "y", None]),
    ),
    max_size=25,
)
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
# One in-memory store for the module; each example writes into a project of its own.
STORE = DuckDBStore(":memory:")
PROJECTS = itertools.count(100)


def load(rows: list[tuple[str, str, datetime, str | None]]) -> tuple[int, Oracle]:
    project = next(PROJECTS)
    links = {"anon": "u1"}
    STORE.write_batch(
        [stored_event(e, d, t, project_id=project, country=c) for e, d, t, c in rows],
        [(project, k, v) for k, v in links.items()],
        None,
    )
    oracle = Oracle([Row(e, d, t, {}, {"country": c}) for e, d, t, c in rows], links)
    return project, oracle


def rounded(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: round(v, 6) if isinstance(v, float) else v for k, v in r.items()} for r in rows]


@SETTINGS
@given(
    rows=event_rows,
    steps=st.lists(st.sampled_from(NAMES), min_size=2, max_size=4),
    window=st.sampled_from([600, 1800, 3600, 6 * 3600, 86400, 2 * 86400]),
    breakdown=st.sampled_from([None, "country"]),
    first_day=st.booleans(),
    last_day=st.integers(0, 2),
)
def test_funnel_matches_brute_force(
    rows: list[Any], steps: list[str], window: int, breakdown: str | None, first_day: bool,
    last_day: int,
) -> None:
    project, oracle = load(rows)
    d_to = DAY + timedelta(days=last_day)
    got = service.funnel(STORE, project, steps, window, DAY, d_to, breakdown, first_day)
    assert rounded(got) == rounded(oracle.funnel(steps, window, DAY, d_to, breakdown, first_day))


@SETTINGS
@given(
    rows=event_rows,
    start=st.sampled_from([None, "a", "b"]),
    ret=st.sampled_from([None, "a", "c"]),
    period=st.sampled_from(["day", "week"]),
    periods=st.integers(0, 3),
    segments=st.sampled_from([None, ["a"], ["a", "b"], ["b", "b", "c"]]),
    last_day=st.integers(0, 2),
)
def test_retention_matches_brute_force(
    rows: list[Any], start: str | None, ret: str | None, period: Any, periods: int,
    segments: list[str] | None, last_day: int,
) -> None:
    project, oracle = load(rows)
    d_to = DAY + timedelta(days=last_day)
    got = service.retention(STORE, project, start, ret, period, DAY, d_to, periods, segments)
    assert got == oracle.retention(start, ret, period, DAY, d_to, periods, segments)


def test_same_name_steps_need_a_later_event() -> None:
    at = BASE + timedelta(hours=1)
    project, _ = load([("a", "u1", at, None), ("a", "u1", at, None)])
    rows = service.funnel(STORE, project, ["a", "a"], 3600, DAY, DAY)
    assert [r["count"] for r in rows] == [1, 0]
    project, _ = load([("a", "u1", at, None), ("a", "u1", at + timedelta(seconds=1), None)])
    rows = service.funnel(STORE, project, ["a", "a"], 3600, DAY, DAY)
    assert [r["count"] for r in rows] == [1, 1]
    assert rows[1]["median_seconds_to_convert"] == 1.0


def test_window_is_inclusive_and_merges_count_once() -> None:
    at = BASE + timedelta(hours=1)
    project, _ = load([("a", "anon", at, None), ("b", "u1", at + timedelta(hours=1), None)])
    for window, counts in [(3600, [1, 1]), (3599, [1, 0])]:
        rows = service.funnel(STORE, project, ["a", "b"], window, DAY, DAY)
        assert [r["count"] for r in rows] == counts
