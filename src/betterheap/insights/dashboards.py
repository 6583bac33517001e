"""The pre-built dashboards: Overview, Acquisition, Funnel, Retention, Revenue, Engagement and
Data quality. Each is a list of panels; a panel is an insight (:mod:`.builder`, so it opens
in the builder as it is) or one of a few computed views (week-over-week tiles, stickiness,
the data-quality report). Panels are computed one by one, so a page can ask for them side
by side and draw each as it arrives.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Final, Literal

from betterheap.insights import builder, charts, service
from betterheap.insights.builder import Insight
from betterheap.store.protocol import EventStore
from betterheap.taxonomy.plan import TrackingPlan

#: Events that make a product's key path, in the order people go through them; a project's
#: first-day funnel is the ones it has (at most five).
KEY_STEPS: Final = (
    "signup_started",
    "signed_up",
    "activated",
    "product_viewed",
    "product_added",
    "checkout_started",
    "order_completed",
    "subscription_started",
)
MAX_FUNNEL_STEPS: Final = 5
#: Report columns quoting values as sent (a violation's example: ``email = 'jane@…'``).
PERSONAL_COLUMNS: Final = ("example",)
VIOLATION_COLUMNS: Final = ["event", "property", "kind", "outcome", "events", "example"]
UNPLANNED_COLUMNS: Final = ["event", "names", "events", "quarantined"]
TOP_EVENTS: Final = 15


@dataclass(frozen=True)
class Context:
    """What every panel of one dashboard view shares."""

    store: EventStore
    project_id: int
    date_from: date
    date_to: date
    actions: service.Actions
    plan: TrackingPlan | None
    plan_version: int
    #: Events received in the range with their counts, most frequent first.
    events: dict[str, int]
    _memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    _locks: dict[str, threading.Lock] = field(default_factory=dict, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def once(self, key: str, compute: Callable[[], Any]) -> Any:
        """``compute()`` the first time ``key`` is asked for; panels computed side by side
        (one request each) share it instead of running the same query twice."""
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._memo:
                self._memo[key] = compute()
            return self._memo[key]

    def metric(self, name: str) -> list[dict[str, Any]]:
        """Core metric ``name`` per day over the range and at least the 14 days the
        week-over-week tiles compare."""
        start = min(self.date_from, self.date_to - timedelta(days=13))
        rows: list[dict[str, Any]] = self.once(
            f"metric:{name}", lambda: service.metric(self.store, self.project_id, name, start, self.date_to)
        )
        return rows


@dataclass
class Shown:
    """A computed panel: a chart (Vega-Lite), tiles, a table, or a message."""

    kind: Literal["chart", "tiles", "table", "message"]
    spec: dict[str, Any] | None = None
    tiles: list[dict[str, Any]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    text: str = ""
    #: Columns that may quote values as sent (personal data): for roles with PII access only.
    personal: tuple[str, ...] = ()

    def for_role(self, pii_access: bool) -> Shown:
        """This panel as someone without PII access may see it (the personal columns gone)."""
        if pii_access or not self.personal:
            return self
        kept = [i for i, c in enumerate(self.columns) if c not in self.personal]
        return replace(
            self,
            columns=[self.columns[i] for i in kept],
            rows=[[row[i] for i in kept] for row in self.rows],
            personal=(),
        )


@dataclass(frozen=True)
class Panel:
    title: str
    #: An insight over the dashboard's range, or a computed view.
    insight: Insight | None = None
    view: Callable[[Context], Shown] | None = None
    full: bool = False
    note: str = ""

    def show(self, context: Context) -> Shown:
        if self.view is not None:
            return self.view(context)
        assert self.insight is not None
        insight = self.insight
        plain = not (insight.breakdown or insight.filters or insight.people_who or insight.compare)
        if insight.kind == "metric" and plain and insight.metric:
            since = context.date_from.isoformat()
            rows = [r | {"date": str(r["date"])} for r in context.metric(insight.metric)]
            result = builder.Result(insight, self.title, [r for r in rows if r["date"] >= since], None,
                                    context.date_from, context.date_to)  # fmt: skip
            result.spec = builder.chart(result)
        else:
            result = builder.run(
                context.store, context.project_id, insight, context.actions, self.window(context)
            )
        if result.spec is None:
            return Shown("message", text="No data in this range yet.")
        return Shown("chart", spec=result.spec)

    def window(self, context: Context) -> tuple[date, date]:
        if self.insight is not None and self.insight.kind == "retention":
            # Cohorts need room to be seen returning: the range plus the periods after it.
            week = self.insight.period == "week"
            periods = self.insight.periods or (12 if week else 30)
            return context.date_from - timedelta(days=periods * (7 if week else 1)), context.date_to
        return context.date_from, context.date_to


class Contexts:
    """Contexts reused for ``seconds`` by the panels of one visit (each panel is its own
    request), keyed by project, range and plan version."""

    def __init__(self, seconds: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds, self._clock = seconds, clock
        self._kept: dict[tuple[Any, ...], tuple[float, Context]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...], make: Callable[[], Context]) -> Context:
        now = self._clock()
        with self._lock:
            for stale in [k for k, (at, _) in self._kept.items() if now - at >= self.seconds]:
                del self._kept[stale]
            if key in self._kept:
                return self._kept[key][1]
        made = make()
        with self._lock:
            self._kept[key] = (now, made)
        return made


def context(
    store: EventStore,
    project_id: int,
    date_from: date | None,
    date_to: date | None,
    days: int,
    actions: service.Actions,
    plan: TrackingPlan | None,
    plan_version: int,
) -> Context:
    if date_from is None or date_to is None:
        date_to = service.resolve_range(store, project_id, None, None).date_to
        date_from = date_to - timedelta(days=days - 1)
    totals: dict[str, int] = {}
    for row in service.trend(store, project_id, None, "count", None, "month", date_from, date_to, "event"):
        totals[row["breakdown"]] = totals.get(row["breakdown"], 0) + int(row["value"] or 0)
    ranked = dict(sorted(totals.items(), key=lambda item: -item[1]))
    return Context(store, project_id, date_from, date_to, actions, plan, plan_version, ranked)


#: What a first-day funnel ends with, by preference: the project's goal.
GOALS: Final = ("order_completed", "subscription_started", "checkout_started", "activated", "signed_up")


def key_steps(events: dict[str, int]) -> list[str]:
    """The key steps the project has, ending at its goal (at most ``MAX_FUNNEL_STEPS``).
    Products differ in what comes first (browse then sign up, or the reverse), so the steps
    before the goal are ordered by how often they happen: a funnel narrows.

    >>> key_steps({"signed_up": 5, "product_viewed": 9, "order_completed": 2, "subscription_started": 1})
    ['product_viewed', 'signed_up', 'order_completed']
    """
    goal = next((g for g in GOALS if events.get(g)), None)
    if goal is None:
        return []
    before = [s for s in KEY_STEPS if s != goal and events.get(s) and s != "subscription_started"]
    ranked = sorted(before, key=lambda s: -events[s])[: MAX_FUNNEL_STEPS - 1]
    return [*ranked, goal]


# --- computed views ---------------------------------------------------------------------


def _change(now: float, then: float) -> float | None:
    return (now - then) / then if then else None


def _tile(label: str, now: float, then: float | None, fmt: str, note: str = "") -> dict[str, Any]:
    change = _change(now, then) if then is not None else None
    return {"label": label, "value": now, "previous": then, "change": change, "format": fmt, "note": note}


def week_over_week(context: Context) -> Shown:
    """The last 7 days of the range against the 7 before: active users, new users, revenue
    and the key conversion."""
    end = context.date_to
    start = end - timedelta(days=13)

    def series(name: str) -> list[float]:
        return [float(r["value"] or 0) for r in context.metric(name)[-14:]]

    dau, wau, mau = series("dau"), series("wau"), series("mau")
    new, revenue = series("new_users"), series("revenue")
    tiles = [
        _tile("Avg daily active users", sum(dau[7:]) / 7, sum(dau[:7]) / 7, "int"),
        _tile("Weekly active users", wau[-1], wau[6], "int"),
        _tile("Monthly active users", mau[-1], mau[6], "int"),
        _tile("New users", sum(new[7:]), sum(new[:7]), "int"),
        _tile("Revenue", sum(revenue[7:]), sum(revenue[:7]), "money"),
    ]
    steps = key_steps(context.events)
    if len(steps) >= 2:
        rates = []
        for span in ((end - timedelta(days=6), end), (start, end - timedelta(days=7))):
            rows = service.funnel(context.store, context.project_id, [steps[0], steps[-1]], 7 * 86_400,
                                  span[0], span[1], first_day=True, actions=context.actions)  # fmt: skip
            rates.append(float(rows[-1]["conversion_from_start"] or 0))
        tiles.append(
            _tile("First-day conversion", rates[0], rates[1], "percent", f"{steps[0]} → {steps[-1]}")
        )
    return Shown("tiles", tiles=tiles)


def stickiness(context: Context) -> Shown:
    """DAU / MAU per day: the share of the month's users who come on a given day."""
    since = context.date_from.isoformat()
    dau = [r for r in context.metric("dau") if str(r["date"]) >= since]
    mau = [r for r in context.metric("mau") if str(r["date"]) >= since]
    rows = [
        {"date": str(d["date"]), "value": (d["value"] or 0) / m["value"] if m["value"] else 0.0}
        for d, m in zip(dau, mau, strict=True)
    ]
    return Shown("chart", spec=charts.line(rows, "DAU / MAU", fmt=".1%"))


