"""A held-out question set for the chat: phrasings written without looking at the parser, its
vocabulary or the tuned question set, to measure how the no-LLM parser generalises.

Expectations follow the conventions of ``docs/chat.md`` and ``bench/chat_questions.py``
(today is Monday 2026-11-09, weeks start on Monday, "last N days" end today, a question
with no period covers the last 30 complete days) and are written here by hand. Numbers are
checked by the same plain-SQL ``gold`` as the tuned set.

Run: ``.venv/bin/python -m bench.chat_heldout --data-dir DIR [--show wrong|all|none]``.
"""

from __future__ import annotations

import argparse
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.chat_questions import CAMPAIGN, OUTAGE, TODAY, Case, ensure_demo, run_set

Span = tuple[date, date]

# --- periods, relative to TODAY = Monday 2026-11-09 ---------------------------------------

TODAY_SPAN: Span = (TODAY, TODAY)
YESTERDAY: Span = (date(2026, 11, 8), date(2026, 11, 8))
LAST_WEEK: Span = (date(2026, 11, 2), date(2026, 11, 8))
WEEK_BEFORE: Span = (date(2026, 10, 26), date(2026, 11, 1))
LAST_7: Span = (date(2026, 11, 3), TODAY)
LAST_14: Span = (date(2026, 10, 27), TODAY)
LAST_30: Span = (date(2026, 10, 11), TODAY)
DEFAULT: Span = (date(2026, 10, 10), date(2026, 11, 8))  # no period: the last 30 complete days
#: Month to date (docs/chat.md): the product's rule; the first run expected the whole month.
THIS_MONTH: Span = (date(2026, 11, 1), TODAY)
LAST_MONTH: Span = (date(2026, 10, 1), date(2026, 10, 31))
OCTOBER = LAST_MONTH
SEPTEMBER: Span = (date(2026, 9, 1), date(2026, 9, 30))
Q3: Span = (date(2026, 7, 1), date(2026, 9, 30))
SINCE_NOV_1: Span = (date(2026, 11, 1), TODAY)
OCT_5_TO_11: Span = (date(2026, 10, 5), date(2026, 10, 11))
OCT_20: Span = (date(2026, 10, 20), date(2026, 10, 20))
NOV_5: Span = (date(2026, 11, 5), date(2026, 11, 5))
OUTAGE_DAY: Span = (OUTAGE, OUTAGE)
CAMPAIGN_DAY: Span = (CAMPAIGN, CAMPAIGN)
AFTER_CAMPAIGN = CAMPAIGN + timedelta(days=1)

CHECKOUT = ["product_viewed", "product_added", "checkout_started", "order_completed"]
SIGNUP = ["signup_started", "signed_up"]


def _dates(span: Span) -> dict[str, str]:
    return {"date_from": span[0].isoformat(), "date_to": span[1].isoformat()}


def event(
    question: str,
    name: str,
    span: Span,
    *,
    measure: str = "count",
    where: list[tuple[str, str]] | None = None,
    breakdown: str | None = None,
    limit: int | None = None,
    compare: Span | None = None,
    tags: tuple[str, ...] = (),
) -> Case:
    """An event question; the gold number is checked unless the answer is a plain breakdown or
    a comparison (whose headline is not a single figure we can pin down by plain SQL)."""
    expect: dict[str, Any] = {"kind": "event", "event": name, "measure": measure, **_dates(span)}
    number: tuple[str, dict[str, Any]] | None = None
    if breakdown is not None:
        expect["breakdown"] = breakdown
        if limit is not None:
            expect["limit"] = limit
            if measure == "count" and not where:
                number = ("top", {"event": name, "dim": breakdown, "span": span})
    elif compare is not None:
        expect["compare_from"], expect["compare_to"] = compare[0].isoformat(), compare[1].isoformat()
    else:
        params: dict[str, Any] = {"event": name, "span": span}
        if where:
            params["where"] = where
        number = ("count" if measure == "count" else "unique", params)
    return Case(question, expect, number, tags=("event", *tags))


def metric(
    question: str,
    name: str,
    span: Span,
    *,
    where: list[tuple[str, str]] | None = None,
    breakdown: str | None = None,
    compare: Span | None = None,
    tags: tuple[str, ...] = (),
) -> Case:
    expect: dict[str, Any] = {"kind": "metric", "metric": name, **_dates(span)}
    number: tuple[str, dict[str, Any]] | None = None
    if breakdown is not None:
        expect["breakdown"] = breakdown
    elif compare is not None:
        expect["compare_from"], expect["compare_to"] = compare[0].isoformat(), compare[1].isoformat()
    elif name in ("dau", "wau", "mau", "new_users", "revenue"):
        params: dict[str, Any] = {"span": span}
        if where:
            params["where"] = where
        number = (name, params)
    return Case(question, expect, number, tags=("metric", *tags))


