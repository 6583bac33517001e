"""The compiler's DuckDB SQL for a handful of IRs, kept in tests/query/golden/*.sql.

Regenerate after an intended change: ``UPDATE_GOLDEN=1 .venv/bin/pytest tests/query``.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from betterheap.query.compiler import compile_query
from betterheap.query.ir import (
    ActiveUsers,
    DateRange,
    EventTrend,
    Funnel,
    LatestEvent,
    NewUsers,
    Property,
    Query,
    Retention,
)

GOLDEN = Path(__file__).parent / "golden"
JAN = DateRange(date(2024, 1, 1), date(2024, 1, 31))

CASES: dict[str, Query] = {
    "latest_event": LatestEvent(),
    "wau": ActiveUsers(JAN, 7),
    "new_users_by_channel": NewUsers(JAN, Property("channel")),
    "trend_sum_weekly_by_plan": EventTrend(
        JAN, "buy", "sum", "week", Property("amount"), Property("plan")
    ),
    "funnel_3_steps": Funnel(("signup", "activate", "buy"), 14 * 86400, JAN),
    "first_day_funnel_by_country": Funnel(("a", "b", "b"), 3600, JAN, Property("country"), True),
    "retention_weekly": Retention("signup", "buy", "week", JAN, 12),
    "retention_by_first_day_funnel": Retention(None, None, "day", JAN, 30, ("signup", "buy")),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_sql(name: str) -> None:
    compiled = compile_query(CASES[name], 1)
    sql = compiled.expression.sql(dialect="duckdb", pretty=True)
    path = GOLDEN / f"{name}.sql"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(sql + "\n")
    assert path.exists(), f"missing {path}; run with UPDATE_GOLDEN=1"
    assert sql + "\n" == path.read_text()


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_sql_runs(name: str, tmp_path: Path) -> None:
    """Every golden query is valid DuckDB with exactly the parameters it names."""
    from betterheap.store.duckdb import DuckDBStore

    store = DuckDBStore(tmp_path / "e.duckdb")
    compiled = compile_query(CASES[name], 1)
    store.query(compiled.expression, compiled.params)
    store.close()