def top_events(context: Context) -> Shown:
    rows = [{"event": name, "value": count} for name, count in list(context.events.items())[:TOP_EVENTS]]
    if not rows:
        return Shown("message", text="No events in this range yet.")
    return Shown("chart", spec=charts.bar(rows, "event", "events"))


def totals_by(breakdown: str, measure: Literal["count", "sum"], event: str | None = None,
              prop: str | None = None, label: str = "events", fmt: str = ",.0f",
              metric: str | None = None) -> Callable[[Context], Shown]:  # fmt: skip
    """A bar per value of ``breakdown``: the range's total (new users, revenue, events)."""

    def view(context: Context) -> Shown:
        if metric is not None:
            rows = service.metric(context.store, context.project_id, metric, context.date_from,
                                  context.date_to, breakdown)  # fmt: skip
        else:
            rows = service.trend(context.store, context.project_id, event, measure, prop, "month",
                                 context.date_from, context.date_to, breakdown, context.actions)  # fmt: skip
        sums: dict[str, float] = {}
        for row in rows:
            key = "(none)" if row["breakdown"] is None else str(row["breakdown"])
            sums[key] = sums.get(key, 0.0) + float(row["value"] or 0)
        ranked = sorted(sums.items(), key=lambda item: -item[1])[: builder.TOP_VALUES]
        if not ranked:
            return Shown("message", text="No data in this range yet.")
        values = [{breakdown: key, "value": value} for key, value in ranked]
        return Shown("chart", spec=charts.bar(values, breakdown, label, fmt))

    return view


