"""IR → (sqlglot tree, parameters). Pure: no store, no clock, no I/O.

>>> from datetime import date
>>> from betterheap.query.ir import ActiveUsers, DateRange
>>> c = compile_query(ActiveUsers(DateRange(date(2024, 1, 1), date(2024, 1, 7)), 1), 7)
>>> c.params["project_id"]
7
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, Final

import sqlglot
from sqlglot import exp

from betterheap.query.build import (
    Compiled,
    Params,
    breakdown_expr,
    col,
    day_start,
    in_range,
    property_expr,
)
from betterheap.query.dialect import Dialect, dialect_for
from betterheap.query.events import event_is, person_events
from betterheap.query.funnel import compile_funnel
from betterheap.query.ir import (
    ActiveUsers,
    DidEvent,
    EventTotals,
    EventTrend,
    Filter,
    Filtered,
    Funnel,
    LatestEvent,
    NewUsers,
    Query,
    Retention,
)
from betterheap.query.retention import compile_retention
from betterheap.taxonomy.plan import Action


def compile_latest_event(query: LatestEvent, params: Params, dialect: Dialect) -> exp.Expression:
    return (
        sqlglot.select(exp.alias_(exp.Max(this=col("timestamp")), "latest"))
        .from_("events")
        .where(col("project_id").eq(params.project_id))
    )


def compile_active_users(query: ActiveUsers, params: Params, dialect: Dialect) -> exp.Expression:
    """Rolling distinct persons without a per-day self join.

    Each active day ``a`` of a person covers days ``[a, a + N)``. Coverage of consecutive
    active days is made disjoint (a span starts at ``max(a, previous + N)``), so the number of
    persons covering day d is the running sum of +1 at span starts and -1 at span ends.
    """
    n = exp.Literal.number(query.window_days)
    first_day = query.range.date_from - timedelta(days=query.window_days - 1)
    scan_from = params.bind("scan_from", day_start(first_day))
    ts_until = params.until(query.range)
    day = dialect.to_date(col("ts"))
    source = person_events(params, where=[in_range(col("timestamp", "e"), (scan_from, ts_until))])
    days = sqlglot.select("person", exp.alias_(day, "day")).distinct().from_(source.subquery("pe"))
    lag = exp.Window(
        this=exp.Anonymous(this="lag", expressions=[col("day")]),
        partition_by=[col("person")],
        order=exp.Order(expressions=[exp.Ordered(this=col("day"))]),
    )
    spans = sqlglot.select("day", exp.alias_(lag, "prev")).from_("active_days")
    prev_end = dialect.add_days(col("prev"), n)
    fresh = exp.or_(col("prev").is_(exp.null()), prev_end <= col("day"))
    start = exp.Case(ifs=[exp.If(this=fresh, true=col("day"))], default=prev_end)
    deltas = sqlglot.union(
        sqlglot.select(exp.alias_(start, "day"), exp.alias_(exp.Literal.number(1), "delta")).from_("spans"),
        sqlglot.select(
            exp.alias_(dialect.add_days(col("day"), n), "day"),
            exp.alias_(exp.Literal.number(-1), "delta"),
        ).from_("spans"),
        distinct=False,
    )
    by_day = (
        sqlglot.select("day", exp.alias_(exp.Sum(this=col("delta")), "delta"))
        .from_(deltas.subquery("d"))
        .group_by("day")
    )
    spine = dialect.date_spine(
        params.bind("date_from", query.range.date_from),
        params.bind("date_to", query.range.date_to),
        "spine",
    )
    total = exp.Sum(this=col("delta", "by_day"))
    value = exp.Coalesce(this=total, expressions=[exp.Literal.number(0)])
    return (
        sqlglot.select(exp.alias_(col("day", "spine"), "date"), exp.alias_(value, "value"))
        .from_(spine)
        .join("by_day", on=col("day", "by_day") <= col("day", "spine"), join_type="LEFT")
        .group_by(col("day", "spine"))
        .order_by(col("day", "spine"))
        .with_("active_days", days)
        .with_("spans", spans)
        .with_("by_day", by_day)
    )


def compile_new_users(query: NewUsers, params: Params, dialect: Dialect) -> exp.Expression:
    """First event per person over all history (one GROUP BY), then count per first day."""
    extra = [exp.alias_(breakdown_expr(dialect, query.breakdown), "bd")] if query.breakdown else []
    first_cols: list[exp.Expr] = [exp.alias_(exp.Min(this=col("ts")), "first_ts")]
    if query.breakdown:
        first_cols.append(exp.alias_(dialect.arg_min(col("bd"), col("ts")), "breakdown"))
    first = (
        sqlglot.select("person", *first_cols)
        .from_(person_events(params, columns=extra).subquery("pe"))
        .group_by("person")
    )
    keys: list[exp.Expr] = [exp.alias_(dialect.to_date(col("first_ts")), "date")]
    if query.breakdown:
        keys.append(col("breakdown"))
    return (
        sqlglot.select(*keys, exp.alias_(exp.Count(this=exp.Star()), "value"))
        .from_(first.subquery("first_seen"))
        .where(in_range(col("first_ts"), params.range_bounds(query.range)))
        .group_by(*[exp.Literal.number(i + 1) for i in range(len(keys))])
        .order_by(*[exp.Literal.number(i + 1) for i in range(len(keys))])
    )


def compile_trend(query: EventTrend, params: Params, dialect: Dialect) -> exp.Expression:
    where = [in_range(col("timestamp", "e"), params.range_bounds(query.range))]
    if query.event is not None:
        where.append(event_is(params, query.event))
    columns: list[exp.Expr] = []
    if query.property is not None:
        prop = property_expr(dialect, query.property)
        columns.append(exp.alias_(prop, "prop"))
        if query.measure == "sum":
            where.append(prop.copy().is_(exp.null()).not_())
    if query.breakdown is not None:
        columns.append(exp.alias_(breakdown_expr(dialect, query.breakdown), "breakdown"))
    source = person_events(params, columns, where).subquery("pe")
    value: exp.Expr
    if query.measure == "count":
        value = exp.Count(this=exp.Star())
    elif query.measure == "unique_users":
        value = exp.Count(this=exp.Distinct(expressions=[col("person")]))
    else:
        total = exp.Sum(this=dialect.to_double(col("prop")))
        value = exp.Coalesce(this=total, expressions=[exp.Literal.number(0)])
    keys: list[exp.Expr] = [exp.alias_(dialect.truncate(query.interval, col("ts")), "date")]
    if query.breakdown is not None:
        keys.append(col("breakdown"))
    positions = [exp.Literal.number(i + 1) for i in range(len(keys))]
    return (
        sqlglot.select(*keys, exp.alias_(value, "value"))
        .from_(source)
        .group_by(*positions)
        .order_by(*positions)
    )


def compile_totals(query: EventTotals, params: Params, dialect: Dialect) -> exp.Expression:
    where = [in_range(col("timestamp", "e"), params.range_bounds(query.range))]
    if query.event is not None:
        where.append(event_is(params, query.event))
    source = person_events(params, [], where).subquery("pe")
    return sqlglot.select(
        exp.alias_(exp.Count(this=exp.Star()), "events"),
        exp.alias_(exp.Count(this=exp.Distinct(expressions=[col("person")])), "people"),
    ).from_(source)


_COMPILERS: Final[dict[type, Callable[[Any, Params, Dialect], exp.Expression]]] = {
    LatestEvent: compile_latest_event,
    ActiveUsers: compile_active_users,
    NewUsers: compile_new_users,
    EventTrend: compile_trend,
    EventTotals: compile_totals,
    Funnel: compile_funnel,
    Retention: compile_retention,
}


def compile_query(
    query: Query | Filtered,
    project_id: int,
    dialect: str = "duckdb",
    actions: Mapping[str, Action] | None = None,
) -> Compiled:
    """Compile one IR node for one project into a tree and its bound parameters.

    ``actions`` are the virtual events the query may name (the project's plan's actions);
    only those it names are compiled in. A :class:`Filtered` query reads only the events
    that pass its filters."""
    filters = query.filters if isinstance(query, Filtered) else ()
    inner = query.query if isinstance(query, Filtered) else query
    named = _event_names(inner) | {f.event for f in filters if isinstance(f, DidEvent)}
    params = Params(project_id, {name: a for name, a in (actions or {}).items() if name in named})
    rules = dialect_for(dialect)
    params.event_filters = [_filter_predicate(f, params, rules) for f in filters]
    expression = _COMPILERS[type(inner)](inner, params, rules)
    return Compiled(expression, dict(params.values))


def _filter_predicate(rule: Filter | DidEvent, params: Params, dialect: Dialect) -> exp.Expr:
    if isinstance(rule, DidEvent):
        done = (
            sqlglot.select(col("person_key", "done"))
            .from_(exp.alias_(exp.to_table("events"), "done", table=True))
            .where(
                exp.and_(
                    col("project_id", "done").eq(params.project_id),
                    event_is(params, rule.event, table="done"),
                )
            )
        )
        inside = exp.In(this=col("person_key", "e"), query=done.subquery())
        return exp.not_(inside) if rule.negate else inside
    value = breakdown_expr(dialect, rule.property)
    listed = [params.bind("filter_value", v) for v in rule.values]
    inside = value.isin(*listed)
    return exp.and_(value.is_(exp.null()).not_(), exp.not_(inside)) if rule.negate else inside


def _event_names(query: Query) -> set[str]:
    """Every event name a query refers to (where an action may stand)."""
    if isinstance(query, EventTrend):
        return {query.event} if query.event else set()
    if isinstance(query, EventTotals):
        return {query.event} if query.event else set()
    if isinstance(query, Funnel):
        return set(query.steps)
    if isinstance(query, Retention):
        names = {query.start_event, query.return_event, *(query.segment_funnel or ())}
        return {name for name in names if name}
    return set()