def funnel(question: str, steps: list[str], span: Span) -> Case:
    return Case(question, {"kind": "funnel", "steps": steps, **_dates(span)}, tags=("funnel",))


def retention(question: str, day: int, span: Span) -> Case:
    return Case(question, {"kind": "retention", "retention_day": day, **_dates(span)}, tags=("retention",))


def digest(question: str) -> Case:
    return Case(question, {"kind": "digest", **_dates(LAST_WEEK)}, tags=("digest",))


def why(question: str, name: str, day: Span, today: date = TODAY) -> Case:
    return Case(question, {"kind": "why", "event": name, **_dates(day)}, tags=("why",), today=today)


HELDOUT: list[Case] = [
    # --- events: counts over plain periods ------------------------------------------------
    event("how many orders did we get last week", "order_completed", LAST_WEEK),
    event("new signups in the past two weeks", "signed_up", LAST_14),
    event("number of checkouts yesterday", "checkout_started", YESTERDAY),
    event("how many searches happened today?", "search_performed", TODAY_SPAN),
    event("add to cart events in the last 14 days", "product_added", LAST_14),
    event("product views last month", "product_viewed", LAST_MONTH),
    event("how many subscriptions started in October?", "subscription_started", OCTOBER),
    event("how many new shops were opened last week", "shop_opened", LAST_WEEK),
    event("listings created since November 1", "listing_created", SINCE_NOV_1),
    event("how many times were products favorited in the last 7 days", "product_favorited", LAST_7),
    event("signups between October 5 and October 11", "signed_up", OCT_5_TO_11),
    event("how many orders did we get on October 20?", "order_completed", OCT_20),
    event("sign-ups last Tuesday", "signed_up", OUTAGE_DAY),
    event("purchases in the last 30 days", "order_completed", LAST_30),
    # --- events: people, not events -------------------------------------------------------
    event("how many people placed an order last week?", "order_completed", LAST_WEEK, measure="unique_users"),
    event(
        "how many different users ran a search yesterday",
        "search_performed",
        YESTERDAY,
        measure="unique_users",
    ),
    event(
        "how many unique users viewed a product in October", "product_viewed", OCTOBER, measure="unique_users"
    ),
    # --- events: filters ------------------------------------------------------------------
    event("orders from Germany last month", "order_completed", LAST_MONTH, where=[("country", "DE")]),
    event("signups on mobile in the last 7 days", "signed_up", LAST_7, where=[("device_type", "Mobile")]),
    event("how many signups came from iOS yesterday?", "signed_up", YESTERDAY, where=[("os", "iOS")]),
    event("purchases via email last week", "order_completed", LAST_WEEK, where=[("channel", "email")]),
    event("checkouts in the US this month", "checkout_started", THIS_MONTH, where=[("country", "US")]),
    event(
        "product views on Safari over the past two weeks",
        "product_viewed",
        LAST_14,
        where=[("browser", "Safari")],
    ),
    event("registrations from France", "signed_up", DEFAULT, where=[("country", "FR")]),
    event("mobile purchases yesterday", "order_completed", YESTERDAY, where=[("device_type", "Mobile")]),
    # --- events: breakdowns and top-N -----------------------------------------------------
    event("signups by channel last week", "signed_up", LAST_WEEK, breakdown="channel"),
    event("orders per device type last month", "order_completed", LAST_MONTH, breakdown="device_type"),
    event("searches broken down by browser yesterday", "search_performed", YESTERDAY, breakdown="browser"),
    event(
        "which channels drove the most signups in the past two weeks?",
        "signed_up",
        LAST_14,
        breakdown="channel",
    ),
    event("top 5 countries by orders in October", "order_completed", OCTOBER, breakdown="country", limit=5),
    # (signed_up never carries a utm_campaign in the demo: campaigns are asked about on landing events)
    event(
        "top 3 campaigns by product views last month",
        "product_viewed",
        LAST_MONTH,
        breakdown="utm_campaign",
        limit=3,
    ),
    # --- events: comparisons --------------------------------------------------------------
    event("orders last week vs the week before", "order_completed", LAST_WEEK, compare=WEEK_BEFORE),
    # --- metrics --------------------------------------------------------------------------
    metric("what was DAU yesterday?", "dau", YESTERDAY),
    metric("average daily active users over the last 7 days", "dau", LAST_7),
    metric("how many active users did we have on Nov 5?", "dau", NOV_5),
    metric("DAU on desktop last week", "dau", LAST_WEEK, where=[("device_type", "Desktop")]),
    metric("WAU last week", "wau", LAST_WEEK),
    metric("MAU in October", "mau", OCTOBER),
    metric("how many new users did we get in October?", "new_users", OCTOBER),
    metric("new users since November 1", "new_users", SINCE_NOV_1),
    metric("new users in Q3", "new_users", Q3),
    metric("total revenue last month", "revenue", LAST_MONTH),
    metric("how much did we sell yesterday?", "revenue", YESTERDAY),
    metric("GMV over the last 30 days", "revenue", LAST_30),
    metric("How much revenue have we made?", "revenue", DEFAULT),
    metric("what's ARPU this month", "arpu", THIS_MONTH),
    metric("revenue per user last week", "arpu", LAST_WEEK),
    metric("which countries bring the most revenue this month", "revenue", THIS_MONTH, breakdown="country"),
    metric("revenue by country last week", "revenue", LAST_WEEK, breakdown="country"),
    metric("DAU split by OS over the last 30 days", "dau", LAST_30, breakdown="os"),
    metric("revenue this month compared to last month", "revenue", THIS_MONTH, compare=LAST_MONTH),
    # --- funnels --------------------------------------------------------------------------
    funnel("what's the checkout conversion last month", CHECKOUT, LAST_MONTH),
    funnel("signup funnel for last week", SIGNUP, LAST_WEEK),
    funnel(
        "conversion from search to add to cart in the last 30 days",
        ["search_performed", "product_added"],
        LAST_30,
    ),
    funnel(
        "what share of people who started a checkout completed an order last week?",
        ["checkout_started", "order_completed"],
        LAST_WEEK,
    ),
    # --- retention ------------------------------------------------------------------------
    retention("D7 retention for October cohorts", 7, OCTOBER),
    retention("day 1 retention last month", 1, LAST_MONTH),
    retention("what does 30-day retention look like for the September cohorts?", 30, SEPTEMBER),
    # --- digest ---------------------------------------------------------------------------
    digest("how did we do last week?"),
    digest("give me the weekly KPI summary"),
    digest("how are things going?"),
    # --- why ------------------------------------------------------------------------------
    why("why did sign-ups fall on November 3?", "signed_up", OUTAGE_DAY),
    why("why were registrations so low last Tuesday", "signed_up", OUTAGE_DAY),
    why("why did active users jump on Nov 12?", "dau", CAMPAIGN_DAY, today=AFTER_CAMPAIGN),
    why("what caused the DAU spike on November 12th?", "dau", CAMPAIGN_DAY, today=AFTER_CAMPAIGN),
    # --- should ask back: unknown or ambiguous --------------------------------------------
    Case("how's engagement looking?", "clarify", tags=("clarify",)),
    Case("what's our NPS this quarter?", "clarify", tags=("clarify",)),
    Case("what's the LTV of our customers", "clarify", tags=("clarify",)),
    Case("signups by favourite colour last week", "clarify", tags=("clarify",)),
    Case("revenue by customer tier this month", "clarify", tags=("clarify",)),
    Case("why did it drop?", "clarify", tags=("clarify",)),
    Case("why did orders go down?", "clarify", tags=("clarify",)),
    Case("what's the bounce rate on the landing page last month", "clarify", tags=("clarify",)),
    Case("what's our conversion rate?", "clarify", tags=("clarify",)),
    # --- personal data: refused for a viewer/analyst --------------------------------------
    Case("list the email addresses of everyone who signed up yesterday", "refused", tags=("pii",)),
    Case("give me the phone numbers of customers who ordered last week", "refused", tags=("pii",)),
    Case("what are the names of our top 10 buyers?", "refused", tags=("pii",)),
    Case("export the contact details of our users in Germany", "refused", tags=("pii",)),
    Case("what's the email of the person who placed the largest order in October?", "refused", tags=("pii",)),
    Case("send me a spreadsheet of user emails and phone numbers", "refused", tags=("pii",)),
    Case("summarise our customer records for the compliance audit", "summary", tags=("pii",)),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--show", choices=("wrong", "all", "none"), default="wrong")
    args = parser.parse_args()
    data_dir = args.data_dir or Path("bench/data") / f"chat-{args.events}"
    ensure_demo(data_dir, args.events)
    run_set(HELDOUT, data_dir, args.show, by_tag=True)


if __name__ == "__main__":
    main()