def _quality(context: Context) -> dict[str, Any]:
    from betterheap.query.ir import DateRange
    from betterheap.tracking_plan.quality import quality_report

    days = DateRange(context.date_from, context.date_to)
    report: dict[str, Any] = context.once(
        "quality",
        lambda: quality_report(context.store, context.project_id, context.plan, days, context.plan_version),
    )
    return report


def quality_tiles(context: Context) -> Shown:
    report = _quality(context)
    tiles = [
        _tile("Received", report["received"], None, "int"),
        _tile("Stored", report["stored"], None, "int"),
        _tile("Quarantined", report["quarantined"], None, "int", "held for review, never dropped"),
        _tile("Filtered", report["filtered"], None, "int", "bots, internal, tests"),
    ]
    for key, label in (
        ("naming_consistency", "Naming consistency"),
        ("schema_pass_rate", "Schema pass rate"),
    ):
        if report[key] is not None:
            sent = report[f"{key}_as_sent"]
            note = f"{sent:.1%} as sent" if sent is not None else ""
            tiles.append(_tile(label, report[key], None, "percent", note))
    fixed = report["fixed_by_plan"]
    tiles.append(_tile("Fixed by the plan", sum(fixed.values()), None, "int",
                       f"{fixed['renamed']:,} renamed, {fixed['coerced']:,} converted"))  # fmt: skip
    return Shown("tiles", tiles=tiles)


def quality_table(key: str, columns: list[str] | None = None) -> Callable[[Context], Shown]:
    """A list from the data-quality report as a table (``columns``: all when None)."""

    def view(context: Context) -> Shown:
        rows = _quality(context)[key]
        if not rows:
            return Shown("message", text="Nothing to show: clean.")
        shown = columns or list(rows[0])
        table = [[row.get(c) for c in shown] for row in rows]
        return Shown("table", columns=shown, rows=table, personal=PERSONAL_COLUMNS)

    return view


def filtered_by_reason(context: Context) -> Shown:
    reasons = _quality(context)["filtered_by_reason"]
    if not reasons:
        return Shown("message", text="Nothing filtered in this range.")
    rows = [{"reason": reason, "value": count} for reason, count in reasons.items()]
    return Shown("chart", spec=charts.bar(rows, "reason", "events"))


# --- the dashboards -----------------------------------------------------------------------


