"""Naming an event in a query: a real event name, or an action (a virtual event).

An action is defined after the fact over auto-captured events (see
:class:`~betterheap.taxonomy.plan.Action`), so it has no rows of its own: where a query
names it, the compiler puts the action's predicate, and the ``event`` column of the
query's event source carries the action's name for the events it matches. Every metric,
funnel and retention query therefore treats it like an event, over all history.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlglot
from sqlglot import exp

from betterheap.query.actions import action_predicate
from betterheap.query.build import EVENT_ALIAS, Params, col


def event_is(params: Params, event: str, name: str = "event", table: str = EVENT_ALIAS) -> exp.Expr:
    """True for events of ``table`` that are ``event`` (or match the action so named)."""
    action = params.actions.get(event)
    if action is not None:
        return action_predicate(action, params, table)
    return col("event", table).eq(params.bind(name, event))


def event_is_any(
    params: Params, events: Sequence[str], bound: Sequence[exp.Placeholder], table: str = EVENT_ALIAS
) -> exp.Expr:
    """True for events that are any of ``events`` (``bound``: their placeholders)."""
    names = list(dict.fromkeys(events))
    real = list(dict.fromkeys(p for p, n in zip(bound, events, strict=True) if n not in params.actions))
    conditions: list[exp.Expr] = [col("event", table).isin(*real)] if real else []
    conditions += [action_predicate(params.actions[n], params, table) for n in names if n in params.actions]
    return exp.or_(*conditions) if len(conditions) > 1 else conditions[0]


def event_label(params: Params, table: str = EVENT_ALIAS) -> exp.Expr:
    """The ``event`` column as a query sees it: the action's name for events an action of
    the query matches (the first listed wins), else the stored name."""
    if not params.actions:
        return col("event", table)
    return exp.Case(
        ifs=[
            exp.If(this=action_predicate(action, params, table), true=params.bind("action", name))
            for name, action in params.actions.items()
        ],
        default=col("event", table),
    )


def person_events(
    params: Params,
    columns: Sequence[exp.Expr] | None = None,
    where: Sequence[exp.Expr] | None = None,
) -> exp.Select:
    """``SELECT person, ts, event, <columns> FROM events`` of one project.

    ``person`` is the event's ``person_key``: the store keeps it pointing at the merged
    person (identity merges re-point earlier events), so events sent before a merge count
    for the merged person, with no join at query time.
    """
    e = EVENT_ALIAS
    query = sqlglot.select(
        exp.alias_(col("person_key", e), "person"),
        exp.alias_(col("timestamp", e), "ts"),
        exp.alias_(event_label(params, e), "event"),
        *(columns or []),
    ).from_(exp.alias_(exp.to_table("events"), e, table=True))
    conditions = [col("project_id", e).eq(params.project_id), *params.event_filters, *(where or [])]
    return query.where(exp.and_(*conditions))
