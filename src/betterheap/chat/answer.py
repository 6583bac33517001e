"""Answering a structured query: the numbers (from queries that ran), a chart, a paragraph
that explains them and the SQL that produced them. Every number in the text comes from the
rows computed here; when there is no data, the answer says so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from sqlglot import exp

from betterheap.chat.semantic import METRICS
from betterheap.chat.structured import StructuredQuery
from betterheap.insights import charts, service
from betterheap.query.build import Compiled
from betterheap.query.ir import DidEvent, Filter, Property
from betterheap.store.protocol import EventStore
from betterheap.taxonomy.plan import Action

#: The funnel window when a question names none.
FUNNEL_WINDOW_DAYS: Final = 7
LABELS: Final = {m.name: m.label for m in METRICS}


@dataclass
class Answer:
    status: str
    answer: str
    query: dict[str, Any] | None = None
    sql: str | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)
    chart: dict[str, Any] | None = None
    suggestions: list[str] = field(default_factory=list)
    understood: str | None = None
    #: Segments and campaigns the assistant drafted (never saved or sent).
    drafts: list[dict[str, Any]] = field(default_factory=list)
    #: The team's definitions and notes about what the answer is about.
    knowledge: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "knowledge": self.knowledge,
            "drafts": self.drafts,
            "status": self.status,
            "answer": self.answer,
            "understood": self.understood,
            "query": self.query,
            "sql": self.sql,
            "rows": self.rows,
            "chart": self.chart,
            "suggestions": self.suggestions,
        }


def answer_query(
    store: EventStore,
    project_id: int,
    query: StructuredQuery,
    actions: Mapping[str, Action],
    understood: str,
    today: date | None = None,
) -> Answer:
    """Run ``query`` and explain its result (``today``: the day the question is asked)."""
    today = today or datetime.now(UTC).date()
    filters: tuple[Filter | DidEvent, ...] = tuple(
        Filter(Property(f.property), f.values, f.negate) for f in query.filters
    ) + ((DidEvent(query.people_who),) if query.people_who else ())
    with service.recording() as ran:
        if query.kind == "metric":
            text, rows, chart = _metric(store, project_id, query, filters)
        elif query.kind == "event":
            text, rows, chart = _event(store, project_id, query, filters, actions)
        elif query.kind == "funnel":
            text, rows, chart = _funnel(store, project_id, query, filters, actions)
        elif query.kind == "retention":
            text, rows, chart = _retention(store, project_id, query, filters, actions, today)
        else:
            raise ValueError(f"answer_query does not answer {query.kind!r} queries")
    if query.filters:
        text = f"{text} (Only events where {_where(query)}.)"
    if query.people_who:
        text = f"{text} (Only people who ever did {query.people_who}.)"
    return Answer(
        "answered",
        text,
        query.model_dump(mode="json"),
        sql_of(ran, store.dialect),
        rows,
        chart,
        understood=understood,
    )


# --- kinds ---------------------------------------------------------------------------------


def _metric(
    store: EventStore, project_id: int, q: StructuredQuery, filters: tuple[Filter | DidEvent, ...]
) -> tuple[str, list[dict[str, Any]], dict[str, Any] | None]:
    name = q.metric or ""
    label = LABELS.get(name, name)
    if name == "arpu":
        return _arpu(store, project_id, q, filters)
    if q.breakdown:
        if name in ("wau", "mau"):
            raise ValueError(
                f"{label} has no breakdown (DAU does: a person counts in each value seen that day)"
            )
        if name == "revenue":
            rows = service.trend(
                store,
                project_id,
                None,
                "sum",
                "revenue",
                "day",
                q.date_from,
                q.date_to,
                q.breakdown,
                filters=filters,
            )
        else:
            rows = service.metric(store, project_id, name, q.date_from, q.date_to, q.breakdown, filters)
        return _by_breakdown(rows, q, label, _summary_kind(name))
    rows = service.metric(store, project_id, name, q.date_from, q.date_to, filters=filters)
    value = _summarize(rows, _summary_kind(name))
    series = [dict(row, period="this period") for row in rows]
    when = _during(q.date_from, q.date_to)
    if name in ("wau", "mau"):
        # Rolling windows: the value on the period's last day says the most.
        window = 7 if name == "wau" else 30
        when = f"on {q.date_to:%b %-d, %Y} (people active in the {window} days to that day)"
    text = f"{_sentence_label(name, q)} was {_fmt(value, name)} {when}"
    if q.compare_from and q.compare_to:
        before_rows = service.metric(store, project_id, name, q.compare_from, q.compare_to, filters=filters)
        before = _summarize(before_rows, _summary_kind(name))
        earlier = _during(q.compare_from, q.compare_to)
        text += f", against {_fmt(before, name)} {earlier} ({_change(value, before)})"
        series = _aligned(rows, "this period") + _aligned(before_rows, "the period before", rows)
    text += "." + _no_data(rows)
    chart = charts.line(series, label, "period" if q.compare_from else None)
    return text, series if q.compare_from else rows, chart


def _event(
    store: EventStore,
    project_id: int,
    q: StructuredQuery,
    filters: tuple[Filter | DidEvent, ...],
    actions: Mapping[str, Action],
) -> tuple[str, list[dict[str, Any]], dict[str, Any] | None]:
    event = q.event or ""
    what = f"people doing {event}" if q.measure == "unique_users" else f"{event} events"
    if q.breakdown:
        rows = service.trend(
            store,
            project_id,
            event,
            q.measure,
            None,
            "day",
            q.date_from,
            q.date_to,
            q.breakdown,
            actions,
            filters,
        )
        return _by_breakdown(rows, q, what, "sum" if q.measure == "count" else "sum_of_daily")
    rows = service.trend(
        store, project_id, event, q.measure, None, q.interval, q.date_from, q.date_to, None, actions, filters
    )
    total = service.totals(store, project_id, event, q.date_from, q.date_to, actions, filters)
    value = total["people"] if q.measure == "unique_users" else total["events"]
    text = f"{_fmt(value)} {what} {_during(q.date_from, q.date_to)}"
    series = rows
    if q.compare_from and q.compare_to:
        before = service.totals(store, project_id, event, q.compare_from, q.compare_to, actions, filters)
        old = before["people"] if q.measure == "unique_users" else before["events"]
        text += f", against {_fmt(old)} {_during(q.compare_from, q.compare_to)} ({_change(value, old)})"
        before_rows = service.trend(
            store,
            project_id,
            event,
            q.measure,
            None,
            q.interval,
            q.compare_from,
            q.compare_to,
            None,
            actions,
            filters,
        )
        series = _aligned(rows, "this period") + _aligned(before_rows, "the period before", rows)
    text += "." + ("" if value else " No such events were stored in that period.")
    return text, series, charts.line(series, what, "period" if q.compare_from else None)


def _funnel(
    store: EventStore,
    project_id: int,
    q: StructuredQuery,
    filters: tuple[Filter | DidEvent, ...],
    actions: Mapping[str, Action],
) -> tuple[str, list[dict[str, Any]], dict[str, Any] | None]:
    window = FUNNEL_WINDOW_DAYS * 86_400
    rows = service.funnel(
        store,
        project_id,
        list(q.steps),
        window,
        q.date_from,
        q.date_to,
        q.breakdown,
        actions=actions,
        filters=filters,
    )
    if q.breakdown:
        return _funnel_by(rows, q)
    first, last = rows[0], rows[-1]
    steps = "; ".join(
        f"{r['event']} {_fmt(r['count'])} ({_pct(r['conversion_from_previous'])} of the step before)"
        for r in rows[1:]
    )
    text = (
        f"Of {_fmt(first['count'])} people who did {first['event']} {_during(q.date_from, q.date_to)}, "
        f"{_fmt(last['count'])} went on to {last['event']} within {FUNNEL_WINDOW_DAYS} days: "
        f"{_pct(last['conversion_from_start'])} overall. Step by step: {steps}."
    )
    if not first["count"]:
        when = _during(q.date_from, q.date_to)
        text = f"Nobody did {first['event']} {when}, so there is no conversion to show."
    return text, rows, charts.funnel(rows)


def _funnel_by(
    rows: list[dict[str, Any]], q: StructuredQuery
) -> tuple[str, list[dict[str, Any]], dict[str, Any]]:
    last = len(q.steps)
    by: list[dict[str, Any]] = [
        {"breakdown": r["breakdown"], "value": r["conversion_from_start"], "people": r["count"]}
        for r in rows
        if r["step"] == last
    ]
    by.sort(key=lambda r: -r["value"])
    shown = by[: q.limit] if q.limit else by
    lines = ", ".join(f"{r['breakdown']} {_pct(r['value'])}" for r in shown[:8])
    when = _span(q.date_from, q.date_to)
    text = f"Conversion from {q.steps[0]} to {q.steps[-1]} by {q.breakdown}, {when}: {lines}."
    return text, shown, charts.bar(shown, "breakdown", "conversion", ".1%")


def _retention(
    store: EventStore,
    project_id: int,
    q: StructuredQuery,
    filters: tuple[Filter | DidEvent, ...],
    actions: Mapping[str, Action],
    today: date,
) -> tuple[str, list[dict[str, Any]], dict[str, Any] | None]:
    n = q.retention_day or 7
    step = 7 if q.period == "week" else 1
    # Cohorts that start in the range, watched for n periods even past its end.
    watched_to = max(q.date_to, min(q.date_to + timedelta(days=n * step), today - timedelta(days=1)))
    cohorts = service.retention(
        store,
        project_id,
        q.event,
        None,
        q.period,
        q.date_from,
        watched_to,
        n,
        actions=actions,
        filters=filters,
    )
    cohorts = [c for c in cohorts if date.fromisoformat(c["cohort"]) <= q.date_to]
    reached = [c for c in cohorts if len(c["values"]) > n and c["size"]]
    size = sum(c["size"] for c in reached)
    kept = sum(c["values"][n] for c in reached)
    unit = "D" if q.period == "day" else "W"
    rows = [
        {
            "date": c["cohort"],
            "value": c["values"][n] / c["size"],
            "size": c["size"],
            "returned": c["values"][n],
        }
        for c in reached
    ]
    if not size:
        when = _during(q.date_from, q.date_to)
        text = f"No cohort {when} is {n} {q.period}s old yet, so {unit}{n} retention is unknown."
        return text, rows, None
    text = (
        f"{unit}{n} retention of the {len(reached)} {'daily' if q.period == 'day' else 'weekly'} cohorts "
        f"first seen {_during(q.date_from, q.date_to)}: "
        f"{_fmt(kept)} of {_fmt(size)} people came back on {q.period} {n}, {_pct(kept / size)}."
    )
    best = max(rows, key=lambda r: r["value"])
    worst = min(rows, key=lambda r: r["value"])
    if len(rows) > 1:
        text += f" Best cohort {best['date']} ({_pct(best['value'])}),"
        text += f" weakest {worst['date']} ({_pct(worst['value'])})."
    return text, rows, charts.line(rows, f"{unit}{n} retention", fmt=".1%")


def _arpu(
    store: EventStore, project_id: int, q: StructuredQuery, filters: tuple[Filter | DidEvent, ...]
) -> tuple[str, list[dict[str, Any]], dict[str, Any] | None]:
    def per_user(start: date, end: date) -> tuple[float, float, int]:
        revenue = _summarize(service.metric(store, project_id, "revenue", start, end, filters=filters), "sum")
        people = service.totals(store, project_id, None, start, end, filters=filters)["people"]
        return (revenue / people if people else 0.0), revenue, people

    value, revenue, people = per_user(q.date_from, q.date_to)
    text = (
        f"Revenue per active user {_during(q.date_from, q.date_to)} was {_money(value)} "
        f"({_money(revenue)} over {_fmt(people)} active people)"
    )
    rows = [{"period": "this period", "value": value, "revenue": revenue, "people": people}]
    if q.compare_from and q.compare_to:
        old, old_revenue, old_people = per_user(q.compare_from, q.compare_to)
        text += f", against {_money(old)} {_during(q.compare_from, q.compare_to)} ({_change(value, old)})"
        rows.append(
            {"period": "the period before", "value": old, "revenue": old_revenue, "people": old_people}
        )
    return text + ".", rows, charts.bar(rows, "period", "revenue per user", ",.2f")


# --- shaping -------------------------------------------------------------------------------


def _summary_kind(metric: str) -> str:
    return {"dau": "mean", "wau": "last", "mau": "last"}.get(metric, "sum")


def _summarize(rows: list[dict[str, Any]], how: str) -> float:
    values = [float(r["value"] or 0) for r in rows]
    if not values:
        return 0.0
    if how == "mean":
        return sum(values) / len(values)
    if how == "last":
        return values[-1]
    return sum(values)


def _by_breakdown(
    rows: list[dict[str, Any]], q: StructuredQuery, label: str, how: str
) -> tuple[str, list[dict[str, Any]], dict[str, Any]]:
    totals: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        value = row.get("breakdown")
        if value is None and q.limit:
            continue  # "top 3 campaigns": events without a campaign are not one
        totals["(none)" if value is None else str(value)].append(float(row["value"] or 0))
    days = q.days
    ranked: list[dict[str, Any]] = [
        {"breakdown": value, "value": (sum(v) / days if how == "mean" else sum(v))}
        for value, v in totals.items()
    ]
    ranked.sort(key=lambda r: (-float(r["value"]), str(r["breakdown"])))
    shown = ranked[: q.limit] if q.limit else ranked
    whole = sum(r["value"] for r in ranked)
    top = ", ".join(
        f"{r['breakdown']} {_fmt(r['value'], q.metric)} ({_pct(r['value'] / whole) if whole else '0%'})"
        for r in shown[:8]
    )
    average = " (daily average)" if how == "mean" else ""
    head = f"top {len(shown)} " if q.limit else ""
    text = f"{label}{average} by {q.breakdown}, {head}{_during(q.date_from, q.date_to)}: {top}."
    if not ranked:
        text = f"No {label} {_during(q.date_from, q.date_to)}, so there is nothing to break down."
    return text[0].upper() + text[1:], shown, charts.bar(shown, "breakdown", label)


def _aligned(
    rows: list[dict[str, Any]], period: str, like: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """A period's series; the earlier one drawn on the later one's dates (day 1 on day 1)."""
    dates = [r["date"] for r in (like or rows)]
    return [
        {
            "date": dates[i] if i < len(dates) else r["date"],
            "value": r["value"],
            "period": period,
            "day": r["date"],
        }
        for i, r in enumerate(rows)
    ]


def _sentence_label(metric: str, q: StructuredQuery) -> str:
    label = LABELS.get(metric, metric)
    if metric == "dau":
        return "Average daily active users"
    return label


def _no_data(rows: list[dict[str, Any]]) -> str:
    return "" if any(r["value"] for r in rows) else " No events were stored in that period."


def _change(new: float, old: float) -> str:
    if not old:
        return "no earlier value to compare with" if not new else "up from nothing"
    delta = (new - old) / old
    word = "up" if delta > 0 else "down" if delta < 0 else "unchanged"
    return f"{word} {abs(delta):.1%}" if word != "unchanged" else "unchanged"


def _fmt(value: float, metric: str | None = None) -> str:
    if metric in ("revenue",):
        return _money(value)
    if abs(value - round(value)) < 1e-9:
        return f"{int(round(value)):,}"
    return f"{value:,.1f}"


def _money(value: float) -> str:
    return f"${value:,.2f}"


def _pct(share: float) -> str:
    return f"{share:.1%}"


def _where(q: StructuredQuery) -> str:
    return " and ".join(
        f"{f.property} {'is not' if f.negate else 'is'} {' or '.join(f.values)}" for f in q.filters
    )


def _during(start: date, end: date) -> str:
    """ "from Nov 23 to Nov 29, 2026", or "on Sun Nov 29, 2026" for one day."""
    return f"on {start:%a %b %-d, %Y}" if start == end else f"from {_span(start, end)}"


def _span(start: date, end: date) -> str:
    if start == end:
        return f"{start:%a %b %-d, %Y}".replace(" 0", " ")
    return f"{start:%b %-d} to {end:%b %-d, %Y}"


# --- SQL -----------------------------------------------------------------------------------


def sql_of(ran: list[Compiled], dialect: str) -> str | None:
    """The SQL that produced the numbers, values written in place so it runs as shown."""
    texts = [_inline(compiled).sql(dialect=dialect, pretty=True) for compiled in ran]
    return ";\n\n".join(texts) + ";" if texts else None


def _inline(compiled: Compiled) -> exp.Expression:
    def literal(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Placeholder) and node.name in compiled.params:
            return _literal(compiled.params[node.name])
        return node

    return compiled.expression.transform(literal)


def _literal(value: Any) -> exp.Expression:
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    if isinstance(value, datetime):
        return exp.cast(exp.Literal.string(value.isoformat(sep=" ")), exp.DataType.Type.TIMESTAMP)
    if isinstance(value, date):
        return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.Type.DATE)
    return exp.Literal.string(str(value))