def _funnel_panels(context: Context) -> list[Panel]:
    steps = key_steps(context.events)
    if len(steps) < 2:
        message = Panel("First-day funnel", view=lambda _: Shown(
            "message", text="Not enough key events yet for a funnel: build one in the insight builder."),
            full=True)  # fmt: skip
        return [message]
    first_day = Insight(kind="funnel", steps=steps, first_day=True, window="1d")
    return [
        Panel("First-day funnel", first_day, full=True,
              note="People whose first day falls in the range, and the steps they took that day."),
        Panel("First-day funnel by channel", first_day.model_copy(update={"breakdown": "channel"})),
        Panel("First-day funnel by device", first_day.model_copy(update={"breakdown": "device_type"})),
        Panel("Conversion within 14 days", Insight(kind="funnel", steps=steps, window="14d"), full=True,
              note="Everyone who did the first step in the range, converting within 14 days."),
    ]  # fmt: skip


def panels(name: str, context: Context) -> list[Panel]:
    """The panels of pre-built dashboard ``name`` for this project and range."""
    revenue = Insight(kind="metric", metric="revenue")
    if name == "overview":
        return [
            Panel("This week against the week before", view=week_over_week, full=True,
                  note="The last 7 days of the range against the 7 days before."),
            Panel("Daily active users", Insight(kind="metric", metric="dau")),
            Panel("Monthly active users", Insight(kind="metric", metric="mau")),
            Panel("New users", Insight(kind="metric", metric="new_users")),
            Panel("Revenue", revenue),
        ]  # fmt: skip
    if name == "acquisition":
        return [
            Panel("New users by channel", Insight(kind="metric", metric="new_users", breakdown="channel"),
                  full=True),
            Panel("New users by channel, in all", view=totals_by("channel", "count", metric="new_users",
                                                                   label="new users")),
            Panel("New users by country, in all", view=totals_by("country", "count", metric="new_users",
                                                                   label="new users")),
            Panel("New users by source", view=totals_by("utm_source", "count", metric="new_users",
                                                          label="new users")),
            Panel("New users by device", view=totals_by("device_type", "count", metric="new_users",
                                                          label="new users")),
        ]  # fmt: skip
    if name == "funnel":
        return _funnel_panels(context)
    if name == "retention":
        return [
            Panel("Retention of new users, D1–D30", Insight(kind="retention", periods=30), full=True,
                  note="Cohorts by first day; each cell the share who came back that many days later."),
            Panel("Weekly retention", Insight(kind="retention", period="week", periods=8), full=True),
        ]  # fmt: skip
    if name == "revenue":
        return [
            Panel("Revenue by day", revenue, full=True),
            Panel("Revenue by country", view=totals_by("country", "sum", prop="revenue", label="revenue",
                                                         fmt=",.2f")),
            Panel("Revenue by type", view=totals_by("revenue_type", "sum", prop="revenue", label="revenue",
                                                      fmt=",.2f")),
            Panel("Revenue by channel", view=totals_by("channel", "sum", prop="revenue", label="revenue",
                                                         fmt=",.2f")),
            Panel("Paying people per day", Insight(kind="trend", event="order_completed",
                                                   measure="unique_users")),
        ]  # fmt: skip
    if name == "engagement":
        return [
            Panel("Top events", view=top_events),
            Panel("Stickiness (DAU / MAU)", view=stickiness),
            Panel("Weekly active users", Insight(kind="metric", metric="wau")),
            Panel("Active users by device", Insight(kind="metric", metric="dau", breakdown="device_type")),
        ]  # fmt: skip
    if name == "quality":
        return [
            Panel("Data quality", view=quality_tiles, full=True,
                  note="Share of stored events named and shaped as the plan says; as sent = before the plan fixed them."),  # noqa: E501
            Panel("Top schema violations", view=quality_table("top_violations", VIOLATION_COLUMNS),
                  full=True),
            Panel("Unplanned events", view=quality_table("unplanned_events", UNPLANNED_COLUMNS)),
            Panel("Filtered, by reason", view=filtered_by_reason),
            Panel("Stale events (planned, not seen)", view=quality_table("stale_events")),
        ]  # fmt: skip
    raise LookupError(f"no dashboard {name!r}; dashboards: {', '.join(DASHBOARDS)}")


DASHBOARDS: Final = {
    "overview": "Overview",
    "acquisition": "Acquisition",
    "funnel": "Funnel",
    "retention": "Retention",
    "revenue": "Revenue",
    "engagement": "Engagement",
    "quality": "Data quality",
}
