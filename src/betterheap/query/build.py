"""Shared builders: bound parameters, the person-resolved event source, property columns.

Values never enter SQL text: ``Params.bind`` returns a placeholder (printed ``$name`` for
DuckDB) and remembers the value. Property names were validated by ``ir.Property`` and are
turned into a quoted column or a JSON path literal built by sqlglot.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlglot import exp

from betterheap.query.dialect import Dialect
from betterheap.query.ir import DateRange, Property
from betterheap.store.schema import PROMOTED_PROPERTIES
from betterheap.taxonomy.plan import Action

EVENT_ALIAS = "e"


@dataclass(frozen=True)
class Compiled:
    """A compiled query: the tree (print it with the store's dialect) and its parameters."""

    expression: exp.Expression
    params: dict[str, Any]

    def sql(self, dialect: str = "duckdb") -> str:
        return self.expression.sql(dialect=dialect)


class Params:
    """Collects bound values while a query is built, and knows the query's actions."""

    def __init__(self, project_id: int, actions: Mapping[str, Action] | None = None) -> None:
        self.values: dict[str, Any] = {}
        self.project_id = self.bind("project_id", int(project_id))
        #: Actions (virtual events) this query names, by name; see ``query.events``.
        self.actions: dict[str, Action] = dict(actions or {})
        #: Conditions every event the query reads must meet (``ir.Filtered``).
        self.event_filters: list[exp.Expr] = []

    def bind(self, name: str, value: Any) -> exp.Placeholder:
        key = name
        suffix = 1
        while key in self.values and self.values[key] != value:
            suffix += 1
            key = f"{name}_{suffix}"
        self.values[key] = value
        return exp.Placeholder(this=key)

    def range_bounds(self, days: DateRange) -> tuple[exp.Placeholder, exp.Placeholder]:
        """Timestamps ``[start of date_from, start of the day after date_to)``."""
        return self.bind("ts_from", day_start(days.date_from)), self.until(days)

    def until(self, days: DateRange) -> exp.Placeholder:
        """The start of the day after ``date_to`` (exclusive upper bound)."""
        return self.bind("ts_until", day_start(days.date_to + timedelta(days=1)))


def day_start(day: date) -> datetime:
    return datetime.combine(day, time())


def col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(name, table=table, quoted=True)


def property_expr(dialect: Dialect, prop: Property, table: str = EVENT_ALIAS) -> exp.Expr:
    """The value of a property: its promoted column, else its key in the JSON properties."""
    if prop.name in PROMOTED_PROPERTIES:
        return col(prop.name, table)
    return dialect.json_property(col("properties", table), prop.name)


def breakdown_expr(dialect: Dialect, prop: Property, table: str = EVENT_ALIAS) -> exp.Expr:
    """A property as text, so every breakdown value has one type whatever its column."""
    return dialect.to_text(property_expr(dialect, prop, table))


def in_range(ts: exp.Expr, bounds: tuple[exp.Expr, exp.Expr]) -> exp.Expr:
    return exp.and_(ts >= bounds[0], ts < bounds[1])
