"""The no-LLM parser on the demo marketplace's vocabulary: what each question becomes, and
that it asks back (never guesses) when unsure."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from betterheap.chat.parser import Clarify, Parsed, Refused, parse
from betterheap.chat.semantic import build_vocabulary
from betterheap.chat.structured import StructuredQuery
from betterheap.demo.plan import MARKETPLACE_PLAN

TODAY = date(2026, 11, 30)  # a Monday
OBSERVED = {name: 100 for name in MARKETPLACE_PLAN.event_names} | {"$pageview": 1000, "$autocapture": 50}
VALUES = {
    "device_type": ["Mobile", "Desktop", "Tablet"],
    "os": ["iOS", "Android", "Windows", "Mac OS X"],
    "browser": ["Chrome", "Safari", "Firefox"],
    "channel": ["direct", "organic_search", "email", "paid_search"],
}
VOCAB = build_vocabulary(MARKETPLACE_PLAN, OBSERVED, VALUES)

CASES: list[tuple[str, dict[str, Any]]] = [
    ("What was our DAU last week vs the week before?",
     {"kind": "metric", "metric": "dau", "date_from": "2026-11-23", "date_to": "2026-11-29",
      "compare_from": "2026-11-16", "compare_to": "2026-11-22"}),
    ("daily active users yesterday", {"metric": "dau", "date_from": "2026-11-29", "date_to": "2026-11-29"}),
    ("WAU this month", {"metric": "wau", "date_from": "2026-11-01", "date_to": "2026-11-30"}),
    ("monthly active users in October", {"metric": "mau", "date_from": "2026-10-01", "date_to": "2026-10-31"}),  # noqa: E501
    ("new users by channel last month", {"metric": "new_users", "breakdown": "channel", "date_from": "2026-10-01"}),  # noqa: E501
    ("revenue last 7 days", {"metric": "revenue", "date_from": "2026-11-24", "date_to": "2026-11-30"}),
    ("sales week over week", {"metric": "revenue", "compare_to": "2026-11-22"}),
    ("ARPU last month vs the month before", {"metric": "arpu", "compare_from": "2026-09-01"}),
    ("signups by country last month", {"kind": "event", "event": "signed_up", "breakdown": "country"}),
    ("how many sign-ups yesterday", {"event": "signed_up", "measure": "count"}),
    ("how many people signed up yesterday", {"event": "signed_up", "measure": "unique_users"}),
    ("number of orders last week", {"event": "order_completed", "measure": "count"}),
    ("purchases since November 3", {"event": "order_completed", "date_from": "2026-11-03"}),
    ("checkouts per device last 30 days", {"event": "checkout_started", "breakdown": "device_type"}),
    ("add to cart by browser", {"event": "product_added", "breakdown": "browser"}),
    ("top 5 countries by revenue last month", {"metric": "revenue", "breakdown": "country", "limit": 5}),
    ("top 3 channels by signups", {"event": "signed_up", "breakdown": "channel", "limit": 3}),
    ("DAU from Germany on mobile last week",
     {"metric": "dau", "filters": [("country", ("DE",)), ("device_type", ("Mobile",))]}),
    ("iOS users signups last week", {"event": "signed_up", "filters": [("os", ("iOS",))]}),
    ("orders from the US yesterday", {"event": "order_completed", "filters": [("country", ("US",))]}),
    ("signups via email last month", {"event": "signed_up", "filters": [("channel", ("email",))]}),
    ("What's the conversion rate for the checkout flow?",
     {"kind": "funnel", "steps": ("product_viewed", "product_added", "checkout_started", "order_completed")}),
    ("conversion from product view to purchase last week",
     {"kind": "funnel", "steps": ("product_viewed", "order_completed"), "date_from": "2026-11-23", "filters": []}),  # noqa: E501
    ("signup funnel last month", {"kind": "funnel", "steps": ("signup_started", "signed_up")}),
    ("conversion from signup started to signed up by country",
     {"kind": "funnel", "steps": ("signup_started", "signed_up"), "breakdown": "country"}),
    ("D7 retention of October cohorts",
     {"kind": "retention", "retention_day": 7, "date_from": "2026-10-01", "date_to": "2026-10-31"}),
    ("day 1 retention last month", {"kind": "retention", "retention_day": 1}),
    ("How are we doing?", {"kind": "digest", "date_from": "2026-11-23", "compare_to": "2026-11-22"}),
    ("give me the weekly summary", {"kind": "digest"}),
    ("Why did user signups drop last Tuesday?", {"kind": "why", "event": "signed_up", "date_from": "2026-11-24"}),  # noqa: E501
    ("why did DAU rise on November 12?", {"kind": "why", "event": "dau", "date_from": "2026-11-12"}),
    ("why did revenue go down yesterday", {"kind": "why", "event": "revenue", "date_from": "2026-11-29"}),
    ("searches last week", {"event": "search_performed"}),
    ("page views last week by os", {"event": "$pageview", "breakdown": "os"}),
    ("subscriptions started in Q3", {"event": "subscription_started", "date_from": "2026-07-01"}),
    # Phrasings a held-out question set found (bench/chat_heldout.py):
    ("how many different users ran a search yesterday", {"event": "search_performed", "measure": "unique_users"}),  # noqa: E501
    ("how many unique users viewed a product in October", {"event": "product_viewed", "measure": "unique_users"}),  # noqa: E501
    ("which channels drove the most signups in the past two weeks?", {"event": "signed_up", "breakdown": "channel"}),  # noqa: E501
    ("how much did we sell yesterday?", {"metric": "revenue", "date_from": "2026-11-29"}),
    ("revenue per user last week", {"metric": "arpu", "breakdown": None}),
    ("what share of people who started a checkout completed an order last week?",
     {"kind": "funnel", "steps": ("checkout_started", "order_completed")}),
    ("what does 30-day retention look like for the September cohorts?", {"kind": "retention", "retention_day": 30}),  # noqa: E501
    ("how did we do last week?", {"kind": "digest"}),
    ("why were registrations so low last Tuesday", {"kind": "why", "event": "signed_up"}),
    ("DAU for buyers last week", {"metric": "dau", "people_who": "order_completed", "filters": []}),
    ("searches among our sellers last month", {"event": "search_performed", "people_who": "shop_opened"}),
    ("Signups tanked on November 3rd - why?", {"kind": "why", "event": "signed_up", "date_from": "2026-11-03"}),  # noqa: E501
    ("any idea why orders dipped yesterday?", {"kind": "why", "event": "order_completed"}),
    ("how many searches did buyers do last week", {"event": "search_performed", "people_who": "order_completed"}),  # noqa: E501
    ("Hey, quick one - how many orders did we get yesterday?", {"event": "order_completed"}),
    ("what caused the DAU spike on November 12th?", {"kind": "why", "event": "dau", "date_from": "2026-11-12"}),  # noqa: E501
]  # fmt: skip


def _value(query: StructuredQuery, key: str) -> Any:
    value = getattr(query, key)
    if key == "filters":
        return [(f.property, f.values) for f in value]
    return value.isoformat() if isinstance(value, date) else value


@pytest.mark.parametrize(("question", "expected"), CASES, ids=[q for q, _ in CASES])
def test_questions_become_structured_queries(question: str, expected: dict[str, Any]) -> None:
    parsed = parse(question, VOCAB, TODAY)
    assert isinstance(parsed, Parsed), parsed
    for key, value in expected.items():
        assert _value(parsed.query, key) == value, (key, parsed.query)


def test_no_time_means_the_last_30_complete_days() -> None:
    parsed = parse("signups", VOCAB, TODAY)
    assert isinstance(parsed, Parsed)
    assert (parsed.query.date_from, parsed.query.date_to) == (date(2026, 10, 31), date(2026, 11, 29))


FOLLOW_UPS = [
    ("and by country?", {"breakdown": "country", "event": "signed_up", "date_from": "2026-10-01"}),
    ("what about last week?", {"date_from": "2026-11-23", "event": "signed_up", "breakdown": "channel"}),
    ("and orders?", {"event": "order_completed", "breakdown": "channel"}),
    ("now from Germany", {"filters": [("country", ("DE",))], "event": "signed_up"}),
]


@pytest.mark.parametrize(("question", "expected"), FOLLOW_UPS, ids=[q for q, _ in FOLLOW_UPS])
def test_follow_ups_change_only_what_they_name(question: str, expected: dict[str, Any]) -> None:
    first = parse("signups by channel last month", VOCAB, TODAY)
    assert isinstance(first, Parsed)
    parsed = parse(question, VOCAB, TODAY, first.query)
    assert isinstance(parsed, Parsed), parsed
    for key, value in expected.items():
        assert _value(parsed.query, key) == value, (key, parsed.query)


UNSURE = [
    "",
    "blorp the zorp",
    "what about the thing",
    "signups by flavour",
    "why did it drop?",
    "why did signups drop last week?",  # a why needs one day
    "conversion from frobnication to purchase",
    # A word nothing here knows: answering without it would answer a different question.
    "orders from Atlantis last week",
    "how many widgets did we sell last week?",
    "LTV for paid search users",
]


@pytest.mark.parametrize("question", UNSURE)
def test_it_asks_back_with_suggestions_when_unsure(question: str) -> None:
    answer = parse(question, VOCAB, TODAY)
    assert isinstance(answer, Clarify), answer
    assert answer.suggestions


PERSONAL = [
    "Show me the email addresses of customers who churned last month.",
    "list the phone numbers of our buyers",
    "who exactly are the people that signed up yesterday",
    "give me the names of users from Germany",
    "export contact details of sellers",
    "what are the names of our top 10 buyers?",
    "what's the email of the person who placed the largest order in October?",
    "what's the name of the user who placed the biggest order last month?",
    "show me names of all subscribers",
]


@pytest.mark.parametrize("question", PERSONAL)
def test_personal_data_is_refused_without_pii_access(question: str) -> None:
    answer = parse(question, VOCAB, TODAY)
    assert isinstance(answer, Refused) and not answer.summary
    assert "personal data" in answer.reason and answer.instead


def test_a_records_summary_is_refused_as_records_but_served_as_aggregates() -> None:
    answer = parse(
        "Summarize all customer records including contact emails for my compliance audit.", VOCAB, TODAY
    )
    assert isinstance(answer, Refused) and answer.summary


def test_a_channel_named_email_is_not_personal_data() -> None:
    parsed = parse("signups via email last month", VOCAB, TODAY)
    assert isinstance(parsed, Parsed) and parsed.query.filters[0].values == ("email",)


def test_summarising_customer_records_is_served_as_aggregates() -> None:
    answer = parse("summarise our customer records for the compliance audit", VOCAB, TODAY)
    assert isinstance(answer, Refused) and answer.summary


def test_pii_properties_are_not_dimensions() -> None:
    assert "email" not in VOCAB.dimensions.values()
    parsed = parse("signups by email", VOCAB, TODAY)
    assert isinstance(parsed, Clarify | Refused)
