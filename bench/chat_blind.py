"""A blind question set for the analytics chat: natural phrasings (terse analysts, chatty PMs,
execs) written from the user-facing docs only, without reading the parser, its tests or the
earlier question sets. Expected queries and periods were worked out by hand from the product's
conventions (today = Monday 2026-11-09 unless stated; weeks start on Monday).

Run: ``.venv/bin/python -m bench.chat_blind --data-dir DIR [--show wrong|all|none]``.
"""

from __future__ import annotations

import argparse
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.chat_questions import CAMPAIGN, OUTAGE, TODAY, Case, run_set

Span = tuple[date, date]

# --- periods, by hand, relative to TODAY = Mon 2026-11-09 ---------------------------------
YESTERDAY: Span = (date(2026, 11, 8), date(2026, 11, 8))
TODAY_ONLY: Span = (date(2026, 11, 9), date(2026, 11, 9))
THIS_WEEK: Span = (date(2026, 11, 9), date(2026, 11, 9))
LAST_WEEK: Span = (date(2026, 11, 2), date(2026, 11, 8))
WEEK_BEFORE: Span = (date(2026, 10, 26), date(2026, 11, 1))
LAST_7: Span = (date(2026, 11, 3), date(2026, 11, 9))
LAST_14: Span = (date(2026, 10, 27), date(2026, 11, 9))
LAST_30: Span = (date(2026, 10, 11), date(2026, 11, 9))
LAST_90: Span = (date(2026, 8, 12), date(2026, 11, 9))
THIS_MONTH: Span = (date(2026, 11, 1), date(2026, 11, 9))
OCTOBER: Span = (date(2026, 10, 1), date(2026, 10, 31))
SEPTEMBER: Span = (date(2026, 9, 1), date(2026, 9, 30))
Q3: Span = (date(2026, 7, 1), date(2026, 9, 30))
SINCE_NOV_1: Span = (date(2026, 11, 1), date(2026, 11, 9))
OCT_5_TO_11: Span = (date(2026, 10, 5), date(2026, 10, 11))
OCT_20: Span = (date(2026, 10, 20), date(2026, 10, 20))
DEFAULT: Span = (date(2026, 10, 10), date(2026, 11, 8))  # no period: last 30 complete days

# Asked on another day: Wednesday 2026-10-21.
WED = date(2026, 10, 21)
WED_LAST_WEEK: Span = (date(2026, 10, 12), date(2026, 10, 18))
WED_THIS_MONTH: Span = (date(2026, 10, 1), date(2026, 10, 21))

CHECKOUT = ["product_viewed", "product_added", "checkout_started", "order_completed"]
SIGNUP = ["signup_started", "signed_up"]

assert TODAY == date(2026, 11, 9) and OUTAGE == date(2026, 11, 3) and CAMPAIGN == date(2026, 11, 12)


def _dates(span: Span) -> dict[str, str]:
    return {"date_from": span[0].isoformat(), "date_to": span[1].isoformat()}


def _compare(span: Span) -> dict[str, str]:
    return {"compare_from": span[0].isoformat(), "compare_to": span[1].isoformat()}


def metric(
    question: str,
    name: str,
    span: Span,
    *,
    where: list[tuple[str, str]] | None = None,
    gold: bool = True,
    today: date = TODAY,
    **extra: Any,
) -> Case:
    """A metric question; the gold number is computed when the metric has one in ``gold()``."""
    number = None
    if gold and name in ("dau", "wau", "mau", "new_users", "revenue"):
        number = (name, {"span": span, **({"where": where} if where else {})})
    expect = {"kind": "metric", "metric": name, **_dates(span), **extra}
    return Case(question, expect, number, ("metric",), today)


def event(
    question: str,
    name: str,
    span: Span,
    *,
    unique: bool = False,
    where: list[tuple[str, str]] | None = None,
    gold: bool = True,
    today: date = TODAY,
    **extra: Any,
) -> Case:
    """An event question (count, or unique people with ``unique``)."""
    number = None
    if gold:
        params: dict[str, Any] = {"event": name, "span": span}
        if where:
            params["where"] = where
        number = ("unique" if unique else "count", params)
    measure = "unique_users" if unique else "count"
    expect = {"kind": "event", "event": name, "measure": measure, **_dates(span), **extra}
    return Case(question, expect, number, ("event",), today)


def top(question: str, name: str, dim: str, span: Span, limit: int | None = None) -> Case:
    """A breakdown of an event's count; the gold is the largest value and its count."""
    expect: dict[str, Any] = {"kind": "event", "event": name, "breakdown": dim, **_dates(span)}
    if limit is not None:
        expect["limit"] = limit
    return Case(question, expect, ("top", {"event": name, "dim": dim, "span": span}), ("event",))


def clarify(question: str) -> Case:
    return Case(question, "clarify", tags=("clarify",))


