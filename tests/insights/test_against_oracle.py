"""Every insight on a seeded random dataset (with identity merges) equals the oracle."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from betterheap.insights import service
from betterheap.query.ir import DidEvent, Filter, Property
from betterheap.store.duckdb import DuckDBStore
from tests.insights.oracle import Oracle

Dataset = tuple[DuckDBStore, Oracle]
FROM, TO = date(2024, 1, 10), date(2024, 2, 20)


def rounded(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def fix(v: Any) -> Any:
        return round(v, 6) if isinstance(v, float) else v

    return [{k: fix(v) for k, v in row.items()} for row in rows]


def canonical(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rounded(rows), key=repr)


@pytest.mark.parametrize(("name", "window"), [("dau", 1), ("wau", 7), ("mau", 30)])
def test_active_users(dataset: Dataset, name: str, window: int) -> None:
    store, oracle = dataset
    assert service.metric(store, 1, name, FROM, TO) == oracle.active(FROM, TO, window)


@pytest.mark.parametrize("breakdown", ["country", "plan"])
def test_dau_by_property_counts_each_person_once_per_value_and_day(dataset: Dataset, breakdown: str) -> None:
    store, oracle = dataset
    got = service.metric(store, 1, "dau", FROM, TO, breakdown)
    want = oracle.trend(None, "unique_users", None, "day", FROM, TO, breakdown)
    assert got and canonical(got) == canonical(want)


def test_wau_refuses_a_breakdown(dataset: Dataset) -> None:
    store, _ = dataset
    with pytest.raises(ValueError, match="no breakdown"):
        service.metric(store, 1, "wau", FROM, TO, "country")


@pytest.mark.parametrize("breakdown", [None, "channel", "country", "plan"])
def test_new_users(dataset: Dataset, breakdown: str | None) -> None:
    store, oracle = dataset
    got = service.metric(store, 1, "new_users", FROM, TO, breakdown)
    assert canonical(got) == canonical(oracle.new_users(FROM, TO, breakdown))


@pytest.mark.parametrize("breakdown", [None, "country", "revenue_type"])
def test_revenue(dataset: Dataset, breakdown: str | None) -> None:
    store, oracle = dataset
    got = service.metric(store, 1, "revenue", FROM, TO, breakdown)
    want = oracle.trend(None, "sum", "revenue", "day", FROM, TO, breakdown)
    assert canonical(got) == canonical(want)


@pytest.mark.parametrize(
    ("event", "measure", "prop", "interval", "breakdown"),
    [
        (None, "count", None, "day", None),
        ("buy", "unique_users", None, "week", None),
        ("signup", "count", None, "month", "channel"),
        (None, "unique_users", None, "week", "plan"),
        (None, "sum", "amount", "day", None),
        ("buy", "sum", "revenue", "week", "country"),
    ],
)
def test_trends(
    dataset: Dataset,
    event: str | None,
    measure: Any,
    prop: str | None,
    interval: Any,
    breakdown: str | None,
) -> None:
    store, oracle = dataset
    got = service.trend(store, 1, event, measure, prop, interval, FROM, TO, breakdown)
    want = oracle.trend(event, measure, prop, interval, FROM, TO, breakdown)
    assert canonical(got) == canonical(want)


@pytest.mark.parametrize("event", ["buy", "signup", "$pageview"])
def test_totals_over_the_range(dataset: Dataset, event: str) -> None:
    store, oracle = dataset
    got = service.totals(store, 1, event, FROM, TO)
    rows = [r for r in oracle.rows if FROM <= r.ts.date() <= TO and r.event == event]
    assert rows
    assert (got["events"], got["people"]) == (len(rows), len({oracle.person(r) for r in rows}))


@pytest.mark.parametrize(
    ("steps", "window", "breakdown", "first_day"),
    [
        (["signup", "buy"], 14 * 86400, None, False),
        (["$pageview", "signup", "activate", "buy"], 7 * 86400, None, False),
        (["buy", "buy"], 3 * 86400, "country", False),
        (["$pageview", "signup", "buy"], 30 * 86400, "channel", False),
        (["$pageview", "buy"], 86400, None, True),
        (["signup", "$pageview", "signup"], 86400, "plan", True),
    ],
)
def test_funnels(
    dataset: Dataset, steps: list[str], window: int, breakdown: str | None, first_day: bool
) -> None:
    store, oracle = dataset
    got = service.funnel(store, 1, steps, window, FROM, TO, breakdown, first_day)
    want = oracle.funnel(steps, window, FROM, TO, breakdown, first_day)
    assert rounded(got) == rounded(want)


@pytest.mark.parametrize(
    ("start", "ret", "period", "periods", "segments"),
    [
        (None, None, "day", 30, None),
        ("signup", "buy", "day", 10, None),
        ("signup", None, "week", 12, None),
        (None, None, "day", 30, ["$pageview", "signup"]),
        (None, "buy", "week", 4, ["signup", "activate", "buy"]),
    ],
)
def test_retention(
    dataset: Dataset,
    start: str | None,
    ret: str | None,
    period: Any,
    periods: int,
    segments: list[str] | None,
) -> None:
    store, oracle = dataset
    got = service.retention(store, 1, start, ret, period, FROM, TO, periods, segments)
    assert got == oracle.retention(start, ret, period, FROM, TO, periods, segments)


def test_default_range_ends_at_latest_event(dataset: Dataset) -> None:
    store, oracle = dataset
    latest = max(r.ts for r in oracle.rows).date()
    rows = service.metric(store, 1, "dau", None, None)
    assert len(rows) == 30 and rows[-1]["date"] == latest.isoformat()
    only_to = service.metric(store, 1, "dau", None, latest)
    assert only_to == rows
    assert service.metric(store, 1, "dau", date(2024, 3, 1), None)[-1]["date"] == latest.isoformat()


def test_other_project_is_invisible(dataset: Dataset) -> None:
    store, _ = dataset
    rows = service.metric(store, 2, "new_users", date(2024, 1, 1), date(2024, 2, 9))
    assert sum(r["value"] for r in rows) == 40
    assert all(r["value"] == 0 for r in service.metric(store, 3, "dau", FROM, TO))


FILTERS = [
    (Filter(Property("country"), ("DE",)),),
    (DidEvent("buy"),),
    (DidEvent("signup", negate=True), Filter(Property("channel"), ("ads",))),
    (Filter(Property("country"), ("FR", "US"), negate=True),),
    (Filter(Property("plan"), ("pro", "team")), Filter(Property("channel"), ("ads",), negate=True)),
]


@pytest.mark.parametrize(
    "filters",
    FILTERS,
    ids=[
        "country is DE",
        "people who bought",
        "never signed up, from ads",
        "country not FR/US",
        "plan and channel",
    ],
)
def test_filtered_insights_equal_the_oracle_over_the_passing_events(
    dataset: Dataset, filters: tuple[Filter | DidEvent, ...]
) -> None:
    """A filtered query is the same query over only the events that pass: checked for every
    kind of insight against an oracle that never sees the others."""
    store, full = dataset

    did = {rule.event: {full.person(r) for r in full.rows if r.event == rule.event} for rule in filters
           if isinstance(rule, DidEvent)}  # fmt: skip

    def passes(row: Any) -> bool:
        for rule in filters:
            if isinstance(rule, DidEvent):
                if (full.person(row) in did[rule.event]) == rule.negate:
                    return False
                continue
            value = full.text(row, rule.property.name)
            if value is None or (value in rule.values) == rule.negate:
                return False
        return True

    oracle = Oracle([row for row in full.rows if passes(row)], full.links)
    assert service.metric(store, 1, "dau", FROM, TO, filters=filters) == oracle.active(FROM, TO, 1)
    assert service.metric(store, 1, "wau", FROM, TO, filters=filters) == oracle.active(FROM, TO, 7)
    assert canonical(
        service.metric(store, 1, "new_users", FROM, TO, "channel", filters=filters)
    ) == canonical(oracle.new_users(FROM, TO, "channel"))
    got = service.trend(store, 1, "buy", "unique_users", None, "week", FROM, TO, filters=filters)
    assert canonical(got) == canonical(oracle.trend("buy", "unique_users", None, "week", FROM, TO, None))
    steps = ["$pageview", "signup", "buy"]
    got = service.funnel(store, 1, steps, 14 * 86400, FROM, TO, filters=filters)
    assert rounded(got) == rounded(oracle.funnel(steps, 14 * 86400, FROM, TO))
    got = service.retention(store, 1, None, None, "week", FROM, TO, 4, filters=filters)
    assert got == oracle.retention(None, None, "week", FROM, TO, 4, None)
