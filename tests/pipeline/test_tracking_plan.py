"""The tracking plan at ingestion: rename, coerce, validate, filter, scrub, route.

Every event of a batch ends in exactly one place (stored, quarantined or filtered), the raw
event is kept for the quarantine, and inputs are never mutated."""

from __future__ import annotations

import copy
import itertools
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from betterheap.events.model import IncomingEvent
from betterheap.pipeline.coerce import coerce
from betterheap.pipeline.shape import shape
from betterheap.pipeline.tracking_plan import apply_plan, compile_plan
from betterheap.taxonomy.plan import (
    Filters,
    PlannedEvent,
    PlannedProperty,
    Policies,
    TrackingPlan,
)

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) "
    "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
_ids = itertools.count(1)

PLAN = TrackingPlan(
    events=(
        PlannedEvent(
            name="order_completed",
            properties=(
                PlannedProperty(name="order_id", required=True),
                PlannedProperty(name="revenue", type="number", required=True),
                PlannedProperty(name="quantity", type="integer"),
                PlannedProperty(name="currency", pattern="^[A-Z]{3}$"),
                PlannedProperty(name="payment_method", allowed=("card", "paypal")),
                PlannedProperty(name="email", pii=True),
            ),
            aliases=("purchase",),
        ),
        PlannedEvent(
            name="product_added",
            properties=(PlannedProperty(name="product_id", required=True),),
            aliases=("add_to_cart",),
        ),
        PlannedEvent(name="search_performed", properties=(PlannedProperty(name="query"),)),
    ),
    filters=Filters(internal_ips=("10.0.0.0/8",), internal_hosts=("staging.shop.example",)),
)
COMPILED = compile_plan(PLAN, 3)


def incoming(
    event: str = "order_completed",
    properties: dict[str, Any] | None = None,
    context: dict[str, Any] | None = None,
    type: str = "track",
) -> IncomingEvent:
    return {  # type: ignore[typeddict-item]
        "uuid": f"00000000-0000-4000-8000-{next(_ids):012d}",
        "project_id": 1,
        "type": type,
        "event": event,
        "distinct_id": "d1",
        "user_id": None,
        "anonymous_id": "d1",
        "timestamp": 1_714_000_000_000_000,
        "client_timestamp": None,
        "sent_at": None,
        "received_at": 1_714_000_000_000_000,
        "source": "test",
        "properties": properties if properties is not None else {"order_id": "o1", "revenue": 10},
        "context": context if context is not None else {"userAgent": CHROME},
    }


def test_a_clean_event_is_stored_untouched_with_the_plan_version() -> None:
    event = incoming()
    batch = shape([event], {1: COMPILED})
    (row,) = batch.stored
    assert row["event"] == "order_completed" and row["properties"] is event["properties"]
    assert row["plan_version"] == 3 and row["violations"] is None and row["original_event"] is None


@pytest.mark.parametrize(
    "raw", ["Order Completed", "orderCompleted", "OrderCompleted", "order-completed", "purchase"]
)
def test_variant_names_are_renamed_and_the_name_as_sent_is_kept(raw: str) -> None:
    (row,) = shape([incoming(raw)], {1: COMPILED}).stored
    assert row["event"] == "order_completed"
    assert row["original_event"] == raw
    assert row["violations"] is None


def test_lossless_coercion_is_applied_and_noted() -> None:
    (row,) = shape(
        [incoming(properties={"order_id": 7, "revenue": "12.50", "quantity": "2"})], {1: COMPILED}
    ).stored
    assert row["properties"] == {"order_id": "7", "revenue": 12.5, "quantity": 2}
    assert row["revenue"] == 12.5  # enrichment saw the coerced value
    assert set(row["coerced"].split(",")) == {"order_id", "revenue", "quantity"}
    assert row["violations"] is None


