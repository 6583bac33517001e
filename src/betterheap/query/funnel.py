"""Funnels with one ASOF join per step.

An attempt starts at each step-1 event. Step k is the earliest step-k event at or after step
k-1 (strictly later when steps k-1 and k have the same name), kept only if it falls within
the window from step 1 (and, for first-day funnels, on the person's first day). Taking the
earliest next event is optimal for every later step, so one ASOF join per step suffices.
Each person keeps their best attempt: the furthest step, then the earliest start.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlglot
from sqlglot import exp

from betterheap.query.build import Params, breakdown_expr, col, in_range
from betterheap.query.dialect import Dialect
from betterheap.query.events import event_is_any, person_events
from betterheap.query.ir import DateRange, Funnel, Property


@dataclass(frozen=True)
class PersonFunnel:
    """What ``person_funnel_ctes`` needs; ``range`` None = attempts on any day (first-day only)."""

    steps: tuple[str, ...]
    window_seconds: int
    range: DateRange | None
    breakdown: Property | None
    first_day: bool


def first_seen(params: Params) -> exp.Select:
    """``person, first_ts`` for every person of the project: one GROUP BY over all history."""
    return (
        sqlglot.select("person", exp.alias_(exp.Min(this=col("ts")), "first_ts"))
        .from_(person_events(params).subquery("pe"))
        .group_by("person")
    )


def person_funnel_ctes(
    spec: PersonFunnel, params: Params, dialect: Dialect
) -> list[tuple[str, exp.Expr, bool]]:
    """CTEs ``(name, query, materialized)``; the last one, ``funnel_best``, has one row per
    person who started: ``person, breakdown, reached, t1..tn``."""
    n = len(spec.steps)
    step_params = [params.bind(f"step_{k}", name) for k, name in enumerate(spec.steps, start=1)]
    where: list[exp.Expr] = [event_is_any(params, spec.steps, step_params)]
    bounds = None
    if spec.range is not None:
        bounds = params.range_bounds(spec.range)
        latest = dialect.add_seconds(bounds[1], params.bind("window_seconds", spec.window_seconds))
        where.append(in_range(col("timestamp", "e"), (bounds[0], latest)))
    extra = [exp.alias_(breakdown_expr(dialect, spec.breakdown), "bd")] if spec.breakdown else []
    ctes: list[tuple[str, exp.Expr, bool]] = [("funnel_events", person_events(params, extra, where), True)]

    bd = [col("bd")] if spec.breakdown else [exp.alias_(exp.null(), "bd")]
    first = sqlglot.select(
        col("person", "f"), exp.alias_(col("ts", "f"), "t1"), *[c.copy() for c in bd]
    ).from_(exp.alias_(exp.to_table("funnel_events"), "f", table=True))
    conditions: list[exp.Expr] = [col("event", "f").eq(step_params[0])]
    if bounds is not None:
        conditions.append(in_range(col("ts", "f"), bounds))
    day_end: exp.Expr | None = None
    if spec.first_day:
        ctes.append(("first_seen", first_seen(params), False))
        first = first.join("first_seen", on=col("person", "first_seen").eq(col("person", "f")))
        conditions.append(dialect.to_date(col("ts", "f")).eq(dialect.to_date(col("first_ts"))))
        day_end = dialect.add_days(col("first_ts"), exp.Literal.number(1))
        first = first.select(exp.alias_(day_end, "day_end"))
        day_end = col("day_end", "prev")
    if n > 1 and not spec.first_day:
        ctes.append(("funnel_reach", _reach(spec, step_params, bounds), False))
        first = first.join("funnel_reach", on=col("person", "funnel_reach").eq(col("person", "f")))
        conditions.append(_may_go_further(spec, col("ts", "f")))
    ctes.append(("funnel_step_1", first.where(exp.and_(*conditions)), False))

    for k in range(2, n + 1):
        prev_t, t = col(f"t{k - 1}", "prev"), col("ts", "s")
        later = t > prev_t if spec.steps[k - 1] == spec.steps[k - 2] else t >= prev_t
        right = (
            sqlglot.select("person", "ts")
            .from_("funnel_events")
            .where(col("event").eq(step_params[k - 1]))
            .subquery("s")
        )
        window = params.bind("window_seconds", spec.window_seconds)
        inside: exp.Expr = t <= dialect.add_seconds(col("t1", "prev"), window)
        if day_end is not None:
            inside = exp.and_(inside, t < day_end)
        matched = exp.Case(ifs=[exp.If(this=inside, true=t.copy())])
        step = sqlglot.select(exp.Star(), exp.alias_(matched, f"t{k}")).from_(
            exp.alias_(exp.to_table(f"funnel_step_{k - 1}"), "prev", table=True)
        )
        on = exp.and_(col("person", "s").eq(col("person", "prev")), later)
        ctes.append((f"funnel_step_{k}", dialect.asof_left_join(step, right, on), False))

    reached: exp.Expr = exp.Literal.number(1)
    if n > 1:
        reached = exp.Case(
            ifs=[
                exp.If(this=col(f"t{k}").is_(exp.null()).not_(), true=exp.Literal.number(k))
                for k in range(n, 1, -1)
            ],
            default=reached,
        )
    order = [
        exp.Ordered(this=col("reached"), desc=True),
        exp.Ordered(this=col("t1")),
        exp.Ordered(this=col("bd"), nulls_first=False),
    ]
    rank = exp.Window(this=exp.RowNumber(), partition_by=[col("person")], order=exp.Order(expressions=order))
    times = [col(f"t{k}") for k in range(1, n + 1)]
    attempts = sqlglot.select(
        "person", exp.alias_(col("bd"), "breakdown"), *times, exp.alias_(reached, "reached")
    ).from_(f"funnel_step_{n}")
    ranked = attempts.select(exp.alias_(rank, "attempt_rank"))
    best = (
        sqlglot.select(exp.Star())
        .from_(ranked.subquery("ranked"))
        .where(col("attempt_rank").eq(exp.Literal.number(1)))
    )
    ctes.append(("funnel_best", best, False))
    return ctes


def _reach(
    spec: PersonFunnel, step_params: list[exp.Placeholder], bounds: tuple[exp.Expr, exp.Expr] | None
) -> exp.Select:
    """Per person: the last step-2 event and the first step-1 event that may start an attempt."""
    is_start: exp.Expr = col("event").eq(step_params[0].copy())
    if bounds is not None:
        is_start = exp.and_(is_start, in_range(col("ts"), bounds))
    last_2 = exp.Max(this=exp.Case(ifs=[exp.If(this=col("event").eq(step_params[1].copy()), true=col("ts"))]))
    first_1 = exp.Min(this=exp.Case(ifs=[exp.If(this=is_start, true=col("ts"))]))
    return (
        sqlglot.select("person", exp.alias_(last_2, "last_2"), exp.alias_(first_1, "first_1"))
        .from_("funnel_events")
        .group_by("person")
    )


def _may_go_further(spec: PersonFunnel, t1: exp.Expr) -> exp.Expr:
    """Attempts worth following: an attempt with no step-2 event at or after its start can
    only reach step 1, and then the person's first attempt is at least as good (it reaches
    step 1 too and starts earlier). Dropping the others changes no result and, on the demo
    data, skips most attempts (people who view products and never add one to the cart)."""
    last_2 = col("last_2", "funnel_reach")
    later = t1 < last_2 if spec.steps[0] == spec.steps[1] else t1 <= last_2
    return exp.or_(later, t1.copy().eq(col("first_1", "funnel_reach")))


def with_ctes(query: exp.Select, ctes: list[tuple[str, exp.Expr, bool]]) -> exp.Select:
    for name, cte, materialized in ctes:
        query = query.with_(name, cte, materialized=materialized or None)
    return query


def compile_funnel(query: Funnel, params: Params, dialect: Dialect) -> exp.Expression:
    """One row per breakdown value: ``breakdown, count_1..n, median_2..n`` (seconds)."""
    # For first-day funnels, attempts happen on the first day, so "step 1 in the range" is
    # the same as "first day in the range".
    spec = PersonFunnel(query.steps, query.window_seconds, query.range, query.breakdown, query.first_day)
    ctes = person_funnel_ctes(spec, params, dialect)
    columns: list[exp.Expr] = [col("breakdown")]
    for k in range(1, len(query.steps) + 1):
        hit = exp.Case(
            ifs=[exp.If(this=col("reached") >= exp.Literal.number(k), true=exp.Literal.number(1))],
            default=exp.Literal.number(0),
        )
        columns.append(exp.alias_(exp.Sum(this=hit), f"count_{k}"))
    for k in range(2, len(query.steps) + 1):
        gap = dialect.seconds_between(col(f"t{k - 1}"), col(f"t{k}"))
        columns.append(exp.alias_(dialect.median(gap), f"median_{k}"))
    result = (
        sqlglot.select(*columns)
        .from_("funnel_best")
        .group_by(col("breakdown"))
        .order_by(
            exp.Ordered(this=col("count_1"), desc=True),
            exp.Ordered(this=col("breakdown"), nulls_first=False),
        )
    )
    return with_ctes(result, ctes)
