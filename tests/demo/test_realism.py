"""Growth, weekly rhythm, funnels, retention, revenue and the planted incidents."""

from __future__ import annotations

import collections
from datetime import date, timedelta
from typing import Any

from betterheap.demo import STORY
from betterheap.demo.catalog import PLATFORM_BY_USER_AGENT
from tests.demo.conftest import END

FUNNEL = ("product_viewed", "product_added", "checkout_started", "order_completed")


def _daily_actives(messages: list[dict[str, Any]]) -> dict[date, int]:
    people: dict[date, set[str]] = collections.defaultdict(set)
    for message in messages:
        if "anonymousId" in message:
            people[date.fromisoformat(message["timestamp"][:10])].add(message["anonymousId"])
    return {day: len(ids) for day, ids in sorted(people.items())}


def test_daily_actives_grow_about_forty_percent(messages: list[dict[str, Any]]) -> None:
    actives = list(_daily_actives(messages).values())
    growth = sum(actives[-7:]) / sum(actives[:7])
    assert 1.2 < growth < 1.7


def test_buyers_peak_on_sunday_and_sellers_work_weekdays(messages: list[dict[str, Any]]) -> None:
    by_weekday: dict[str, collections.Counter[int]] = collections.defaultdict(collections.Counter)
    for message in messages:
        event = message.get("event")
        role = (
            "seller"
            if event in ("listing_updated", "order_shipped")
            else ("buyer" if event == "product_viewed" else None)
        )
        if role:
            by_weekday[role][date.fromisoformat(message["timestamp"][:10]).weekday()] += 1
    buyers, sellers = by_weekday["buyer"], by_weekday["seller"]
    assert buyers[6] > 1.1 * (buyers[1] + buyers[2]) / 2
    assert sellers[5] < 0.85 * (sellers[1] + sellers[2]) / 2


def test_funnel_steps_happen_in_order_within_a_visit(messages: list[dict[str, Any]]) -> None:
    reached: dict[str, set[str]] = collections.defaultdict(set)
    counts: collections.Counter[str] = collections.Counter()
    for message in messages:
        event = message.get("event")
        if event not in FUNNEL:
            continue
        session = message["context"]["sessionId"]
        step = FUNNEL.index(event)
        if step:
            assert FUNNEL[step - 1] in reached[session], f"{event} without earlier step"
        if event not in reached[session]:
            counts[event] += 1
        reached[session].add(event)
    rates = [counts[b] / counts[a] for a, b in zip(FUNNEL, FUNNEL[1:], strict=False)]
    assert 0.15 < rates[0] < 0.35 and 0.3 < rates[1] < 0.6 and 0.5 < rates[2] < 0.8


def test_buyer_cohorts_retain_like_a_marketplace(messages: list[dict[str, Any]]) -> None:
    first: dict[str, date] = {}
    active: dict[str, set[date]] = collections.defaultdict(set)
    for message in messages:
        if "anonymousId" in message:
            day = date.fromisoformat(message["timestamp"][:10])
            first.setdefault(message["anonymousId"], day)
            active[message["anonymousId"]].add(day)
    start = END - timedelta(days=89)
    cohort = [a for a, day in first.items() if 45 <= (day - start).days < 60]
    d1, d7, d28 = (
        sum(first[a] + timedelta(days=k) in active[a] for a in cohort) / len(cohort)
        for k in (1, 7, 28)
    )
    assert 0.2 < d1 < 0.4 and 0.09 < d7 < 0.22 and 0.04 < d28 < 0.12 and d1 > d7 > d28


def test_revenue_of_all_three_types(messages: list[dict[str, Any]]) -> None:
    revenue: collections.Counter[str] = collections.Counter()
    for message in messages:
        properties = message.get("properties", {})
        if "revenue" in properties:
            revenue[f"{message['event']}:{properties['revenue_type']}"] += 1
    assert set(revenue) == {
        "order_completed:purchase",
        "subscription_started:subscription",
        "subscription_renewed:subscription",
        "ad_campaign_purchased:ads",
    }