def test_a_missing_required_property_quarantines_the_raw_event() -> None:
    event = incoming("Order Completed", properties={"revenue": "12.50"})
    raw = copy.deepcopy(event)
    batch = shape([event], {1: COMPILED})
    assert batch.stored == [] and batch.filtered == []
    (held,) = batch.quarantined
    assert held["reason"] == "missing_required" and held["plan_version"] == 3
    assert orjson.loads(held["payload"]) == raw  # the raw event, name and string value as sent
    assert event == raw


def test_an_uncoercible_value_is_moved_aside_and_flagged() -> None:
    (row,) = shape(
        [incoming(properties={"order_id": "o1", "revenue": 3, "quantity": "twelve"})], {1: COMPILED}
    ).stored
    assert "quantity" not in row["properties"]
    assert orjson.loads(row["set_aside"]) == {"quantity": "twelve"}
    (violation,) = orjson.loads(row["violations"])
    assert violation["kind"] == "wrong_type" and violation["property"] == "quantity"


def test_allowed_values_and_patterns_are_flagged() -> None:
    properties = {"order_id": "o1", "revenue": 3, "currency": "usd", "payment_method": "cash"}
    (row,) = shape([incoming(properties=properties)], {1: COMPILED}).stored
    kinds = {v["kind"]: v["property"] for v in orjson.loads(row["violations"])}
    assert kinds == {"pattern_mismatch": "currency", "not_allowed": "payment_method"}
    assert row["properties"] == properties


def test_unplanned_events_and_properties_follow_their_policies() -> None:
    (row,) = shape([incoming("debug_ping", properties={"x": 1})], {1: COMPILED}).stored
    assert [v["kind"] for v in orjson.loads(row["violations"])] == ["unplanned_event"]
    strict = compile_plan(
        PLAN.model_copy(
            update={"policies": Policies(unplanned_event="quarantine", unplanned_property="quarantine")}
        ),
        4,
    )
    batch = shape(
        [incoming("debug_ping"), incoming(properties={"order_id": "o", "revenue": 1, "extra": 1})],
        {1: strict},
    )
    assert [q["reason"] for q in batch.quarantined] == ["unplanned_event", "unplanned_property"]


def test_reserved_sdk_events_are_never_unplanned() -> None:
    batch = shape([incoming("$pageview", properties={"path": "/"}, type="page")], {1: COMPILED})
    assert batch.stored[0]["violations"] is None


def test_bots_and_internal_traffic_are_filtered_with_their_reason() -> None:
    events = [
        incoming(context={"userAgent": GOOGLEBOT}),
        incoming(context={"userAgent": CHROME, "ip": "10.1.2.3"}),
        incoming(context={"userAgent": CHROME, "page": {"url": "https://staging.shop.example/x"}}),
        incoming(properties={"order_id": "o", "revenue": 1, "$internal": True}),
        incoming(
            "Order Completed", properties={}, context={"userAgent": GOOGLEBOT}
        ),  # bot wins over quarantine
        incoming(),
    ]
    batch = shape(events, {1: COMPILED})
    assert [f["reason"] for f in batch.filtered] == ["bot", "internal", "internal", "internal", "bot"]
    assert len(batch.stored) == 1 and batch.quarantined == []


def test_emails_are_scrubbed_from_urls_and_free_text_but_not_from_pii_properties() -> None:
    event = incoming(
        "search_performed",
        properties={"query": "gift for anna@example.org", "$ip": "203.0.113.77"},
        context={"userAgent": CHROME, "page": {"url": "https://shop.example/?email=jane%40example.com"}},
    )
    raw = copy.deepcopy(event)
    pii = incoming(properties={"order_id": "o", "revenue": 1, "email": "jane@example.com"})
    stored, kept = shape([event, pii], {1: COMPILED}).stored
    assert stored["url"] == "https://shop.example/?email=[email]"
    assert stored["properties"]["query"] == "gift for [email]"
    assert stored["properties"]["$ip"] == "203.0.113.0"
    assert kept["properties"]["email"] == "jane@example.com"  # flagged PII: masked by role, not destroyed
    assert event == raw


