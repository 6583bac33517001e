"""to_stored: both wire formats land on the same columns; inputs are never touched."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from bench_to_stored import demo_events
from hypothesis import given, note, settings
from hypothesis import strategies as st

from betterheap.events.model import IncomingEvent
from betterheap.pipeline import STEPS, run_steps, to_stored
from betterheap.store.schema import EVENT_COLUMN_NAMES

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
LANDING = "https://shop.example/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=may"
PROMOTED = (
    "country", "channel", "utm_source", "utm_medium", "utm_campaign", "referrer", "url",
    "browser", "os", "device_type", "session_id", "revenue", "revenue_type",
)


def incoming(
    *,
    type: str = "track",
    event: str = "clicked",
    properties: dict[str, Any] | None = None,
    context: dict[str, Any] | None = None,
    source: str = "test",
) -> IncomingEvent:
    return {  # type: ignore[typeddict-item]
        "uuid": "5f0c1a2e-0000-4000-8000-000000000001",
        "project_id": 3,
        "type": type,
        "event": event,
        "distinct_id": "d1",
        "user_id": "u1",
        "anonymous_id": "a1",
        "timestamp": 1_714_000_000_000_000,
        "client_timestamp": 1_714_000_000_000_001,
        "sent_at": 1_714_000_000_000_002,
        "received_at": 1_714_000_000_000_003,
        "source": source,
        "properties": properties if properties is not None else {},
        "context": context if context is not None else {},
    }


def segment_purchase() -> IncomingEvent:
    return incoming(
        event="order_completed",
        source="segment",
        properties={"order_id": "o1", "total": "42.50", "currency": "USD"},
        context={
            "userAgent": IPHONE,
            "ip": "203.0.113.7",
            "library": {"name": "analytics.js", "version": "5.2.0"},
            "location": {"country": "de"},
            "page": {
                "url": LANDING,
                "path": "/pricing",
                "referrer": "https://mail.google.com/",
                "search": "?utm_source=newsletter&utm_medium=email&utm_campaign=may",
                "title": "Pricing",
            },
            "campaign": {"source": "newsletter", "medium": "email", "name": "may"},
            "sessionId": "s-1",
        },
    )


def posthog_purchase() -> IncomingEvent:
    return incoming(
        event="order_completed",
        source="posthog",
        properties={
            "order_id": "o1",
            "total": "42.50",
            "currency": "USD",
            "$browser": "Mobile Safari",
            "$os": "iOS",
            "$device_type": "Mobile",
            "$raw_user_agent": IPHONE,
            "$current_url": LANDING,
            "$referrer": "https://mail.google.com/",
            "$geoip_country_code": "DE",
            "utm_source": "newsletter",
            "utm_medium": "email",
            "utm_campaign": "may",
            "$session_id": "s-1",
            "$lib": "web",
        },
    )


def promoted(row: Any) -> dict[str, Any]:
    return {name: row[name] for name in PROMOTED}


EXPECTED_PURCHASE = {
    "country": "DE",
    "channel": "email",
    "utm_source": "newsletter",
    "utm_medium": "email",
    "utm_campaign": "may",
    "referrer": "https://mail.google.com/",
    "url": LANDING,
    "browser": "Safari",
    "os": "iOS",
    "device_type": "Mobile",
    "session_id": "s-1",
    "revenue": 42.5,
    "revenue_type": "purchase",
}


def test_segment_and_posthog_shapes_give_the_same_columns() -> None:
    segment, posthog = to_stored([segment_purchase(), posthog_purchase()])
    assert promoted(segment) == EXPECTED_PURCHASE
    assert promoted(posthog) == EXPECTED_PURCHASE


def test_segment_utm_tags_come_from_the_query_string_when_campaign_is_absent() -> None:
    event = segment_purchase()
    del event["context"]["campaign"]
    assert promoted(to_stored([event])[0]) == EXPECTED_PURCHASE
    del event["context"]["page"]["search"]
    assert promoted(to_stored([event])[0]) == EXPECTED_PURCHASE


def test_posthog_direct_placeholder_is_no_referrer() -> None:
    row = to_stored([incoming(type="page", event="$pageview", properties={"$referrer": "$direct",
                    "$current_url": "https://shop.example/"})])[0]
    assert (row["referrer"], row["channel"]) == (None, "direct")


def test_identify_and_group_messages_have_no_channel() -> None:
    rows = to_stored([incoming(type="identify", event="$identify"), incoming(type="group")])
    assert [row["channel"] for row in rows] == [None, None]
    assert to_stored([incoming(type="screen", event="$screen")])[0]["channel"] == "direct"


def test_revenue_type_only_with_revenue() -> None:
    rows = to_stored(
        [
            incoming(event="subscription_renewed", properties={"revenue": "9.99"}),
            incoming(event="subscription_renewed", properties={"revenue_type": "subscription"}),
            incoming(event="refund_issued", properties={"revenue": -5, "revenue_type": "refund"}),
            incoming(event="tip", properties={"revenue": "a lot"}),
        ]
    )
    assert [(r["revenue"], r["revenue_type"]) for r in rows] == [
        (9.99, "subscription"),
        (None, None),
        (-5.0, "refund"),
        (None, None),
    ]


def test_integer_session_ids_become_strings() -> None:
    row = to_stored([incoming(context={"sessionId": 1714000000})])[0]
    assert row["session_id"] == "1714000000"


def test_rows_keep_every_incoming_field_and_have_every_store_column() -> None:
    event = segment_purchase()
    event["links"] = [("a1", "u1")]
    row = to_stored([event])[0]
    for name in event:
        if name not in ("context", "links"):
            assert row[name] == event[name]  # type: ignore[literal-required]
    assert set(row) == set(EVENT_COLUMN_NAMES)


def test_to_stored_never_mutates_its_input() -> None:
    events = [segment_purchase(), posthog_purchase(), *demo_events(200)]
    before = copy.deepcopy(events)
    rows = to_stored(events)
    assert events == before
    assert len(rows) == len(events)
    assert [row["uuid"] for row in rows] == [event["uuid"] for event in events]


def test_empty_batch() -> None:
    assert to_stored([]) == []


@pytest.mark.parametrize("step", STEPS, ids=lambda step: step.__name__)
def test_steps_are_pure(step: Any) -> None:
    events = [segment_purchase(), posthog_purchase(), *demo_events(300)]
    columns = run_steps(events)
    events_before, columns_before = copy.deepcopy(events), copy.deepcopy(columns)
    first = step(events, columns)
    second = step(copy.deepcopy(events), copy.deepcopy(columns))
    assert first == second
    assert events == events_before
    assert columns == columns_before
    for values in first.values():
        assert len(values) == len(events)


def test_the_demo_batch_is_enriched() -> None:
    rows = to_stored(demo_events(2000))
    assert {row["browser"] for row in rows} >= {"Chrome", "Safari", "Firefox", "Edge"}
    assert {row["device_type"] for row in rows} >= {"Desktop", "Mobile"}
    assert {row["channel"] for row in rows} >= {
        "direct", "paid_search", "email", "paid_social", "social", "organic_search", "referral"
    }
    assert all(row["country"] in {"US", "DE", "GB", "FR", "IN", "BR"} for row in rows)
    assert any(row["revenue"] is not None for row in rows)


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.from_regex(r"-?\d{1,6}(\.\d{1,2})?", fullmatch=True),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
KEYS = st.sampled_from(
    [
        "$browser", "$os", "$device_type", "$raw_user_agent", "$current_url", "$referrer",
        "$geoip_country_code", "utm_source", "utm_medium", "utm_campaign", "$session_id",
        "revenue", "$revenue", "total", "revenue_type", "url", "referrer",
        "userAgent", "location", "page", "campaign", "sessionId", "os", "device",
    ]
)
SECTIONS = st.fixed_dictionaries(
    {},
    optional={
        "country": JSON, "url": JSON, "referrer": JSON, "search": JSON, "source": JSON,
        "medium": JSON, "name": JSON, "type": JSON,
    },
)


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(["track", "page", "screen", "identify"]),
    st.sampled_from(["order_completed", "x", "Subscription Started"]),
    st.dictionaries(KEYS, st.one_of(JSON, SECTIONS), max_size=8),
    st.dictionaries(KEYS, st.one_of(JSON, SECTIONS), max_size=8),
)
def test_any_client_payload_is_enriched_without_raising(
    message_type: str, event: str, properties: dict[str, Any], context: dict[str, Any]
) -> None:
    row = to_stored(
        [incoming(type=message_type, event=event, properties=properties, context=context)]
    )[0]
    for name in PROMOTED:
        value = row[name]  # type: ignore[literal-required]
        if name == "revenue":
            assert value is None or value.__class__ is float
            note(f"revenue={value!r}")
        else:
            assert value is None or (value.__class__ is str and value != "")