def _segment_counts(messages: list[dict[str, Any]], event: str) -> collections.Counter[Any]:
    """``event`` per (day, in the outage segment); ``"Sign up"`` counts those page views."""
    incident = STORY.signup_outage
    counts: collections.Counter[Any] = collections.Counter()
    for message in messages:
        name = message.get("event") or message.get("name")
        if name != event:
            continue
        platform = PLATFORM_BY_USER_AGENT[message["context"]["userAgent"]]
        in_segment = incident.hits(
            message["context"]["location"]["country"], platform.os, platform.browser
        )
        counts[message["timestamp"][:10], in_segment] += 1
    return counts


def test_the_outage_segment_is_all_ios_in_the_us() -> None:
    incident = STORY.signup_outage
    assert (incident.country, incident.os, incident.browser) == ("US", "iOS", None)
    ios = [p for p in PLATFORM_BY_USER_AGENT.values() if p.os == "iOS"]
    assert {p.browser for p in ios} == {"Safari", "Chrome"}
    assert all(incident.hits("US", p.os, p.browser) for p in ios)
    assert not incident.hits("CA", "iOS", "Safari") and not incident.hits("US", "macOS", "Safari")


def test_planted_signup_outage_is_in_the_raw_payloads(messages: list[dict[str, Any]]) -> None:
    day = STORY.signup_outage.on(END)
    assert day.weekday() == 1 and 57 <= (day - (END - timedelta(days=89))).days <= 63
    key = day.isoformat()
    signed_up = _segment_counts(messages, "signed_up")
    started = _segment_counts(messages, "signup_started")
    pages = _segment_counts(messages, "Sign up")
    days = sorted({d for d, _ in signed_up})
    other_days = [d for d in days if d != key]
    # The segment: no sign-ups that day, though it normally signs up every day ...
    assert signed_up[key, True] == 0
    assert sum(signed_up[d, True] for d in other_days) / len(other_days) > 5
    # ... while it starts signing up (and views /join) as usual: the cause is findable.
    started_usual = sum(started[d, True] for d in other_days) / len(other_days)
    assert started[key, True] > 0.6 * started_usual
    assert pages[key, True] >= started[key, True]
    # Everyone else signs up as usual.
    normal = sum(signed_up[d, False] for d in other_days) / len(other_days)
    assert signed_up[key, False] > 0.6 * normal
    started_normal = sum(started[d, False] for d in other_days) / len(other_days)
    assert started[key, False] > 0.6 * started_normal


def test_overall_signups_drop_sharply_on_the_outage_day(messages: list[dict[str, Any]]) -> None:
    """The overall sign-up chart shows it: >= 25 % below the 3 previous Tuesdays."""
    day = STORY.signup_outage.on(END)
    signed_up = collections.Counter(
        m["timestamp"][:10] for m in messages if m.get("event") == "signed_up"
    )
    prior = [signed_up[(day - timedelta(weeks=k)).isoformat()] for k in (1, 2, 3)]
    assert signed_up[day.isoformat()] <= 0.75 * sum(prior) / 3
    # US iOS is the largest sign-up segment: the reason one broken form moves the total.
    segment = _segment_counts(messages, "signed_up")
    share = sum(n for (_, in_segment), n in segment.items() if in_segment) / sum(segment.values())
    assert 0.35 < share < 0.5


def test_spring_sale_email_spikes_visits_and_orders(messages: list[dict[str, Any]]) -> None:
    day = STORY.email_campaign.on(END)
    actives = _daily_actives(messages)
    week_before = [actives[day - timedelta(days=k)] for k in range(1, 8)]
    assert actives[day] > 1.2 * sum(week_before) / 7
    sale = [m for m in messages if m["context"].get("campaign", {}).get("name") == "spring_sale"]
    assert sale and {m["timestamp"][:10] for m in sale} == {day.isoformat()}