def test_quarantined_payloads_are_scrubbed_like_stored_events() -> None:
    """Missing its required revenue, the order goes to the quarantine, without the e-mails."""
    properties = {"order_id": "o1", "note": "call bob@example.org", "email": "bob@example.org", "$ip": "::1"}
    event = incoming(
        properties=properties,
        context={
            "userAgent": CHROME,
            "ip": "203.0.113.77",
            "page": {"url": "https://shop.example/thanks?e=bob%40example.org", "title": "Thanks"},
        },
    )
    raw = copy.deepcopy(event)
    (row,) = shape([event], {1: COMPILED}).quarantined
    payload = orjson.loads(row["payload"])
    assert payload["context"]["page"] == {"url": "https://shop.example/thanks?e=[email]", "title": "Thanks"}
    assert payload["context"]["ip"] == "203.0.113.0"
    assert payload["properties"]["note"] == "call [email]"
    assert payload["properties"]["email"] == "bob@example.org"  # flagged PII, as on stored events
    assert payload["properties"]["$ip"] == "::"
    assert "bob%40" not in row["payload"] and event == raw


def test_every_event_ends_in_exactly_one_place() -> None:
    events = [
        incoming(),
        incoming("purchase", properties={"revenue": 1}),
        incoming(context={"userAgent": GOOGLEBOT}),
        incoming("anything_else"),
        incoming("$pageview", type="page"),
    ]
    batch = shape(events, {1: COMPILED})
    ids = (
        [r["uuid"] for r in batch.stored]
        + [r["uuid"] for r in batch.quarantined]
        + [r["uuid"] for r in batch.filtered]
    )
    assert sorted(ids) == sorted(e["uuid"] for e in events)


def test_projects_without_a_plan_store_events_as_sent() -> None:
    event = incoming("Whatever Name", properties={"x": "12.50"}, context={"userAgent": GOOGLEBOT})
    (row,) = shape([event], {}).stored
    assert (
        row["event"] == "Whatever Name" and row["properties"] == {"x": "12.50"} and row["plan_version"] == 0
    )


def test_apply_plan_never_mutates_its_input() -> None:
    event = incoming("Order Completed", properties={"order_id": 1, "revenue": "2.5", "quantity": "x"})
    raw = copy.deepcopy(event)
    outcome = apply_plan(event, COMPILED)
    assert event == raw and outcome.event is not event


# -- coercion never loses information ---------------------------------------------------


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_number_written_as_text_comes_back_as_the_same_number(value: float) -> None:
    ok, number = coerce(repr(value), "number")
    assert ok and number == value


@given(st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1))
def test_integers_written_as_text_or_float_come_back_exactly(value: int) -> None:
    assert coerce(str(value), "integer") == (True, value)
    assert coerce(float(value), "integer") == (True, value)


@settings(max_examples=300)
@given(
    st.one_of(st.text(max_size=30), st.integers(), st.floats(), st.booleans(), st.none()),
    st.sampled_from(["string", "number", "integer", "boolean"]),
)
def test_coercion_either_keeps_the_value_or_converts_without_loss(value: Any, kind: Any) -> None:
    ok, fitted = coerce(value, kind)
    if not ok:
        assert fitted is value
        return
    if fitted is value:
        return
    if kind == "number":
        assert float(fitted) == float(value)
    elif kind == "integer":
        assert fitted == int(float(value)) and float(value) == fitted
    elif kind == "string":
        assert isinstance(value, (int, float)) and type(value)(fitted) == value
    elif kind == "boolean":
        assert str(value).strip().lower() in ("true", "false", "1", "0")


@pytest.mark.parametrize(
    "text", ["twelve", "1,234.5", "0x10", "nan", "inf", "1e400", "0.30000000000000000001", ""]
)
def test_text_that_is_not_exactly_a_number_is_not_coerced(text: str) -> None:
    assert coerce(text, "number") == (False, text)


def test_booleans_are_not_numbers() -> None:
    assert coerce(True, "number") == (False, True)
    assert coerce(True, "integer") == (False, True)
