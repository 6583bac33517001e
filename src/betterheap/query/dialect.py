"""Engine-specific SQL pieces, isolated so another engine only adds one class here.

The compiler calls these builders and never writes engine-specific functions itself.
A ClickHouse printer would add ``ClickHouseDialect`` (toStartOfWeek(x, 1), argMin,
JSONExtractString, ASOF LEFT JOIN with the inequality last, ...) and register it in
``DIALECTS``; callers keep asking ``dialect_for(store.dialect)``.
"""

from __future__ import annotations

from typing import Final

import sqlglot
from sqlglot import exp


class DuckDBDialect:
    """DuckDB: ``date_trunc`` (ISO weeks start Monday), ``json_extract_string``, ASOF JOIN."""

    name: Final = "duckdb"

    def to_date(self, ts: exp.Expr) -> exp.Expr:
        return exp.cast(ts, exp.DataType.build("DATE"))

    def truncate(self, unit: str, ts: exp.Expr) -> exp.Expr:
        """The start date of the day/week (Monday)/month containing ``ts``."""
        if unit == "day":
            return self.to_date(ts)
        truncated = exp.Anonymous(this="date_trunc", expressions=[exp.Literal.string(unit), ts])
        return self.to_date(truncated)

    def json_property(self, column: exp.Expr, key: str) -> exp.Expr:
        """String value of one top-level JSON key; ``key`` was validated (no quotes possible)."""
        path = exp.Literal.string(f'$."{key}"')
        return exp.Anonymous(this="json_extract_string", expressions=[column, path])

    def to_double(self, value: exp.Expr) -> exp.Expr:
        return exp.TryCast(this=value, to=exp.DataType.build("DOUBLE"))

    def to_text(self, value: exp.Expr) -> exp.Expr:
        return exp.cast(value, exp.DataType.build("VARCHAR"))

    def median(self, value: exp.Expr) -> exp.Expr:
        """Median with interpolation between the two middle values (``quantile_cont 0.5``)."""
        return exp.Median(this=value)

    def arg_min(self, value: exp.Expr, key: exp.Expr) -> exp.Expr:
        """``value`` of the row with the smallest ``key``, even when that value is NULL."""
        return exp.Anonymous(this="arg_min_null", expressions=[value, key])

    def seconds_between(self, start: exp.Expr, end: exp.Expr) -> exp.Expr:
        micros = exp.Anonymous(
            this="date_diff", expressions=[exp.Literal.string("microsecond"), start, end]
        )
        return exp.Div(this=micros, expression=exp.Literal.number("1000000.0"))

    def add_seconds(self, ts: exp.Expr, seconds: exp.Expr) -> exp.Expr:
        return exp.Add(this=ts, expression=exp.Anonymous(this="to_seconds", expressions=[seconds]))

    def add_days(self, day: exp.Expr, days: exp.Expr) -> exp.Expr:
        """A DATE plus an integer number of days (stays a DATE)."""
        return exp.Add(this=self.to_date(day), expression=days)

    def day_diff(self, start: exp.Expr, end: exp.Expr) -> exp.Expr:
        return exp.Anonymous(
            this="date_diff", expressions=[exp.Literal.string("day"), start, end]
        )

    def date_spine(self, first: exp.Expr, last: exp.Expr, alias: str) -> exp.Expr:
        """A subquery with one row per day from ``first`` to ``last`` inclusive, column ``day``."""
        template = sqlglot.parse_one(
            "SELECT CAST(range AS DATE) AS day FROM range(CAST($first AS DATE), "
            "CAST($last AS DATE) + INTERVAL 1 DAY, INTERVAL 1 DAY)",
            read="duckdb",
        )

        def fill(node: exp.Expr) -> exp.Expr:
            if isinstance(node, exp.Placeholder):
                return {"first": first, "last": last}[str(node.name)].copy()
            return node

        spine = template.transform(fill)
        assert isinstance(spine, exp.Select)
        return spine.subquery(alias)

    def asof_left_join(
        self, query: exp.Select, table: exp.Expr, on: exp.Expr
    ) -> exp.Select:
        """Each left row with the first right row meeting ``on`` (equalities + 1 inequality)."""
        join = exp.Join(this=table, method="ASOF", side="LEFT", on=on)
        return query.join(join)


Dialect = DuckDBDialect

DIALECTS: Final[dict[str, Dialect]] = {"duckdb": DuckDBDialect()}


def dialect_for(name: str) -> Dialect:
    try:
        return DIALECTS[name]
    except KeyError:
        raise ValueError(f"no query dialect for {name!r}; known: {sorted(DIALECTS)}") from None