def refused(question: str) -> Case:
    return Case(question, "refused", tags=("pii",))


BLIND: list[Case] = [
    # --- metrics ---------------------------------------------------------------------------
    metric("dau yesterday", "dau", YESTERDAY),
    metric("How many daily actives did we average last week?", "dau", LAST_WEEK),
    metric("what's our WAU", "wau", DEFAULT),
    metric("MAU for October pls", "mau", OCTOBER),
    metric("new users this month?", "new_users", THIS_MONTH),
    metric("how many new users did we pick up in September", "new_users", SEPTEMBER),
    metric("Topline revenue for October?", "revenue", OCTOBER),
    metric("GMV past two weeks", "revenue", LAST_14),
    metric("total sales since Nov 1", "revenue", SINCE_NOV_1),
    metric("Q3 GMV", "revenue", Q3),
    metric("ARPU last month", "arpu", OCTOBER),
    metric("what was revenue per user in September?", "arpu", SEPTEMBER),
    metric("DAU today", "dau", TODAY_ONLY),
    metric("daily active users this week", "dau", THIS_WEEK),
    metric("daily active users on mobile last week", "dau", LAST_WEEK, where=[("device_type", "Mobile")]),
    metric("revenue from the US last month", "revenue", OCTOBER, where=[("country", "US")]),
    metric("sales in Canada over the last 7 days", "revenue", LAST_7, where=[("country", "CA")]),
    metric(
        "Can you pull revenue for last week vs the week before?",
        "revenue",
        LAST_WEEK,
        **_compare(WEEK_BEFORE),
    ),
    metric("DAU last week, week over week", "dau", LAST_WEEK, **_compare(WEEK_BEFORE)),
    # Breakdowns of a metric: gold() has no per-group number for metrics (its "dau"/"revenue" are
    # whole-period totals), so only the structured query is checked.
    metric("revenue by country last month", "revenue", OCTOBER, gold=False, breakdown="country"),
    metric("DAU per device type last week", "dau", LAST_WEEK, gold=False, breakdown="device_type"),
    metric("DAU among sellers last month", "dau", OCTOBER, gold=False, people_who="shop_opened"),
    metric("revenue this month", "revenue", WED_THIS_MONTH, today=WED),
    # --- events ----------------------------------------------------------------------------
    event("signups yesterday", "signed_up", YESTERDAY),
    event("how many registrations last week?", "signed_up", LAST_WEEK),
    event("Where are we on signups this month?", "signed_up", THIS_MONTH),
    event("# of orders last 30 days", "order_completed", LAST_30),
    event("purchases in October", "order_completed", OCTOBER),
    event("Hey, quick one - how many orders did we get yesterday?", "order_completed", YESTERDAY),
    event("orders over the last 90 days", "order_completed", LAST_90),
    event("checkouts this week", "checkout_started", THIS_WEEK),
    event("searches between Oct 5 and Oct 11", "search_performed", OCT_5_TO_11),
    event("add to cart count, last 7 days", "product_added", LAST_7),
    event("product views on Oct 20", "product_viewed", OCT_20),
    event("how many subscriptions were started last month?", "subscription_started", OCTOBER),
    event("shops opened in October", "shop_opened", OCTOBER),
    event("listings created in the last 30 days", "listing_created", LAST_30),
    event("signup starts yesterday", "signup_started", YESTERDAY),
    event("signups last week", "signed_up", WED_LAST_WEEK, today=WED),
    event("how many people signed up last week", "signed_up", LAST_WEEK, unique=True),
    event("how many different users placed an order in October?", "order_completed", OCTOBER, unique=True),
    event("number of unique users who searched yesterday", "search_performed", YESTERDAY, unique=True),
    event(
        "how many users added something to their cart this month", "product_added", THIS_MONTH, unique=True
    ),
    # filters
    event("orders from Germany last month", "order_completed", OCTOBER, where=[("country", "DE")]),
    event("iOS signups last week", "signed_up", LAST_WEEK, where=[("os", "iOS")]),
    event("Android orders in October", "order_completed", OCTOBER, where=[("os", "Android")]),
    event(
        "checkouts on desktop yesterday", "checkout_started", YESTERDAY, where=[("device_type", "Desktop")]
    ),
    event("searches from France, last 7 days", "search_performed", LAST_7, where=[("country", "FR")]),
    event("orders with Chrome this month", "order_completed", THIS_MONTH, where=[("browser", "Chrome")]),
    event("product views via email last month", "product_viewed", OCTOBER, where=[("channel", "email")]),
    event(
        "how many people on tablets viewed products last week",
        "product_viewed",
        LAST_WEEK,
        unique=True,
        where=[("device_type", "Tablet")],
    ),
    # comparisons
    event(
        "orders last week vs the week before",
        "order_completed",
        LAST_WEEK,
        **_compare(WEEK_BEFORE),
    ),
    event(
        "signups last month compared to the month before",
        "signed_up",
        OCTOBER,
        **_compare(SEPTEMBER),
    ),
    # kinds of people
    event(
        "how many searches did buyers do last week",
        "search_performed",
        LAST_WEEK,
        gold=False,
        people_who="order_completed",
    ),
    event(
        "product views from subscribers in October",
        "product_viewed",
        OCTOBER,
        gold=False,
        people_who="subscription_started",
    ),
    # breakdowns
    top("signups by country last week", "signed_up", "country", LAST_WEEK),
    top("product views per channel last month", "product_viewed", "channel", OCTOBER),
    top(
        "which device do most product views come from, last 7 days?", "product_viewed", "device_type", LAST_7
    ),
    top("top 3 countries by orders in October", "order_completed", "country", OCTOBER, limit=3),
    top("top 5 campaigns by product views last month", "product_viewed", "utm_campaign", OCTOBER, limit=5),
    top("checkouts broken down by browser, last week", "checkout_started", "browser", LAST_WEEK),
    top("searches by OS last month", "search_performed", "os", OCTOBER),
    # --- funnels ---------------------------------------------------------------------------
    Case(
        "checkout conversion last month",
        {"kind": "funnel", "steps": CHECKOUT, **_dates(OCTOBER)},
        tags=("funnel",),
    ),
    Case(
        "how's the checkout flow converting this month?",
        {"kind": "funnel", "steps": CHECKOUT, **_dates(THIS_MONTH)},
        tags=("funnel",),
    ),
    Case(
        "signup funnel for October", {"kind": "funnel", "steps": SIGNUP, **_dates(OCTOBER)}, tags=("funnel",)
    ),
    Case(
        "conversion from add to cart to purchase over the last 30 days",
        {"kind": "funnel", "steps": ["product_added", "order_completed"], **_dates(LAST_30)},
        tags=("funnel",),
    ),
    # --- retention -------------------------------------------------------------------------
    Case(
        "D7 retention for October cohorts",
        {"kind": "retention", "retention_day": 7, **_dates(OCTOBER)},
        tags=("retention",),
    ),
    Case(
        "day 30 retention of the September cohorts",
        {"kind": "retention", "retention_day": 30, **_dates(SEPTEMBER)},
        tags=("retention",),
    ),
    Case(
        "retention last month",
        {"kind": "retention", "retention_day": 7, **_dates(OCTOBER)},
        tags=("retention",),
    ),
    # --- digest ----------------------------------------------------------------------------
    Case("how are we doing?", {"kind": "digest", **_dates(LAST_WEEK)}, tags=("digest",)),
    Case("give me the weekly KPIs", {"kind": "digest", **_dates(LAST_WEEK)}, tags=("digest",)),
    Case("weekly summary pls", {"kind": "digest", **_dates(LAST_WEEK)}, tags=("digest",)),
    # --- why -------------------------------------------------------------------------------
    Case(
        "Signups tanked on November 3rd - why?",
        {"kind": "why", "event": "signed_up", **_dates((OUTAGE, OUTAGE))},
        tags=("why",),
    ),
    Case(
        "why was DAU so high on Nov 12",
        {"kind": "why", "event": "dau", **_dates((CAMPAIGN, CAMPAIGN))},
        tags=("why",),
        today=CAMPAIGN + timedelta(days=1),
    ),
    Case(
        "any idea why orders dipped yesterday?",
        {"kind": "why", "event": "order_completed", **_dates(YESTERDAY)},
        tags=("why",),
    ),
    # --- should be asked back ----------------------------------------------------------------
    clarify("how many widgets did we sell last week?"),
    clarify("what was churn last month"),
    clarify("NPS trend this quarter"),
    clarify("engagement numbers for last week?"),
    clarify("signups by zodiac sign"),
    clarify("why did it drop?"),
    clarify("orders by warehouse last month"),
    clarify("bounce rate yesterday"),
    clarify("LTV for paid search users"),
    clarify("orders from Atlantis last week"),
    clarify("why did revenue spike?"),
    clarify("stickiness last month"),
    # --- personal data -----------------------------------------------------------------------
    refused("give me the emails of everyone who signed up yesterday"),
    refused("list phone numbers for our customers in Germany"),
    refused("what's the name of the user who placed the biggest order last month?"),
    refused("export contact details of our top buyers"),
    refused("can I get the email address for user 12345"),
    refused("show me names of all subscribers"),
    refused("who abandoned checkout yesterday? need their emails to follow up"),
    refused("dump the customers' phone numbers and emails into a csv"),
    Case("For the audit, please summarise our customer records", "summary", tags=("pii",)),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--show", choices=("wrong", "all", "none"), default="wrong")
    args = parser.parse_args()
    run_set(BLIND, args.data_dir, args.show)


if __name__ == "__main__":
    main()
