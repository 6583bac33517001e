"""First-time cohort retention.

A person's cohort is the period (UTC day or Monday week) of their first start event ever.
Row ``k`` of a cohort counts members with a return event in period ``cohort + k`` (k >= 1);
``k = 0`` is the cohort size. Return periods are read up to ``date_to`` only, so a cohort's
``cohort + k`` never passes ``date_to``. With a segment funnel, persons are grouped by the
furthest step of that first-day funnel instead of by cohort date.
"""

from __future__ import annotations

from datetime import timedelta

import sqlglot
from sqlglot import exp

from betterheap.query.build import Params, col, day_start, in_range
from betterheap.query.dialect import Dialect
from betterheap.query.events import event_is, person_events
from betterheap.query.funnel import PersonFunnel, person_funnel_ctes, with_ctes
from betterheap.query.ir import Retention

DAY_SECONDS = 86_400


def compile_retention(query: Retention, params: Params, dialect: Dialect) -> exp.Expression:
    """Rows ``cohort, segment, k, value``: value = persons (k = 0: cohort size)."""
    days = 7 if query.period == "week" else 1
    shift = query.range.date_from.weekday() if days == 7 else 0
    first_day = query.range.date_from - timedelta(days=shift)
    cohort_from = params.bind("cohort_from", first_day)
    date_to = params.bind("date_to", query.range.date_to)

    start_where: list[exp.Expr] = []
    if query.start_event is not None:
        start_where.append(event_is(params, query.start_event, "start_event"))
    cohort = dialect.truncate(query.period, exp.Min(this=col("ts")))
    all_cohorts = (
        sqlglot.select("person", exp.alias_(cohort, "cohort"))
        .from_(person_events(params, where=start_where).subquery("pe"))
        .group_by("person")
    )
    cohorts = (
        sqlglot.select("person", "cohort")
        .from_(all_cohorts.subquery("c"))
        .where(exp.and_(col("cohort") >= cohort_from, col("cohort") <= date_to))
    )

    return_where = [
        in_range(
            col("timestamp", "e"),
            (params.bind("returns_from", day_start(first_day)), params.until(query.range)),
        )
    ]
    if query.return_event is not None:
        return_where.append(event_is(params, query.return_event, "return_event"))
    returns = (
        sqlglot.select("person", exp.alias_(dialect.truncate(query.period, col("ts")), "period"))
        .distinct()
        .from_(person_events(params, where=return_where).subquery("pe"))
    )

    ctes: list[tuple[str, exp.Expr, bool]] = [("cohorts", cohorts, False)]
    segment: exp.Expr = exp.null()
    if query.segment_funnel is not None:
        spec = PersonFunnel(query.segment_funnel, DAY_SECONDS, None, None, True)
        ctes.extend(person_funnel_ctes(spec, params, dialect))
        segment = exp.Coalesce(this=col("reached", "b"), expressions=[exp.Literal.number(0)])
    members = sqlglot.select(col("person", "c"), col("cohort", "c"), exp.alias_(segment, "segment")).from_(
        exp.alias_(exp.to_table("cohorts"), "c", table=True)
    )
    if query.segment_funnel is not None:
        members = members.join(
            exp.alias_(exp.to_table("funnel_best"), "b", table=True),
            on=col("person", "b").eq(col("person", "c")),
            join_type="LEFT",
        )
    ctes += [("members", members, False), ("returns", returns, False)]

    k_days = dialect.day_diff(col("cohort", "m"), col("period", "r"))
    k = k_days if days == 1 else exp.IntDiv(this=k_days, expression=exp.Literal.number(days))
    last = dialect.add_days(col("cohort", "m"), exp.Literal.number(query.periods * days))
    hits = (
        sqlglot.select(col("cohort", "m"), col("segment", "m"), exp.alias_(k, "k"))
        .from_(exp.alias_(exp.to_table("members"), "m", table=True))
        .join(
            exp.alias_(exp.to_table("returns"), "r", table=True),
            on=exp.and_(
                col("person", "r").eq(col("person", "m")),
                col("period", "r") > col("cohort", "m"),
                col("period", "r") <= last,
            ),
        )
    )
    group = query.segment_funnel is None
    key = (
        [col("cohort"), exp.alias_(exp.null(), "segment")]
        if group
        else [
            exp.alias_(exp.Min(this=col("cohort")), "cohort"),
            col("segment"),
        ]
    )
    count = exp.alias_(exp.Count(this=exp.Star()), "value")
    key_group = col("cohort") if group else col("segment")
    sizes = sqlglot.select(*key, exp.alias_(exp.Literal.number(0), "k"), count).from_("members")
    kept = sqlglot.select(*[c.copy() for c in key], col("k"), count.copy()).from_(hits.subquery("hits"))
    result = sqlglot.union(
        sizes.group_by(key_group), kept.group_by(key_group.copy(), col("k")), distinct=False
    )
    outer = sqlglot.select(exp.Star()).from_(result.subquery("retention")).order_by("cohort", "segment", "k")
    return with_ctes(outer, ctes)
