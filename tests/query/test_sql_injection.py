"""Hostile event names, property names and breakdowns never change a query's shape."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from betterheap.insights import service
from betterheap.query.compiler import compile_query
from betterheap.query.ir import DateRange, EventTrend, Funnel, Property, Retention
from betterheap.store.duckdb import DuckDBStore
from tests.factories import stored_event

JAN = DateRange(date(2024, 1, 1), date(2024, 1, 31))
HOSTILE = [
    "x'; DROP TABLE events; --",
    'a" OR 1=1 --',
    "$project_id",
    "'); SELECT * FROM person_distinct_ids; --",
    "ev\\'\n;",
]


PLAIN_TREND = compile_query(EventTrend(JAN, "pageview", "count", "day"), 1).sql()
PLAIN_FUNNEL = compile_query(Funnel(("a", "b", "c"), 60, JAN), 1).sql()
PLAIN_RETENTION = compile_query(Retention("a", "b", "day", JAN, 3, ("c", "x")), 1).sql()


@given(name=st.text(max_size=40).filter(lambda n: n not in ("b", "x")))
@settings(max_examples=60, deadline=None)
def test_event_names_are_parameters(name: str) -> None:
    hostile = compile_query(EventTrend(JAN, name, "count", "day"), 1)
    assert hostile.sql() == PLAIN_TREND
    assert hostile.params["event"] == name
    assert compile_query(Funnel((name, "b", name), 60, JAN), 1).sql() == PLAIN_FUNNEL
    retention = compile_query(Retention(name, name, "day", JAN, 3, (name, "x")), 1)
    assert retention.sql() == PLAIN_RETENTION


@given(name=st.text(max_size=60))
@settings(max_examples=150, deadline=None)
def test_property_names_are_validated_or_rejected(name: str) -> None:
    try:
        prop = Property(name)
    except ValueError:
        return
    compiled = compile_query(EventTrend(JAN, None, "count", "day", breakdown=prop), 1)
    sql = compiled.sql()
    # the name appears only inside one JSON path literal (or as one quoted column)
    assert "'" not in name and '"' not in name and ";" not in name
    assert sql.count("$project_id") == 1 and ";" not in sql


@pytest.mark.parametrize("bad", [*HOSTILE[:2], *HOSTILE[3:], "1abc", "a b", "a" * 201])
def test_hostile_property_names_are_rejected(bad: str, tmp_path: Path) -> None:
    store = DuckDBStore(tmp_path / "e.duckdb")
    with pytest.raises(ValueError, match="invalid property name"):
        service.trend(store, 1, None, "count", None, "day", None, None, breakdown=bad)
    with pytest.raises(ValueError, match="invalid property name"):
        service.funnel(store, 1, ["a", "b"], 60, None, None, breakdown=bad)


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_event_names_match_only_themselves(name: str, tmp_path: Path) -> None:
    store = DuckDBStore(tmp_path / "e.duckdb")
    store.write_batch(
        [stored_event(name, "u1", "2024-01-02T10:00:00"), stored_event("ok", "u2", "2024-01-02")],
        [],
        None,
    )
    rows = service.trend(store, 1, name, "count", None, "day", date(2024, 1, 2), date(2024, 1, 2))
    assert rows == [{"date": "2024-01-02", "value": 1}]
    assert store.query(compile_query(EventTrend(JAN, None, "count", "day"), 1).expression,
                       compile_query(EventTrend(JAN, None, "count", "day"), 1).params)
    steps = service.funnel(store, 1, [name, name], 60, date(2024, 1, 2), date(2024, 1, 2))
    assert steps[0]["count"] == 1
