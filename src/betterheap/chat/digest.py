""" "How are we doing?": the key metrics of the last complete week against the week before,
each change flagged when it is more than noise.

Counts (new users, sign-ups, orders) are tested as Poisson counts (z of the difference);
daily averages (DAU) and revenue with Welch's t over the 7 daily values; conversion with a
two-proportion z-test. ``significant`` means |z| or |t| ≥ 1.96 (about 5 % by chance).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping
from datetime import date
from typing import Any, Final

from betterheap.chat.semantic import Vocabulary
from betterheap.insights import service
from betterheap.store.protocol import EventStore
from betterheap.taxonomy.plan import Action

SIGNIFICANT: Final = 1.96
#: Events worth a line in the digest when the project has them, with their label.
KEY_EVENTS: Final = (
    ("signed_up", "Sign-ups"),
    ("order_completed", "Orders"),
    ("subscription_started", "Subscriptions"),
)


def digest(
    store: EventStore,
    project_id: int,
    vocab: Vocabulary,
    week: tuple[date, date],
    before: tuple[date, date],
    actions: Mapping[str, Action],
) -> tuple[str, list[dict[str, Any]]]:
    """The digest's paragraph and its rows ``{metric, this_week, week_before, change,
    test, significant}``."""
    rows: list[dict[str, Any]] = []

    def daily(name: str, span: tuple[date, date]) -> list[float]:
        return [float(r["value"] or 0) for r in service.metric(store, project_id, name, span[0], span[1])]

    dau_now, dau_then = daily("dau", week), daily("dau", before)
    rows.append(_welch("Average daily active users", dau_now, dau_then, statistics.fmean))
    new_now, new_then = sum(daily("new_users", week)), sum(daily("new_users", before))
    rows.append(_poisson("New users", new_now, new_then))
    for event, label in KEY_EVENTS:
        if event in vocab.event_names:
            now = service.totals(store, project_id, event, week[0], week[1], actions)["events"]
            then = service.totals(store, project_id, event, before[0], before[1], actions)["events"]
            rows.append(_poisson(label, now, then))
    revenue_now, revenue_then = daily("revenue", week), daily("revenue", before)
    if any(revenue_now) or any(revenue_then):
        rows.append(_welch("Revenue", revenue_now, revenue_then, sum, money=True))
    funnel = vocab.funnels.get("checkout")
    if funnel:
        now_f = service.funnel(store, project_id, list(funnel), 7 * 86_400, week[0], week[1], actions=actions)
        then_f = service.funnel(
            store, project_id, list(funnel), 7 * 86_400, before[0], before[1], actions=actions
        )
        rows.append(_proportion("Checkout conversion", now_f, then_f))
    lines = [
        f"{r['metric']}: {r['shown_now']} vs {r['shown_then']} ({r['change']})"
        + (" — significant" if r["significant"] else "")
        for r in rows
    ]
    moved = [r["metric"] for r in rows if r["significant"]]
    head = f"The week of {week[0]:%b %-d} to {week[1]:%b %-d, %Y} against the week before: "
    verdict = (
        f"{', '.join(moved)} changed more than noise would explain."
        if moved
        else "no change beyond normal noise."
    )
    return head + verdict + "\n" + "\n".join(f"- {line}" for line in lines), rows


def _row(
    metric: str, now: float, then: float, test: str, score: float, money: bool = False, pct: bool = False
) -> dict[str, Any]:
    def show(value: float) -> str:
        if pct:
            return f"{value:.1%}"
        if money:
            return f"${value:,.2f}"
        return f"{value:,.0f}" if abs(value - round(value)) < 0.05 or value >= 100 else f"{value:,.1f}"

    change = "n/a" if not then else f"{(now - then) / then:+.1%}"
    return {
        "metric": metric,
        "this_week": round(now, 4),
        "week_before": round(then, 4),
        "shown_now": show(now),
        "shown_then": show(then),
        "change": change,
        "test": test,
        "score": round(score, 2),
        "significant": abs(score) >= SIGNIFICANT,
    }


def _poisson(metric: str, now: float, then: float) -> dict[str, Any]:
    score = (now - then) / math.sqrt(now + then) if now + then else 0.0
    return _row(metric, now, then, "poisson z", score)


def _welch(metric: str, now: list[float], then: list[float], how: Any, money: bool = False) -> dict[str, Any]:
    spread = (
        math.sqrt(statistics.variance(now) / len(now) + statistics.variance(then) / len(then))
        if len(now) > 1 and len(then) > 1
        else 0.0
    )
    score = (statistics.fmean(now) - statistics.fmean(then)) / spread if spread else 0.0
    return _row(metric, how(now) if now else 0.0, how(then) if then else 0.0, "welch t", score, money)


def _proportion(metric: str, now: list[dict[str, Any]], then: list[dict[str, Any]]) -> dict[str, Any]:
    a_n, a_k = now[0]["count"], now[-1]["count"]
    b_n, b_k = then[0]["count"], then[-1]["count"]
    p_a = a_k / a_n if a_n else 0.0
    p_b = b_k / b_n if b_n else 0.0
    pooled = (a_k + b_k) / (a_n + b_n) if a_n + b_n else 0.0
    spread = math.sqrt(pooled * (1 - pooled) * (1 / a_n + 1 / b_n)) if a_n and b_n and 0 < pooled < 1 else 0.0
    score = (p_a - p_b) / spread if spread else 0.0
    return _row(metric, p_a, p_b, "two-proportion z", score, pct=True)
