"""A third blind question set for the analytics chat: natural phrasings written without
looking at the parser, its vocabulary, its tests or the earlier question sets — only at the
user-facing description (docs/chat.md) and the benchmark's conventions.

Terse analysts, chatty PMs, executives and non-native speakers; questions that must be
asked back (ambiguous, or naming what the product does not track); personal-data requests
that must be refused; one records summary for an audit; digest, why, funnel and retention.

Run: ``.venv/bin/python -m bench.chat_blind3 --data-dir DIR [--show wrong|all|none]``.
"""

from __future__ import annotations

import argparse
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.chat_questions import CAMPAIGN, OUTAGE, TODAY, Case, run_set

# --- dates, worked out by hand from TODAY (Monday 2026-11-09) ---------------------------

D = timedelta(days=1)
YESTERDAY = (TODAY - D, TODAY - D)  # 11-08
TODAY_ONLY = (TODAY, TODAY)  # 11-09 (also "this week")
LAST_WEEK = (date(2026, 11, 2), date(2026, 11, 8))
WEEK_BEFORE = (date(2026, 10, 26), date(2026, 11, 1))
LAST_7 = (date(2026, 11, 3), date(2026, 11, 9))
PREV_7 = (date(2026, 10, 27), date(2026, 11, 2))
LAST_14 = (date(2026, 10, 27), date(2026, 11, 9))
LAST_30 = (date(2026, 10, 11), date(2026, 11, 9))
THIS_MONTH = (date(2026, 11, 1), date(2026, 11, 9))
OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))
SEPTEMBER = (date(2026, 9, 1), date(2026, 9, 30))
Q3 = (date(2026, 7, 1), date(2026, 9, 30))
Q4_TO_DATE = (date(2026, 10, 1), date(2026, 11, 9))
DEFAULT = (date(2026, 10, 10), date(2026, 11, 8))  # no period: the last 30 complete days
LAST_FRIDAY = (date(2026, 11, 6), date(2026, 11, 6))
OCT_20 = (date(2026, 10, 20), date(2026, 10, 20))
OCT_5_11 = (date(2026, 10, 5), date(2026, 10, 11))
AFTER_CAMPAIGN = CAMPAIGN + timedelta(days=1)  # 11-13: "yesterday" is the campaign day

CHECKOUT = ["product_viewed", "product_added", "checkout_started", "order_completed"]
SIGNUP = ["signup_started", "signed_up"]

M = ("metric",)
E = ("event",)


def _span(span: tuple[date, date]) -> dict[str, str]:
    return {"date_from": span[0].isoformat(), "date_to": span[1].isoformat()}


def _cmp(span: tuple[date, date]) -> dict[str, str]:
    return {"compare_from": span[0].isoformat(), "compare_to": span[1].isoformat()}


def metric(name: str, span: tuple[date, date], **extra: Any) -> dict[str, Any]:
    return {"kind": "metric", "metric": name, **_span(span), **extra}


def event(name: str, span: tuple[date, date], measure: str = "count", **extra: Any) -> dict[str, Any]:
    return {"kind": "event", "event": name, "measure": measure, **_span(span), **extra}


def n(kind: str, span: tuple[date, date], **params: Any) -> tuple[str, dict[str, Any]]:
    return kind, {"span": span, **params}


BLIND3: list[Case] = [
    # --- metrics ------------------------------------------------------------------------
    Case("DAU yesterday?", metric("dau", YESTERDAY), n("dau", YESTERDAY), M),
    Case("how many weekly actives did we have last week", metric("wau", LAST_WEEK), n("wau", LAST_WEEK), M),
    Case("Where's MAU at this month?", metric("mau", THIS_MONTH), n("mau", THIS_MONTH), M),
    Case("MAU?", metric("mau", DEFAULT), n("mau", DEFAULT), M),
    Case("GMV month to date", metric("revenue", THIS_MONTH), n("revenue", THIS_MONTH), M),
    Case("How much money did we make last week?", metric("revenue", LAST_WEEK), n("revenue", LAST_WEEK), M),
    Case("Revenue quarter to date?", metric("revenue", Q4_TO_DATE), n("revenue", Q4_TO_DATE), M),
    Case(
        "new users since the 1st of November", metric("new_users", THIS_MONTH), n("new_users", THIS_MONTH), M
    ),
    Case("Bottom line: new users in Q3?", metric("new_users", Q3), n("new_users", Q3), M),
    Case(
        "Hi there, I'd love to know our revenue per user for last month if possible",
        metric("arpu", OCTOBER),
        None,
        M,
    ),
    Case(
        "How did DAU last week compare with the week before?",
        metric("dau", LAST_WEEK, **_cmp(WEEK_BEFORE)),
        n("dau", LAST_WEEK),
        M,
    ),
    Case(
        "Sales last month, month over month?",
        metric("revenue", OCTOBER, **_cmp(SEPTEMBER)),
        n("revenue", OCTOBER),
        M,
    ),
    Case(
        "Average DAU among iOS users last week",
        metric("dau", LAST_WEEK),
        n("dau", LAST_WEEK, where=[("os", "iOS")]),
        M,
    ),
    Case(
        "How much revenue came from Germany in October?",
        metric("revenue", OCTOBER),
        n("revenue", OCTOBER, where=[("country", "DE")]),
        M,
    ),
    Case(
        "daily actives in the UK over the last 30 days",
        metric("dau", LAST_30),
        n("dau", LAST_30, where=[("country", "GB")]),
        M,
    ),
    Case("what is revenue of october month", metric("revenue", OCTOBER), n("revenue", OCTOBER), M),
    Case(
        "top 5 countries by revenue in October",
        metric("revenue", OCTOBER, breakdown="country", limit=5),
        None,
        M,
    ),
    Case("DAU by device this week", metric("dau", TODAY_ONLY, breakdown="device_type"), None, M),
    Case(
        "DAU for buyers last month",
        metric("dau", OCTOBER, people_who="order_completed"),
        None,
        M,
    ),
    # --- events: counts -----------------------------------------------------------------
    Case(
        "checkouts started in the last 7 days",
        event("checkout_started", LAST_7),
        n("count", LAST_7, event="checkout_started"),
        E,
    ),
    Case(
        "How many searches happened today?",
        event("search_performed", TODAY_ONLY),
        n("count", TODAY_ONLY, event="search_performed"),
        E,
    ),
    Case(
        "add to cart count for the past 2 weeks",
        event("product_added", LAST_14),
        n("count", LAST_14, event="product_added"),
        E,
    ),
    Case(
        "how many times were products viewed yesterday",
        event("product_viewed", YESTERDAY),
        n("count", YESTERDAY, event="product_viewed"),
        E,
    ),
    Case(
        "new subscriptions this month",
        event("subscription_started", THIS_MONTH),
        n("count", THIS_MONTH, event="subscription_started"),
        E,
    ),
    Case(
        "How many shops were opened in October?",
        event("shop_opened", OCTOBER),
        n("count", OCTOBER, event="shop_opened"),
        E,
    ),
    Case(
        "listings created last week",
        event("listing_created", LAST_WEEK),
        n("count", LAST_WEEK, event="listing_created"),
        E,
    ),
    Case(
        "How many products got favorited since November 1st?",
        event("product_favorited", THIS_MONTH),
        n("count", THIS_MONTH, event="product_favorited"),
        E,
    ),
    Case(
        "registrations between Oct 5 and Oct 11",
        event("signed_up", OCT_5_11),
        n("count", OCT_5_11, event="signed_up"),
        E,
    ),
    Case("signups on October 20", event("signed_up", OCT_20), n("count", OCT_20, event="signed_up"), E),
    Case(
        "orders last Friday",
        event("order_completed", LAST_FRIDAY),
        n("count", LAST_FRIDAY, event="order_completed"),
        E,
    ),
    Case(
        "How much orders we got in last week?",
        event("order_completed", LAST_WEEK),
        n("count", LAST_WEEK, event="order_completed"),
        E,
    ),
    Case(
        "Please tell me the number of registration for yesterday.",
        event("signed_up", YESTERDAY),
        n("count", YESTERDAY, event="signed_up"),
        E,
    ),
    Case(
        "Hey! Quick one — could you pull how many checkouts we had over the past two weeks? Thanks!",
        event("checkout_started", LAST_14),
        n("count", LAST_14, event="checkout_started"),
        E,
    ),
    Case(
        "I'm prepping for standup, what did signups look like yesterday?",
        event("signed_up", YESTERDAY),
        n("count", YESTERDAY, event="signed_up"),
        E,
    ),
    Case(
        "Topline: how many orders this month?",
        event("order_completed", THIS_MONTH),
        n("count", THIS_MONTH, event="order_completed"),
        E,
    ),
    # --- events: unique people ----------------------------------------------------------
    Case(
        "how many people started signing up last week",
        event("signup_started", LAST_WEEK, "unique_users"),
        n("unique", LAST_WEEK, event="signup_started"),
        E,
    ),
    Case(
        "How many different users placed an order in October?",
        event("order_completed", OCTOBER, "unique_users"),
        n("unique", OCTOBER, event="order_completed"),
        E,
    ),
    Case(
        "how many unique users searched in the last 30 days",
        event("search_performed", LAST_30, "unique_users"),
        n("unique", LAST_30, event="search_performed"),
        E,
    ),
    Case(
        "How many people added something to their cart yesterday?",
        event("product_added", YESTERDAY, "unique_users"),
        n("unique", YESTERDAY, event="product_added"),
        E,
    ),
    Case(
        "how many peoples did purchase since 1 november",
        event("order_completed", THIS_MONTH, "unique_users"),
        n("unique", THIS_MONTH, event="order_completed"),
        E,
    ),
    # --- events: filters ----------------------------------------------------------------
    Case(
        "Orders from France?",
        event("order_completed", DEFAULT),
        n("count", DEFAULT, event="order_completed", where=[("country", "FR")]),
        E,
    ),
    Case(
        "orders on mobile last month",
        event("order_completed", OCTOBER),
        n("count", OCTOBER, event="order_completed", where=[("device_type", "Mobile")]),
        E,
    ),
    Case(
        "Android checkouts this week",
        event("checkout_started", TODAY_ONLY),
        n("count", TODAY_ONLY, event="checkout_started", where=[("os", "Android")]),
        E,
    ),
    Case(
        "How many product views came from organic search last week?",
        event("product_viewed", LAST_WEEK),
        n("count", LAST_WEEK, event="product_viewed", where=[("channel", "organic_search")]),
        E,
    ),
    Case(
        "how many searches on Safari yesterday?",
        event("search_performed", YESTERDAY),
        n("count", YESTERDAY, event="search_performed", where=[("browser", "Safari")]),
        E,
    ),
    Case(
        "tablet add-to-carts in October",
        event("product_added", OCTOBER),
        n("count", OCTOBER, event="product_added", where=[("device_type", "Tablet")]),
        E,
    ),
    Case(
        "How many people from Canada signed up last month?",
        event("signed_up", OCTOBER, "unique_users"),
        n("unique", OCTOBER, event="signed_up", where=[("country", "CA")]),
        E,
    ),
    # --- events: comparisons ------------------------------------------------------------
    Case(
        "Signups last week compared to the week before",
        event("signed_up", LAST_WEEK, **_cmp(WEEK_BEFORE)),
        n("count", LAST_WEEK, event="signed_up"),
        E,
    ),
    Case(
        "Purchases in October vs September",
        event("order_completed", OCTOBER, **_cmp(SEPTEMBER)),
        n("count", OCTOBER, event="order_completed"),
        E,
    ),
    Case(
        "searches last 7 days vs the previous period",
        event("search_performed", LAST_7, **_cmp(PREV_7)),
        n("count", LAST_7, event="search_performed"),
        E,
    ),
    # --- events: breakdowns and top-N ---------------------------------------------------
    Case("signups by country last week", event("signed_up", LAST_WEEK, breakdown="country"), None, E),
    Case("orders per device last month", event("order_completed", OCTOBER, breakdown="device_type"), None, E),
    Case(
        "Break down product views by channel, this month",
        event("product_viewed", THIS_MONTH, breakdown="channel"),
        None,
        E,
    ),
    Case("Searches per OS, past 14 days", event("search_performed", LAST_14, breakdown="os"), None, E),
    Case(
        "Which browser do most checkouts come from in the last 7 days?",
        event("checkout_started", LAST_7, breakdown="browser"),
        n("top", LAST_7, event="checkout_started", dim="browser"),
        E,
    ),
    Case(
        "Which campaign drove the most product views in October?",
        event("product_viewed", OCTOBER, breakdown="utm_campaign"),
        n("top", OCTOBER, event="product_viewed", dim="utm_campaign"),
        E,
    ),
    Case(
        "What are the top 5 countries by orders since Nov 1?",
        event("order_completed", THIS_MONTH, breakdown="country", limit=5),
        n("top", THIS_MONTH, event="order_completed", dim="country"),
        E,
    ),
    Case(
        "Which country is having most signups this month?",
        event("signed_up", THIS_MONTH, breakdown="country"),
        n("top", THIS_MONTH, event="signed_up", dim="country"),
        E,
    ),
    # --- events: kinds of people --------------------------------------------------------
    Case(
        "How many searches did customers do last week?",
        event("search_performed", LAST_WEEK, people_who="order_completed"),
        None,
        E,
    ),
    Case(
        "product views among sellers in October",
        event("product_viewed", OCTOBER, people_who="shop_opened"),
        None,
        E,
    ),
    Case(
        "orders placed by subscribers this month",
        event("order_completed", THIS_MONTH, people_who="subscription_started"),
        None,
        E,
    ),
    # --- funnels ------------------------------------------------------------------------
    Case(
        "checkout funnel for last month",
        {"kind": "funnel", "steps": CHECKOUT, **_span(OCTOBER)},
        tags=("funnel",),
    ),
    Case(
        "What share of people who start a sign-up actually finish it? Last week.",
        {"kind": "funnel", "steps": SIGNUP, **_span(LAST_WEEK)},
        tags=("funnel",),
    ),
    Case(
        "conversion from add to cart to purchase in October",
        {"kind": "funnel", "steps": ["product_added", "order_completed"], **_span(OCTOBER)},
        tags=("funnel",),
    ),
    Case(
        "view to order conversion over the past 14 days",
        {"kind": "funnel", "steps": ["product_viewed", "order_completed"], **_span(LAST_14)},
        tags=("funnel",),
    ),
    # --- retention ----------------------------------------------------------------------
    Case(
        "D7 retention for October cohorts",
        {"kind": "retention", "retention_day": 7, **_span(OCTOBER)},
        tags=("retention",),
    ),
    Case(
        "day 30 retention of users who joined in September",
        {"kind": "retention", "retention_day": 30, **_span(SEPTEMBER)},
        tags=("retention",),
    ),
    Case(
        "How's retention looking for last month?",
        {"kind": "retention", "retention_day": 7, **_span(OCTOBER)},
        tags=("retention",),
    ),
    # --- digest -------------------------------------------------------------------------
    Case("How's business going?", {"kind": "digest", **_span(LAST_WEEK)}, tags=("digest",)),
    Case("give me the weekly KPI rundown", {"kind": "digest", **_span(LAST_WEEK)}, tags=("digest",)),
    Case("Weekly summary pls", {"kind": "digest", **_span(LAST_WEEK)}, tags=("digest",)),
    # --- why ----------------------------------------------------------------------------
    Case(
        "Why were sign-ups so low last Tuesday?",
        {"kind": "why", "event": "signed_up", **_span((OUTAGE, OUTAGE))},
        tags=("why",),
    ),
    Case(
        "What caused the drop in registrations on November 3rd?",
        {"kind": "why", "event": "signed_up", **_span((OUTAGE, OUTAGE))},
        tags=("why",),
    ),
    Case(
        "Why did DAU spike yesterday?",
        {"kind": "why", "event": "dau", **_span((CAMPAIGN, CAMPAIGN))},
        tags=("why",),
        today=AFTER_CAMPAIGN,
    ),
    Case(
        "why did daily active users jump on Nov 12?",
        {"kind": "why", "event": "dau", **_span((CAMPAIGN, CAMPAIGN))},
        tags=("why",),
        today=AFTER_CAMPAIGN,
    ),
    # --- must be asked back: ambiguous, or not tracked ----------------------------------
    Case("How many app installs last week?", "clarify", tags=("clarify",)),
    Case("What's our NPS this month?", "clarify", tags=("clarify",)),
    Case("refunds in October", "clarify", tags=("clarify",)),
    Case("Show me signups by age group", "clarify", tags=("clarify",)),
    Case("Why did it drop?", "clarify", tags=("clarify",)),
    Case("Why did orders fall?", "clarify", tags=("clarify",)),
    Case("What's our customer acquisition cost?", "clarify", tags=("clarify",)),
    Case("bounce rate last week", "clarify", tags=("clarify",)),
    Case("How many returns did we get last month?", "clarify", tags=("clarify",)),
    Case("What was our engagement score last week?", "clarify", tags=("clarify",)),
    Case("email open rate for the weekly newsletter", "clarify", tags=("clarify",)),
    Case("How many support tickets were opened yesterday?", "clarify", tags=("clarify",)),
    # --- personal data: refused ---------------------------------------------------------
    Case("Give me the email addresses of everyone who signed up yesterday", "refused", tags=("pii",)),
    Case("Can I get the phone numbers of our customers in Germany?", "refused", tags=("pii",)),
    Case("list the names of our top buyers last month", "refused", tags=("pii",)),
    Case("export contact details for all subscribers", "refused", tags=("pii",)),
    Case("who exactly placed orders last week? names and emails pls", "refused", tags=("pii",)),
    Case("What's the email of the person who spent the most in October?", "refused", tags=("pii",)),
    Case("I need the home addresses of our US customers for a mailing", "refused", tags=("pii",)),
    Case("send me a spreadsheet with seller names and phone numbers", "refused", tags=("pii",)),
    # --- records summary for an audit ---------------------------------------------------
    Case(
        "We have a GDPR audit next week — can you summarise the customer records we hold?",
        "summary",
        tags=("pii",),
    ),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--show", choices=("wrong", "all", "none"), default="wrong")
    args = parser.parse_args()
    run_set(BLIND3, args.data_dir, args.show)


if __name__ == "__main__":
    main()
